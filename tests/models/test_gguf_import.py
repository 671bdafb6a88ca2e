"""GGUF import on a tiny GGUF this test writes itself (with the ``gguf`` package) from the tiny local Llama."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chathpc.cli import main
from chathpc.errors import ChathpcError

pytestmark = pytest.mark.ml


def write_gguf(model_dir, path, architecture: str = "llama") -> None:
    """The tiny model as an F32 GGUF the way llama.cpp's converter lays out a Llama (q/k rows permuted)."""
    import gguf
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    c = model.config
    writer = gguf.GGUFWriter(str(path), architecture)
    writer.add_context_length(c.max_position_embeddings)
    writer.add_embedding_length(c.hidden_size)
    writer.add_block_count(c.num_hidden_layers)
    writer.add_feed_forward_length(c.intermediate_size)
    writer.add_head_count(c.num_attention_heads)
    writer.add_head_count_kv(c.num_key_value_heads)
    writer.add_layer_norm_rms_eps(c.rms_norm_eps)
    writer.add_rope_dimension_count(c.hidden_size // c.num_attention_heads)
    writer.add_vocab_size(c.vocab_size)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    data = json.loads(tokenizer.backend_tokenizer.to_str())
    tokens = [None] * len(data["model"]["vocab"])
    for token, index in data["model"]["vocab"].items():
        tokens[index] = token
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list(tokens)
    writer.add_token_merges([" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]])
    writer.add_token_types([gguf.TokenType.NORMAL] * len(tokens))
    writer.add_bos_token_id(tokenizer.bos_token_id)
    writer.add_eos_token_id(tokenizer.eos_token_id)
    writer.add_add_bos_token(True)
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, c.num_hidden_layers)

    def permute(weights, heads):
        return weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)

    for name, tensor in model.state_dict().items():
        weights = tensor.numpy().astype(np.float32)
        if name.endswith("q_proj.weight"):
            weights = permute(weights, c.num_attention_heads)
        elif name.endswith("k_proj.weight"):
            weights = permute(weights, c.num_key_value_heads)
        writer.add_tensor(names.get_name(name, try_suffixes=(".weight", ".bias")), weights)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


@pytest.fixture(scope="module")
def tiny_gguf(tiny_model_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("gguf") / "tiny.gguf"
    write_gguf(tiny_model_dir, path)
    return path


def test_import_reproduces_the_model_and_its_tokenizer(tiny_model_dir, tiny_gguf, tmp_path, capsys):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out = tmp_path / "imported"
    assert main(["model", "import", str(tiny_gguf), "-o", str(out)]) == 0
    assert "llama" in capsys.readouterr().out
    provenance = json.loads((out / "chathpc-import.json").read_text())
    assert provenance["quantization"] == "F32" and provenance["architecture"] == "llama" and provenance["bytes"] == tiny_gguf.stat().st_size
    assert "quantization_config" not in json.loads((out / "config.json").read_text())
    original = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    imported = AutoModelForCausalLM.from_pretrained(out)
    ids = torch.tensor([[1, 5, 9, 20, 33, 7]])
    with torch.inference_mode():
        assert torch.allclose(original(ids).logits, imported(ids).logits, atol=1e-5)
    text = "int main(int argc, char **argv) { MPI_Init(&argc, &argv); return 0; }"
    assert AutoTokenizer.from_pretrained(out)(text)["input_ids"] == AutoTokenizer.from_pretrained(tiny_model_dir)(text)["input_ids"]


def test_a_gguf_file_generates_directly(tiny_gguf, tiny_model_dir):
    from chathpc.config import GenerationConfig, RunConfig
    from chathpc.data import Record, load_template
    from chathpc.providers import generation_request, get_provider

    request = generation_request(Record(question="Parallelize the sum loop with MPI."), load_template())
    greedy = GenerationConfig(max_new_tokens=12, temperature=0.0)
    [[from_gguf]] = get_provider(f"hf:{tiny_gguf}", RunConfig()).generate([request], 1, greedy)
    [[from_checkpoint]] = get_provider(f"hf:{tiny_model_dir}", RunConfig()).generate([request], 1, greedy)
    assert from_gguf and from_gguf == from_checkpoint  # the GGUF's weights, not just some text


def test_bad_sources_are_one_line_errors(tiny_model_dir, tiny_gguf, tmp_path, capsys):
    text = tmp_path / "notes.gguf"
    text.write_text("not a model\n")
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(tiny_gguf.read_bytes()[: tiny_gguf.stat().st_size // 3])
    unsupported = tmp_path / "unsupported.gguf"
    write_gguf(tiny_model_dir, unsupported, architecture="rwkv6")
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine")
    cases = [
        ([str(tmp_path / "missing.gguf"), "-o", str(tmp_path / "a")], "no such GGUF file"),
        ([str(text), "-o", str(tmp_path / "b")], "not a GGUF file"),
        ([str(truncated), "-o", str(tmp_path / "c")], "unreadable GGUF"),
        ([str(unsupported), "-o", str(tmp_path / "d")], "transformers cannot read this GGUF model"),
        ([str(tiny_gguf), "-o", str(existing)], "already exists (use --force"),
    ]
    capsys.readouterr()  # progress bars of the set-up above
    for args, message in cases:
        assert main(["model", "import", *args]) == 2, message
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert (existing / "keep.txt").read_text() == "mine"
    assert not any((tmp_path / name).exists() for name in "abcd")
    with pytest.raises(ChathpcError, match="not a GGUF file"):
        from chathpc.models import resolve_gguf

        resolve_gguf(str(text))

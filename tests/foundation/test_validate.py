"""``chathpc validate``: one report of everything checkable before a model or GPU is touched."""

from __future__ import annotations

import json

import pytest

from chathpc.cli import main
from chathpc.validation import validate_setup


def statuses(report) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


@pytest.mark.mpi
def test_a_good_setup_passes_every_check(capsys):
    report = validate_setup(models=["reference", "sequential"])
    assert report.ok, report.checks
    found = statuses(report)
    assert found["config"] == found["data.train_file"] == found["template"] == found["harness"] == "ok"
    assert found["model reference"] == "ok" and found["training"] == "skipped"
    assert main(["validate", "-m", "reference"]) == 0
    assert capsys.readouterr().out.strip().endswith("all checks passed")


def test_a_bad_config_stops_the_report_there(tmp_path, capsys):
    path = tmp_path / "run.yaml"
    path.write_text("harness:\n  rank: [1, 2]\n")
    report = validate_setup(path)
    assert [(c.name, c.status) for c in report.checks] == [("config", "failed")]
    assert "unknown key 'harness.rank' (did you mean 'ranks'?)" in report.checks[0].detail
    assert main(["validate", "-c", str(path)]) == 2
    assert "1 check failed" in capsys.readouterr().out


def test_every_problem_is_reported_not_only_the_first(tmp_path, capsys):
    (tmp_path / "empty.jsonl").write_text("")
    code = main(["validate", "--json", "--set", f"data.train_file={tmp_path / 'missing.jsonl'}",
                 "--set", f"data.refine_file={tmp_path / 'empty.jsonl'}", "--set", "harness.cc=no-such-mpicc",
                 "-m", "hf:./no-such-run", "-m", "refrence", "--tasks", str(tmp_path / "no-tasks")])
    assert code == 2
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["data.train_file"]["status"] == "failed" and "missing.jsonl" in checks["data.train_file"]["detail"]
    assert checks["data.refine_file"]["status"] == "failed"
    assert checks["data.test_file"]["status"] == "ok"
    assert "no-such-run does not exist" in checks["model hf:./no-such-run"]["detail"]
    assert "unknown provider 'refrence'" in checks["model refrence"]["detail"]
    assert "'no-such-mpicc' not found on PATH" in checks["harness"]["detail"]
    assert "task directory not found" in checks["tasks"]["detail"]
    assert all("\n" not in c["detail"] for c in checks.values())


@pytest.mark.mpi
def test_a_sandbox_that_cannot_be_had_fails_validation(monkeypatch):
    monkeypatch.setattr("chathpc.harness.sandbox.bwrap_path", lambda: None)
    report = validate_setup(overrides=["harness.sandbox=bwrap"])
    harness = next(c for c in report.checks if c.name == "harness")
    assert harness.status == "failed" and "bubblewrap cannot sandbox runs here" in harness.detail


@pytest.mark.ml
def test_training_plan_is_checked_with_train(tiny_model_dir):
    report = validate_setup(overrides=[f"model.base={tiny_model_dir}", "training.max_steps=1"], models=[f"hf:{tiny_model_dir}"], training=True)
    found = statuses(report)
    assert found["training"] == "ok", report.checks
    assert found[f"model hf:{tiny_model_dir}"] == "ok"

"""verify/test with the real harness: the baselines, the item-check fallbacks, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from chathpc.cli import main
from chathpc.data import Record, save_records
from chathpc.errors import ChathpcError
from chathpc.evaluate.results import read_results
from chathpc.evaluate.items import item_check
from chathpc.evaluate.runner import run_evaluation
from chathpc.providers import Provider, register_provider, unregister_provider

pytestmark = pytest.mark.mpi

HARNESS_SETTINGS = ["--set", "harness.ranks=1,3", "--set", "harness.perf_repeats=1", "--set", "harness.perf_warmup=0"]


def test_reference_passes_every_item(reference_results, test_items):
    path, outcome = reference_results
    lines = read_results(path).lines
    assert len(lines) == len(test_items) == outcome.lines == outcome.written
    assert all(line.passed and line.verdict == "pass" and line.check_mode == "execution" for line in lines)
    assert [line.task for line in lines] == [r.metadata["task"] for r in test_items]
    assert {run["ranks"] for run in lines[0].check["runs"]} == {1, 3}
    assert lines[0].prompt.rstrip().endswith("### Answer:") and lines[0].code and lines[0].provider == "reference"
    assert outcome.summary.overall.pass_at[1].value == 1.0
    assert set(outcome.summary.per_domain) == {r.metadata["domain"] for r in test_items}


def test_sequential_is_rejected_as_not_mpi(sequential_results, test_items):
    path, outcome = sequential_results
    lines = read_results(path).lines
    assert len(lines) == len(test_items)
    assert all(line.verdict == "not_mpi" and not line.passed for line in lines)
    assert outcome.summary.overall.pass_at[1].value == 0.0
    assert outcome.summary.overall.failures["not_mpi"] == len(test_items)
    assert "MPI_Init" in lines[0].feedback


def test_question_code_with_metadata_args_is_executed(tmp_path, test_items, eval_config):
    source = test_items[0]
    record = Record(question=source.question, context=source.context, id="adhoc", metadata={"args": [["9"]]})
    check = item_check(record, {})
    assert check.mode == "execution" and check.args == [["9"]] and check.task is None
    assert "int main" in check.sequential and "```" not in check.sequential
    outcome = run_evaluation([record], eval_config(), tmp_path / "adhoc.jsonl", provider_spec="reference", progress=False)
    line = read_results(outcome.path).lines[0]
    assert line.passed and [run["args"] for run in line.check["runs"]] == [["9"], ["9"]]


def test_one_fence_rule_for_the_question_program(test_items):
    """Whatever the fence's language tag, the question's program is what runs (never a text match)."""
    program = item_check(test_items[0], {}).sequential
    for tag in ("cpp", "C", "", "c++"):
        question = f"Parallelize:\n\n```{tag}\n{program}```\n"
        check = item_check(Record(question=question, id="q"), {})
        assert check.mode == "execution" and check.sequential.strip() == program.strip(), tag
    snippet_first = f"A helper:\n```c\nstatic int twice(int x) {{ return 2 * x; }}\n```\nThe program:\n```c\n{program}```"
    assert item_check(Record(question=snippet_first, id="q"), {}).sequential.strip() == program.strip()
    # a fragment is no program: with an expected answer it is a text match, without one a prompt (unchecked)
    assert item_check(Record(question="```c\nint x;\n```", answer="```c\nint y;\n```", id="q"), {}).mode == "text"
    assert item_check(Record(question="```c\nint x;\n```", id="q"), {}).mode == "prompt"


class _AnswerKey(Provider):
    """A baseline that answers with the record's expected answer, or with a fixed wrong one."""

    def __init__(self, wrong: bool) -> None:
        self.wrong = wrong

    def generate(self, requests, n, gen):
        return [["MPI_Bcast" if self.wrong else r.record.answer] * n for r in requests]


@pytest.fixture
def answerkey():
    """The ``answerkey`` provider, registered for one test only."""
    register_provider("answerkey", lambda name, config: _AnswerKey(wrong=name == "wrong"))
    yield "answerkey"
    unregister_provider("answerkey")


def test_items_without_a_program_fall_back_to_text_match(tmp_path, eval_config, answerkey):
    records = [Record(question="Which MPI call sums a value over all ranks onto rank 0?", answer="`MPI_Reduce` with   MPI_SUM", id="q")]
    good = run_evaluation(records, eval_config(), tmp_path / "good.jsonl", provider_spec=answerkey, progress=False)
    bad = run_evaluation(records, eval_config(), tmp_path / "bad.jsonl", provider_spec=f"{answerkey}:wrong", progress=False)
    assert (good.summary.overall.text_items, good.summary.overall.text_matched, good.summary.overall.items) == (1, 1, 0)
    assert (bad.summary.overall.text_items, bad.summary.overall.text_matched) == (1, 0)
    assert read_results(bad.path).lines[0].check_mode == "text"


def test_items_with_neither_program_nor_answer_are_prompts_kept_unchecked(tmp_path, eval_config, answerkey):
    # ChatHPC's test data: a question about a fragment, no expected answer
    records = [Record(question="Can you parallelize this loop with MPI?\nfor (i = 0; i < n; i++) s += x[i];", id="p")]
    result = run_evaluation(records, eval_config(), tmp_path / "p.jsonl", provider_spec=f"{answerkey}:wrong", progress=False)
    overall = result.summary.overall
    assert (overall.prompt_items, overall.text_items, overall.items) == (1, 0, 0)
    line = read_results(result.path).lines[0]
    assert (line.check_mode, line.verdict, line.passed, line.raw_output) == ("prompt", "unchecked", False, "MPI_Bcast")


def test_existing_results_are_never_overwritten(tmp_path, reference_results, test_items, capsys, eval_config):
    path, _ = reference_results
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(path.read_bytes())
    data = save_records(test_items, tmp_path / "items.jsonl")
    assert main(["test", str(data), "-m", "reference", "-o", str(copy), "--no-progress", *HARNESS_SETTINGS]) == 2
    assert "already exists" in capsys.readouterr().err
    with pytest.raises(ChathpcError, match="holds results of 'reference'"):
        run_evaluation(test_items, eval_config(), copy, provider_spec="sequential", resume=True, progress=False)
    with pytest.raises(ChathpcError, match="not in this dataset"):
        run_evaluation(test_items[1:], eval_config(), copy, provider_spec="reference", resume=True, progress=False)
    assert copy.read_bytes() == path.read_bytes()
    # resuming a complete file generates nothing and keeps it byte for byte
    assert main(["test", str(data), "-m", "reference", "-o", str(copy), "--resume", "--no-progress", "--json", *HARNESS_SETTINGS]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == 0
    assert copy.read_bytes() == path.read_bytes()


def _stable(path) -> list[dict]:
    """The results without measured durations and peak memory (the only fields two identical runs may differ in)."""
    measured = ("timings", "seconds", "max_rss_mib", "rss_mib", "sequential_rss_mib", "memory_mib")

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in measured}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return [strip(line.model_dump(mode="json")) for line in read_results(path).lines]


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_file(tmp_path, reference_results, test_items):
    data = save_records(test_items, tmp_path / "items.jsonl")
    out = tmp_path / "killed.jsonl"
    command = [sys.executable, "-m", "chathpc", "test", str(data), "-m", "reference", "-o", str(out), "--no-progress", *HARNESS_SETTINGS,
               "--set", "schedule.jobs=1"]  # one check at a time: each line is written seconds after the one before
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 1):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    kept = read_results(out).lines
    assert 1 <= len(kept) < len(test_items), "the run was not killed midway"
    assert main(["test", str(data), "-m", "reference", "-o", str(out), "--resume", "--no-progress", *HARNESS_SETTINGS]) == 0
    assert _stable(out) == _stable(reference_results[0])


@pytest.mark.parametrize("argv", [["verify", "--data", "trian"], ["test", "tset"]])
def test_a_mistyped_split_name_is_named_as_such(tmp_path, capsys, argv):
    assert main([*argv, "-m", "reference", "-o", str(tmp_path / "r.jsonl"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err == f"chathpc: error: {argv[-1]}: neither a split (train, test, refine) nor a dataset file\n"
    assert not (tmp_path / "r.jsonl").exists()


@pytest.mark.parametrize("samples", ["0", "-2"])
def test_samples_below_1_name_the_option(tmp_path, capsys, samples):
    assert main(["test", "-m", "reference", "-n", samples, "-o", str(tmp_path / "r.jsonl"), "--no-progress"]) == 2
    assert capsys.readouterr().err == "chathpc: error: -n/--samples must be at least 1\n"


def test_a_kinds_items_are_checked_at_the_kinds_target_beside_mpi_items(tmp_path, eval_config, capsys):
    from chathpc.tasks import split_records

    records = [r for r in split_records("train", kind="mpi-to-hybrid") if r.metadata["task"] == "jacobi2d_5pt"]
    config = eval_config(layouts=["1x2", "2x1"], repeats=1)  # harness.target stays mpi: the records name hybrid
    mpi_record = next(r for r in split_records("train") if r.metadata["task"] == "jacobi2d_5pt")
    outcome = run_evaluation([mpi_record, *records], config, tmp_path / "reference.jsonl", provider_spec="reference", progress=False)
    as_mpi, line = read_results(outcome.path).lines  # one run, two kinds: each item at its own target
    assert as_mpi.passed and as_mpi.check["target"] == "mpi" and "#pragma omp" not in as_mpi.code
    assert line.passed and line.check["target"] == "hybrid" and not line.optimization and line.improvement is None
    assert "Add OpenMP threads to the following MPI C program" in line.prompt and "#pragma omp" in line.code
    outcome = run_evaluation(records, config, tmp_path / "sequential.jsonl", provider_spec="sequential", progress=False)
    line = read_results(outcome.path).lines[0]
    assert not line.passed and line.check["target"] == "hybrid"
    assert main(["test", "--kind", "nope", "-m", "reference"]) == 2
    assert "unknown assistant kind 'nope'" in capsys.readouterr().err

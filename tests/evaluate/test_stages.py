"""generate + recheck: the two stages of verify/test as verbs, writing the same results lines."""

from __future__ import annotations

import json

import pytest

from chathpc.errors import ChathpcError
from chathpc.evaluate.results import SampleLine, read_results
from chathpc.evaluate.runner import run_evaluation
from chathpc.evaluate.stages import generate_samples, recheck

pytestmark = pytest.mark.mpi


def same_fields(line) -> tuple:
    return (line.item_id, line.sample, line.prompt, line.raw_output, line.code, line.verdict, line.passed, line.provider, line.generation)


@pytest.fixture(scope="module")
def two_stage(tmp_path_factory, test_items, eval_config):
    """samples of the reference on the test items (2 greedy samples each), rechecked; and the one-stage run."""
    root = tmp_path_factory.mktemp("stages")
    config = eval_config().model_copy(update={"generation": eval_config().generation.model_copy(update={"samples": 2})})
    generated = generate_samples(test_items[:2], config, root / "samples.jsonl", provider_spec="reference", progress=False)
    rechecked = recheck(root / "samples.jsonl", config, root / "rechecked.jsonl", progress=False)
    direct = run_evaluation(test_items[:2], config, root / "direct.jsonl", provider_spec="reference", progress=False, ks=(1,))
    return root, config, generated, rechecked, direct


def test_generate_then_recheck_writes_what_test_writes(two_stage):
    root, _, generated, rechecked, direct = two_stage
    samples = read_results(root / "samples.jsonl", SampleLine).lines
    assert generated.written == 4 and [(s.item_index, s.sample) for s in samples] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert rechecked.written == 4 and all(line.passed for line in read_results(root / "rechecked.jsonl").lines)
    assert [same_fields(l) for l in read_results(root / "rechecked.jsonl").lines] == [same_fields(l) for l in read_results(root / "direct.jsonl").lines]
    assert rechecked.summary.overall.pass_at[1].value == direct.summary.overall.pass_at[1].value == 1.0


def test_identical_greedy_samples_are_checked_once(two_stage):
    root = two_stage[0]
    lines = read_results(root / "rechecked.jsonl").lines
    # the second greedy sample is a copy of the first one's check, to the millisecond of every run
    assert lines[0].check == lines[1].check and lines[0].check["seconds"] > 0


def test_recheck_of_a_results_file_under_other_ranks(two_stage, eval_config):
    root, config = two_stage[0], two_stage[1]
    other = config.model_copy(update={"harness": config.harness.model_copy(update={"ranks": [2]})})
    outcome = recheck(root / "direct.jsonl", other, root / "ranks2.jsonl", progress=False)
    lines = read_results(root / "ranks2.jsonl").lines
    assert outcome.written == 4 and {run["ranks"] for line in lines for run in line.check["runs"]} == {2}


def test_interrupted_recheck_resumes_to_the_same_lines(two_stage):
    root, config = two_stage[0], two_stage[1]
    whole = (root / "rechecked.jsonl").read_bytes()
    cut = root / "cut.jsonl"
    cut.write_bytes(whole[: whole.index(b"\n") + 1 + 30])  # one whole line, then a line cut short
    with pytest.raises(ChathpcError, match="already exists"):
        recheck(root / "samples.jsonl", config, cut, progress=False)
    outcome = recheck(root / "samples.jsonl", config, cut, resume=True, progress=False)
    assert outcome.skipped == 1 and outcome.written == 3
    assert [same_fields(l) for l in read_results(cut).lines] == [same_fields(l) for l in read_results(root / "rechecked.jsonl").lines]


def test_cli_generate_and_recheck(tmp_path, monkeypatch, capsys):
    from chathpc.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["generate", "--model", "reference", "--limit", "1", "-o", "s.jsonl", "--no-progress"]) == 0
    assert "chathpc recheck s.jsonl" in capsys.readouterr().out
    assert main(["recheck", "s.jsonl", "--set", "harness.ranks=[1,2]", "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["path"] == "s.recheck.jsonl" and summary["written"] == 1
    assert main(["recheck", "s.jsonl", "--no-progress"]) == 2  # the results file exists: no silent overwrite
    assert "already exists" in capsys.readouterr().err
    assert main(["recheck", "missing.jsonl"]) == 2


def test_shards_of_a_job_array_gather_into_the_lines_of_one_run(two_stage, test_items):
    from chathpc.evaluate.runner import shard_path

    root, config = two_stage[0], two_stage[1]
    out = root / "array.jsonl"
    for k in (1, 0):  # tasks finish in any order
        outcome = run_evaluation(test_items[:2], config, out, provider_spec="reference", progress=False, shard=(k, 2))
        assert outcome.written == 2 and shard_path(out, (k, 2)).is_file()
    assert not out.exists()
    gathered = run_evaluation(test_items[:2], config, out, provider_spec="reference", progress=False, resume=True)
    assert gathered.written == 0 and gathered.lines == 4
    assert [same_fields(l) for l in read_results(out).lines] == [same_fields(l) for l in read_results(root / "direct.jsonl").lines]
    assert not list(root.glob("array.jsonl.shard-*"))

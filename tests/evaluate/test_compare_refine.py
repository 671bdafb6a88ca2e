"""compare (report formats and plots) and refine (refinement file, Markdown view, harvest) on real baseline results."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from chathpc.cli import main
from chathpc.data import load_records, save_records
from chathpc.evaluate.compare import Comparison

pytestmark = pytest.mark.mpi

HARNESS_SETTINGS = ["--set", "harness.ranks=1,3", "--set", "harness.perf_repeats=1", "--set", "harness.perf_warmup=0"]


@pytest.mark.slow
def test_compare_writes_all_formats_and_plots(tmp_path, test_items, capsys):
    data = save_records(test_items[:1], tmp_path / "items.jsonl")
    out = tmp_path / "cmp"
    code = main(["compare", "--data", str(data), "-m", "sequential", "-m", "reference", "--perf",
                 "-o", str(out), "--no-progress", *HARNESS_SETTINGS])
    assert code == 0, capsys.readouterr().err
    for name in ("report.md", "report.csv", "report.json", "correctness.png", "speedup.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "correctness.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    comparison = Comparison.model_validate_json((out / "report.json").read_text())
    assert comparison.providers == ["sequential", "reference"]
    reference = comparison.summaries["reference"].overall
    assert reference.pass_at[1].value == 1.0 and reference.items == 1
    assert set(reference.speedup_at) == {1, 2} and reference.speedup_at[2][1] > 0
    assert comparison.summaries["sequential"].overall.pass_at[1].value == 0.0
    task = comparison.tasks[0]
    assert task.peak("reference") > 0 and task.peak("sequential") is None
    rows = list(csv.DictReader(io.StringIO((out / "report.csv").read_text())))
    assert {"provider": "reference", "domain": "all", "metric": "pass@k", "k": "1", "value": "1"}.items() <= next(
        r for r in rows if r["provider"] == "reference" and r["metric"] == "pass@k" and r["domain"] == "all").items()
    assert any(r["metric"] == "best_speedup" and r["provider"] == "reference" for r in rows)
    assert task.peak_memory("reference") > 1 and task.peak_memory("sequential") is None
    assert any(r["metric"] == "memory_mib_per_rank" and r["provider"] == "reference" for r in rows)
    report = (out / "report.md").read_text()
    assert "`reference`" in report and "`sequential`" in report and "speedup.png" in report and "MiB/rank" in report
    # the same report from the results files alone
    again = tmp_path / "again"
    assert main(["compare", "-r", str(out / "results" / "sequential.jsonl"), "-r", str(out / "results" / "reference.jsonl"),
                 "-o", str(again), "--no-plots"]) == 0
    assert json.loads((again / "report.json").read_text())["summaries"] == json.loads((out / "report.json").read_text())["summaries"]


def _edited_copy(source, target, edit):
    """``source``'s results lines with ``edit(line_dict)`` applied to each (dropping lines it returns None for)."""
    kept = [edit(json.loads(text)) for text in source.read_text().splitlines()]
    target.write_text("".join(json.dumps(line) + "\n" for line in kept if line is not None))
    return target


def test_compare_refuses_results_it_cannot_compare_fairly(tmp_path, reference_results, sequential_results, capsys):
    reference, sequential = reference_results[0], sequential_results[0]
    assert main(["compare", "-r", str(reference), "-r", str(sequential), "-o", str(tmp_path / "ok"), "--no-plots"]) == 0
    capsys.readouterr()
    first_id = json.loads(reference.read_text().splitlines()[0])["item_id"]
    fewer = _edited_copy(sequential, tmp_path / "fewer.jsonl", lambda line: None if line["item_id"] == first_id else line)
    hotter = _edited_copy(sequential, tmp_path / "hotter.jsonl", lambda line: {**line, "generation": {**line["generation"], "temperature": 0.8}})
    timed = _edited_copy(sequential, tmp_path / "timed.jsonl", lambda line: {**line, "perf_requested": True})
    cases = [
        ([reference, reference], "already comes from"),
        ([reference, fewer], f"not the same items as {reference} (differs at {first_id})"),
        ([reference, hotter], "settings differ from"),
        ([reference, timed], "perf True vs False"),
    ]
    for files, message in cases:
        args = [part for path in files for part in ("-r", str(path))]
        assert main(["compare", *args, "-o", str(tmp_path / "refused"), "--no-plots"]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
        assert not (tmp_path / "refused").exists()
    # the same refusal before anything runs when a results file joins a run
    assert main(["compare", "-m", "reference", "-r", str(fewer), "-r", str(reference), "-o", str(tmp_path / "run"), "--no-plots"]) == 2
    assert "not the same items" in capsys.readouterr().err and not (tmp_path / "run").exists()


def test_compare_needs_something_to_compare(capsys):
    assert main(["compare"]) == 2
    assert "nothing to compare" in capsys.readouterr().err


def test_refine_writes_failed_items_and_harvests_passing_ones(tmp_path, sequential_results, reference_results, test_items, capsys):
    out = tmp_path / "refine.jsonl"
    assert main(["refine", str(sequential_results[0]), "-o", str(out)]) == 0
    records = load_records(out)
    assert [r.id for r in records] == [r.id for r in test_items]
    assert records[0].metadata["refine"]["verdict"] == "not_mpi" and records[0].question == test_items[0].question
    assert records[0].answer.startswith("```c") and records[0].metadata["task"] == test_items[0].metadata["task"]
    view = (tmp_path / "refine.md").read_text()
    assert "Expert rating" in view and "not_mpi" in view
    assert main(["refine", str(sequential_results[0]), "-o", str(out)]) == 2  # never overwrites silently
    assert "already exists" in capsys.readouterr().err

    harvest = tmp_path / "harvest.jsonl"
    assert main(["refine", str(reference_results[0]), "-o", str(tmp_path / "none.jsonl"), "--harvest", str(harvest), "--min-speedup", "0"]) == 0
    assert "no failed items" in capsys.readouterr().out and not (tmp_path / "none.jsonl").exists()
    assert [r.id for r in load_records(harvest)] == [r.id for r in test_items]
    # without timings nothing reaches a speedup threshold
    assert main(["refine", str(reference_results[0]), "-o", str(tmp_path / "n2.jsonl"), "--harvest", str(tmp_path / "h2.jsonl")]) == 0
    assert not (tmp_path / "h2.jsonl").exists()


def test_pairwise_peak_speedup_uses_tasks_both_solved():
    from chathpc.data import Record
    from chathpc.evaluate.compare import compare_results
    from chathpc.evaluate.results import ResultLine

    def line(provider, item, verdict, speedup):
        return ResultLine(item_id=item, item_index=0, sample=0, domain="blas", record=Record(question="q"), prompt="p",
                          raw_output="r", code="c", check_mode="execution", verdict=verdict, passed=verdict == "pass",
                          perf_requested=True, speedup=speedup, provider=provider, generation={})

    comparison = compare_results({
        "a": [line("a", "x", "pass", {1: 1.0, 2: 4.0}), line("a", "y", "pass", {2: 1.0}), line("a", "z", "pass", {2: 2.0})],
        "b": [line("b", "x", "pass", {1: 1.0, 2: 2.0}), line("b", "y", "pass", {2: 4.0}), line("b", "z", "wrong_output", {})],
    })
    ab = comparison.relative_peak["a"]["b"]
    assert ab.tasks == 2 and ab.geomean == pytest.approx(0.5 ** 0.5) and ab.peak == pytest.approx(2.0)  # ratios 2 and 1/4
    assert comparison.relative_peak["b"]["a"].peak == pytest.approx(4.0)
    assert comparison.tasks[2].peak("b") is None and comparison.tasks[2].peak("a") == 2.0


def test_compare_refuses_to_replace_an_existing_report(tmp_path, sequential_results, capsys):
    out = tmp_path / "cmp"
    out.mkdir()
    (out / "report.md").write_text("keep")
    argv = ["compare", "-r", str(sequential_results[0]), "-o", str(out), "--no-plots"]
    assert main(argv) == 2
    assert "already holds report.md" in capsys.readouterr().err and (out / "report.md").read_text() == "keep"
    assert not (out / "report.csv").exists()
    assert main(["compare", "-m", "reference", *argv[3:], "--limit", "1", "--no-progress"]) == 2  # refused before running
    assert not (out / "results").exists()
    assert main([*argv, "--force"]) == 0
    assert (out / "report.md").read_text() != "keep"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--limit", "-1"], "--limit must be at least 1"),
        (["--limit", "0"], "--limit must be at least 1"),
        (["-k", "0"], "-k must be at least 1"),
        (["-k", "2"], r"-k must be between 1 and the samples per item \(1\)"),
        (["--resume", "--force"], "not allowed with argument"),
    ],
)
def test_compare_bad_numbers_are_refused_before_running(tmp_path, capsys, extra, message):
    out = tmp_path / "cmp"
    try:
        code = main(["compare", "-m", "reference", "-o", str(out), "--no-progress", *extra])
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and err.count("\n") == 1, err
    assert not out.exists()


@pytest.mark.parametrize("value", ["nan", "-1"])
def test_refine_rejects_a_meaningless_min_speedup(tmp_path, sequential_results, capsys, value):
    out = tmp_path / "refine.jsonl"
    assert main(["refine", str(sequential_results[0]), "-o", str(out), "--min-speedup", value]) == 2
    assert "--min-speedup must be a number >= 0" in capsys.readouterr().err and not out.exists()

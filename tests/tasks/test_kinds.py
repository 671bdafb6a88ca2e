"""Assistant kinds: one registry, each kind's records exported from the suite, rendered, checked at its target."""

from __future__ import annotations

import pytest

from chathpc.cli import main
from chathpc.data import load_records, load_template, render_example, render_prompt
from chathpc.evaluate.items import item_check, records_target, suite_tasks
from chathpc.errors import ChathpcError
from chathpc.tasks import KIND_NAMES, KINDS, SPLITS, dataset_file, export_datasets, get_kind, load_suite, split_records
from chathpc.tasks.loader import OPTIMIZATION_INSTRUCTIONS, PORTABILITY_INSTRUCTIONS, TARGET_INSTRUCTIONS


def all_records(kind: str):
    return [record for split in SPLITS for record in split_records(split, kind=kind)]


def test_the_shipped_datasets_of_every_kind_match_the_task_folders():
    result = export_datasets(check=True, kinds=KIND_NAMES)
    assert result.stale == [], f"regenerate with `chathpc data export-tasks --kind all`: {result.stale} differ"
    for kind in KIND_NAMES:
        for split in SPLITS:
            expected = split_records(split, kind=kind)
            path = dataset_file(split, kind)
            assert [r.id for r in load_records(path)] == [r.id for r in expected] if expected else not path.exists()


def test_every_kind_has_records_that_say_their_kind_and_target():
    tasks = {task.id: task for task in load_suite()}
    for name, kind in KINDS.items():
        records = all_records(name)
        assert records, name
        for split in SPLITS:
            ids = [r.id for r in split_records(split, kind=name)]
            assert len(ids) == len(set(ids)), name
        for record in records:
            assert record.context == kind.context and record.answer.startswith("```")
            if name == "mpi":  # today's datasets, unchanged: Task.to_record
                assert record == tasks[record.metadata["task"]].to_record()
                continue
            assert record.metadata["kind"] == name and record.metadata["target"] == kind.target
            task = tasks[record.metadata["task"]]
            assert record.answer.strip("`\n").split("\n", 1)[1].rstrip() == task.solutions(kind.target)["reference"].rstrip()
            if kind.input == "solution":
                assert PORTABILITY_INSTRUCTIONS[(kind.input_target, kind.target)] in record.question
                assert task.solutions(kind.input_target)["reference"].rstrip() in record.question
            elif kind.optimizes:
                assert OPTIMIZATION_INSTRUCTIONS[kind.target] in record.question
                assert task.solutions(kind.target)[record.metadata["variant"]].rstrip() in record.question
                assert record.id == f"{task.id}.{record.metadata['variant']}"
            else:
                assert record.question.startswith(TARGET_INSTRUCTIONS[kind.target]) and task.seq_source.rstrip() in record.question
    assert len(all_records("mpi-to-hybrid")) == len([t for t in load_suite() if "hybrid" in t.target_sources])
    assert len(all_records("optimize-mpi")) == sum(len(t.variants) for t in load_suite())


def test_each_kind_renders_with_its_context_in_the_system_text():
    template = load_template()
    for name, kind in KINDS.items():
        record = all_records(name)[0]
        prompt, completion = render_example(record, template)
        assert prompt == render_prompt(record, template)
        assert f"Your job is {kind.context}." in prompt and record.question in prompt
        assert completion.startswith(record.answer)


def test_kind_records_are_checked_at_their_target_and_optimizations_against_their_input():
    records = split_records("train", kind="optimize-openmp")
    tasks = suite_tasks(records)
    check = item_check(records[0], tasks, target="mpi")  # the run's --target does not override the record's kind
    task = tasks[records[0].metadata["task"]]
    assert check.kind == "optimize-openmp" and check.target == "openmp"
    assert check.baseline == task.solutions("openmp")[records[0].metadata["variant"]]
    assert check.sequential == task.seq_source
    port = split_records("train", kind="openmp-to-kokkos")[0]
    check = item_check(port, suite_tasks([port]))
    assert check.target == "kokkos" and check.baseline is None and check.options.language == "c"
    assert records_target(records, "mpi") == "openmp" and records_target(split_records("train"), "hybrid") == "hybrid"
    assert records_target([records[0], port], "mpi") == "mpi"  # mixed: each item is checked at its own target


def test_unknown_kinds_are_one_line_errors(capsys):
    with pytest.raises(ChathpcError, match="unknown assistant kind 'nope'"):
        get_kind("nope")
    assert main(["data", "export-tasks", "--kind", "nope", "--check"]) == 2
    assert "unknown assistant kind 'nope'" in capsys.readouterr().err


def test_export_of_a_kind_writes_its_own_folder(tmp_path):
    out = tmp_path / "data"
    assert main(["data", "export-tasks", "--out", str(out), "--kind", "mpi-to-hybrid", "--kind", "optimize-hybrid"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.jsonl")) == [
        "mpi-to-hybrid/refine.jsonl", "mpi-to-hybrid/test.jsonl", "mpi-to-hybrid/train.jsonl",
        "optimize-hybrid/test.jsonl", "optimize-hybrid/train.jsonl"]  # no hybrid variant is in the refine split
    assert load_records(out / "mpi-to-hybrid" / "train.jsonl") == split_records("train", kind="mpi-to-hybrid")


@pytest.mark.mpi
@pytest.mark.slow
def test_export_check_runs_a_kinds_answers_and_passes(capsys):
    assert main(["data", "export-tasks", "--kind", "mpi-to-hybrid", "--check", "--task", "jacobi2d_5pt", "-q",
                 "--set", "harness.layouts=1x2,2x1,2x2", "--set", "harness.repeats=1"]) == 0
    out = capsys.readouterr().out
    assert "mpi-to-hybrid: 1 of 1 answers pass their check (output, by execution)" in out
    assert "stale" not in out

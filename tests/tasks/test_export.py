"""The shipped datasets match the task folders; no test item leaks into the training data."""

from __future__ import annotations

import json

import pytest

from chathpc.cli import main
from chathpc.data import dump_records, load_records
from chathpc.tasks import INSTRUCTION, SPLITS, dataset_file, export_datasets, load_suite, normalize_code, split_records


def test_shipped_datasets_match_the_task_folders():
    result = export_datasets(check=True)
    assert result.stale == [], f"regenerate with `chathpc data export-tasks`: {result.stale} differ from the task folders"
    for split in SPLITS:
        records = load_records(dataset_file(split))
        assert [r.id for r in records] == [t.id for t in load_suite(split=split)]


def test_no_test_item_appears_in_the_training_data():
    training = {normalize_code(t.seq_source): t.id for t in load_suite() if t.split in ("train", "refine")}
    leaks = [(t.id, training[normalize_code(t.seq_source)]) for t in load_suite(split="test") if normalize_code(t.seq_source) in training]
    assert leaks == []


def test_sequential_codes_are_distinct_across_the_suite():
    codes = [normalize_code(t.seq_source) for t in load_suite()]
    assert len(set(codes)) == len(codes)


def test_instruction_is_identical_everywhere():
    for split in SPLITS:
        for record in load_records(dataset_file(split)):
            assert record.question.split("\n\n```c\n", 1)[0] == INSTRUCTION
            assert record.metadata["split"] == split


def test_normalize_code_ignores_layout_and_comments():
    a = "/* header */\nint main(void)\n{\n    return x+1; // done\n}\n"
    b = "int  main ( void ) { return x + 1 ; }"
    assert normalize_code(a) == normalize_code(b)
    assert normalize_code(a) != normalize_code(b.replace("x + 1", "x + 2"))


@pytest.mark.mpi
def test_export_to_a_directory_and_check(tmp_path, capsys):
    out = tmp_path / "data"
    assert main(["data", "export-tasks", "--out", str(out), "--check", "--task", "axpy", "-q"]) == 1
    assert not out.exists(), "--check writes nothing"
    assert main(["data", "export-tasks", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["refine.jsonl", "test.jsonl", "train.jsonl"]
    for split in SPLITS:
        assert (out / f"{split}.jsonl").read_text() == dump_records(split_records(split), "jsonl")
    first = json.loads((out / "train.jsonl").read_text().splitlines()[0])
    assert set(first) == {"question", "context", "answer", "id", "metadata"}
    mtime = (out / "test.jsonl").stat().st_mtime_ns
    again = export_datasets(out)
    assert again.written == [] and (out / "test.jsonl").stat().st_mtime_ns == mtime
    (out / "refine.jsonl").write_text("stale\n")
    assert main(["data", "export-tasks", "--out", str(out), "--check", "--task", "axpy", "-q"]) == 1
    assert "out of date: refine" in capsys.readouterr().out
    assert export_datasets(out).written == ["refine"]
    assert main(["data", "export-tasks", "--out", str(out / "train.jsonl")]) == 2

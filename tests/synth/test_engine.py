"""synth runs: same seed -> byte-identical dataset, --resume ends where a fresh run ends, --force rule, records train reads."""

from __future__ import annotations

import json

import pytest

from chathpc.cli import main
from chathpc.data import load_records
from chathpc.synth.engine import SynthOptions, synthesize
from chathpc.tasks.loader import CONTEXT, INSTRUCTION

FAST = ["--families", "map,scan", "--explore-rate", "0", "--seed", "5", "-q"]


def test_families_list_and_unknown_family(capsys, tmp_path):
    assert main(["synth", "--families", "list"]) == 0
    assert "stencil2d" in capsys.readouterr().out
    assert main(["synth", "-o", str(tmp_path / "out"), "--families", "map,nosuch"]) == 2
    assert "unknown family nosuch" in capsys.readouterr().err


def test_existing_outputs_are_not_replaced_without_force(tmp_path, capsys):
    (tmp_path / "dataset.jsonl").write_text("{}\n")
    assert main(["synth", "-o", str(tmp_path), "--count", "1"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "dataset.jsonl").read_text() == "{}\n"


@pytest.mark.mpi
@pytest.mark.slow
def test_same_seed_same_file_and_resume_ends_identically(tmp_path):
    fresh, again, resumed = tmp_path / "fresh", tmp_path / "again", tmp_path / "resumed"
    assert main(["synth", "-o", str(fresh), "--count", "3", *FAST]) == 0
    assert main(["synth", "-o", str(again), "--count", "3", "--jobs", "1", *FAST]) == 0
    assert main(["synth", "-o", str(resumed), "--count", "2", *FAST]) == 0
    assert main(["synth", "-o", str(resumed), "--count", "3", "--resume", *FAST]) == 0
    data = (fresh / "dataset.jsonl").read_bytes()
    assert data == (again / "dataset.jsonl").read_bytes() == (resumed / "dataset.jsonl").read_bytes()
    records = load_records(fresh / "dataset.jsonl")
    assert len(records) == 3
    for record in records:
        assert record.context == CONTEXT and record.question.startswith(INSTRUCTION + "\n\n```c\n")
        assert record.answer.startswith("```c\n#") or record.answer.startswith("```c\n/*")
        meta = record.metadata
        assert meta["verdict"] == "pass" and meta["ranks"] == [1, 2, 3, 4] and meta["family"] in ("map", "scan")
        assert meta["nearest_test_task"] and 0 < meta["similarity"] < 0.85
    stats = json.loads((fresh / "stats.json").read_text())
    assert stats["kept"] == 3 and sum(f["kept"] for f in stats["families"].values()) == 3
    assert "nearest test task" in (fresh / "decontamination.md").read_text()


@pytest.mark.mpi
def test_contaminated_candidates_are_refused_without_a_check(tmp_path):
    # a threshold of 0.3 refuses nearly every candidate: the run gives up and says so
    options = SynthOptions(count=1, seed=0, families=["map"], threshold=0.3, max_candidates=4, explore_rate=0.0)
    with pytest.raises(Exception, match="only 0 of 1 pairs verified"):
        synthesize(tmp_path, options)
    lines = [json.loads(line) for line in (tmp_path / "checked.jsonl").read_text().splitlines()]
    assert lines and all(line["status"] == "contaminated" and line["verdict"] is None for line in lines)


def test_checkpoint_tolerates_a_cut_last_line(tmp_path):
    from chathpc.synth.engine import SynthLine, read_checkpoint

    line = SynthLine(index=0, family="map", kind="map", params={}, seq_hash="h", status="duplicate", nearest_task="copy",
                     similarity=0.5, args=[["37"]], ranks=[1, 2])
    whole = line.model_dump_json() + "\n"
    (tmp_path / "checked.jsonl").write_text(whole + whole[:30])
    lines, valid, cut = read_checkpoint(tmp_path / "checked.jsonl")
    assert [x.index for x in lines] == [0] and valid == len(whole.encode()) and cut


def test_resume_refuses_other_options(tmp_path, capsys):
    # a run that stops at once (no candidate allowed) still records its options and an empty checkpoint
    options = SynthOptions(count=1, seed=1, families=["map"], max_candidates=0)
    with pytest.raises(Exception, match="only 0 of 1"):
        synthesize(tmp_path, options)
    assert main(["synth", "-o", str(tmp_path), "--count", "1", "--seed", "2", "--families", "map", "--resume"]) == 2
    assert "started with other options" in capsys.readouterr().err


def test_exploration_samples_every_family():
    from chathpc.synth.engine import explored

    chosen = [i for i in range(110) if explored(i, 11, 0.1)]
    assert chosen == list(range(11))  # the first round: one candidate of each family
    assert sum(explored(i, 11, 0.1) for i in range(1100)) == 110
    assert not any(explored(i, 11, 0.0) for i in range(50)) and all(explored(i, 11, 1.0) for i in range(50))

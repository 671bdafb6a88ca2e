"""The results JSONL file: append with fsync, truncated last line tolerated, broken middle line rejected."""

from __future__ import annotations

import pytest

from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.evaluate.results import ResultLine, ResultsWriter, read_results


def _line(index: int) -> ResultLine:
    return ResultLine(
        item_id=f"t{index}", item_index=index, sample=0, domain="blas", task=f"t{index}",
        record=Record(question=f"q{index}"), prompt="p", raw_output="```c\nint main(){}\n```", code="int main(){}",
        check_mode="execution", verdict="wrong_output", passed=False, provider="reference", generation={"samples": 1},
        speedup={2: 1.5},
    )


def test_round_trip_keeps_int_rank_keys(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        for i in range(3):
            writer.append(_line(i))
    found = read_results(path)
    assert not found.truncated and found.valid_bytes == path.stat().st_size
    assert [l.item_id for l in found.lines] == ["t0", "t1", "t2"]
    assert found.lines[0].speedup == {2: 1.5}
    assert found.lines[0] == _line(0)


def test_truncated_last_line_is_cut_on_resume(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as writer:
        writer.append(_line(0))
        writer.append(_line(1))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 25])  # killed in the middle of the second line
    found = read_results(path)
    assert found.truncated and [l.item_id for l in found.lines] == ["t0"]
    with ResultsWriter(path, truncate_at=found.valid_bytes) as writer:
        writer.append(_line(1))
    assert path.read_bytes() == whole


def test_missing_final_newline_is_repaired(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(_line(0).model_dump_json())
    with ResultsWriter(path) as writer:
        writer.append(_line(1))
    assert [l.item_id for l in read_results(path).lines] == ["t0", "t1"]


def test_broken_middle_line_is_an_error(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(_line(0).model_dump_json() + "\n{not json\n" + _line(1).model_dump_json() + "\n")
    with pytest.raises(ChathpcError, match=r"r.jsonl:2: not a chathpc results line"):
        read_results(path)
    with pytest.raises(ChathpcError, match="not found"):
        read_results(tmp_path / "missing.jsonl")


@pytest.mark.parametrize("content", [b"my notes\n", b"my notes", b"[1, 2]\n"])
def test_a_file_that_is_not_results_is_never_cut(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(ChathpcError, match=r"notes.txt:1: not a chathpc results line"):
        read_results(path)
    assert path.read_bytes() == content


def test_resume_refuses_a_file_that_is_not_results(tmp_path, capsys):
    from chathpc.cli import main

    path = tmp_path / "notes.jsonl"
    path.write_text("my notes\n")
    assert main(["test", "-m", "reference", "-o", str(path), "--resume", "--limit", "1", "--no-progress"]) == 2
    assert "not a chathpc results line" in capsys.readouterr().err
    assert path.read_text() == "my notes\n"

"""The one atomic writer and the --force rule (chathpc.files)."""

from __future__ import annotations

import threading

import pytest

from chathpc.errors import ChathpcError, DataError
from chathpc.files import atomic_write_text, refuse_existing


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "out.txt"
    atomic_write_text(path, "first\n")
    atomic_write_text(path, "second\n")
    assert path.read_text() == "second\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["out.txt"]


def test_without_overwrite_an_existing_file_is_kept(tmp_path):
    path = tmp_path / "keep.txt"
    path.write_text("mine\n")
    with pytest.raises(DataError, match=r"keep.txt: already exists \(use --force to overwrite\)"):
        atomic_write_text(path, "theirs\n", overwrite=False, error=DataError)
    assert path.read_text() == "mine\n"
    with pytest.raises(ChathpcError, match="already exists"):
        refuse_existing(path, False)
    refuse_existing(path, True)
    refuse_existing(tmp_path / "absent", False)


def test_concurrent_writers_never_mix_or_share_a_temporary(tmp_path):
    path = tmp_path / "shared.txt"
    texts = [str(i) * 200_000 for i in range(8)]
    threads = [threading.Thread(target=atomic_write_text, args=(path, text)) for text in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_text() in texts  # one writer's whole text, not a mixture
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


def test_file_system_problems_are_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ChathpcError, match="is a file, expected a directory"):
        atomic_write_text(tmp_path / "file" / "below.txt", "y")
    with pytest.raises(ChathpcError, match="is a directory, expected a file"):
        atomic_write_text(tmp_path, "y")


def test_publish_directory_replaces_the_output_only_when_the_block_succeeds(tmp_path):
    from chathpc.files import publish_directory

    out = tmp_path / "model"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(RuntimeError, match="save failed"):
        with publish_directory(out) as staging:
            (staging / "weights.bin").write_text("half")
            raise RuntimeError("save failed")
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging directory left behind
    assert [p.name for p in out.iterdir()] == ["old.txt"]  # the old output untouched
    with publish_directory(out) as staging:
        (staging / "weights.bin").write_text("whole")
    assert [p.name for p in tmp_path.iterdir()] == ["model"] and [p.name for p in out.iterdir()] == ["weights.bin"]
    assert oct(out.stat().st_mode & 0o777) == oct(0o755)


def test_publish_directory_under_a_file_is_a_one_line_error(tmp_path):
    from chathpc.errors import ChathpcError
    from chathpc.files import publish_directory

    (tmp_path / "file").write_text("x")
    with pytest.raises(ChathpcError, match="is a file, expected a directory"):
        with publish_directory(tmp_path / "file" / "out"):
            pass

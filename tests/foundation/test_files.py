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

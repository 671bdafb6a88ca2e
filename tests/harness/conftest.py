"""Fixtures for harness tests: a private cache, a private temp root, and a leftover-process check."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest


def live_processes():
    """``(pid, [cwd, exe], command line)`` of every live process (zombies left out; links unreadable across
    users or sandboxes are empty)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                continue
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        links = []
        for name in ("cwd", "exe"):
            try:
                links.append(os.readlink(f"/proc/{entry}/{name}"))
            except OSError:
                links.append("")
        yield entry, links, cmdline.strip()


def processes_under(root: Path) -> list[str]:
    """Processes whose cwd, executable or command line lies under ``root``."""
    prefix = str(root)
    return [f"{pid}: {cmdline}" for pid, links, cmdline in live_processes()
            if any(link.startswith(prefix) for link in links) or prefix in cmdline]


def processes_with(text: str) -> list[str]:
    """Live processes whose command line holds ``text`` (seen from here whatever sandbox they run in)."""
    return [f"{pid}: {cmdline}" for pid, _, cmdline in live_processes() if text in cmdline]


@pytest.fixture
def fork_bomb_survivors():
    """Run a fork bomb with a unique token among its arguments: ``token, survivors()`` lists every process
    still running with it (none may outlive the check, in the sandbox or not)."""
    import subprocess
    import uuid

    token = f"chathpc-bomb-{uuid.uuid4().hex}"
    probe = subprocess.Popen(["sh", "-c", "sleep 30", token])  # the lookup sees a live process with the token
    try:
        assert processes_with(token), "processes_with cannot see a process holding the token"
    finally:
        probe.kill()
        probe.wait()
    return token, lambda: processes_with(token)


@pytest.fixture
def work_root(monkeypatch):
    """Work dirs of this test go to a fresh root; afterwards nothing may run there and it must be empty."""
    root = Path(tempfile.mkdtemp(prefix="chathpc-harness-test-"))
    root.chmod(0o711)
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    yield root
    monkeypatch.undo()
    left = processes_under(root)
    remaining = [p.name for p in root.iterdir()]
    shutil.rmtree(root, ignore_errors=True)
    assert not left, f"processes left running: {left}"
    assert not remaining, f"work dirs left behind: {remaining}"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Builds and reference outputs of this session go to a private cache."""
    path = tmp_path_factory.mktemp("chathpc-cache")
    saved = os.environ.get("CHATHPC_CACHE_DIR")
    os.environ["CHATHPC_CACHE_DIR"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("CHATHPC_CACHE_DIR", None)
    else:
        os.environ["CHATHPC_CACHE_DIR"] = saved

"""Fixtures for scheduler tests: a private harness cache and, for the slow tests, a real one-node Slurm cluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = REPO / "tests" / "harness" / "programs"


def program(name: str) -> str:
    return (PROGRAMS / name).read_text()


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


def processes_under(root: Path) -> list[str]:
    """Processes whose cwd, executable or command line lies under ``root``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            links = [os.readlink(f"/proc/{entry}/{name}") for name in ("cwd", "exe")]
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if state not in ("Z", "X") and (any(link.startswith(str(root)) for link in links) or str(root) in cmdline):
            found.append(f"{entry}: {cmdline.strip()}")
    return found


def _daemon_pids(directory: Path) -> list[int]:
    """slurmctld/slurmd processes started with this cluster's config."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(directory) in cmdline and ("slurmctld" in cmdline or "slurmd" in cmdline):
                found.append(int(entry))
    return found


@pytest.fixture(scope="session")
def slurm_cluster():
    """A one-node Slurm cluster (scripts/slurm-local.sh) for the session; down at the end, with no daemon left."""
    can_install = os.geteuid() == 0 and shutil.which("apt-get") is not None
    if shutil.which("slurmctld") is None and not can_install:
        pytest.skip("Slurm (slurm-wlm, munge) is not installed and cannot be: not root or no apt-get")
    if os.geteuid() != 0:
        pytest.skip("the local Slurm cluster runs its daemons as root; not root here")
    directory = Path(tempfile.mkdtemp(prefix="chathpc-slurm-test-"))
    env = {**os.environ, "CHATHPC_SLURM_DIR": str(directory), "CHATHPC_SLURM_PORT": str(17000 + os.getpid() % 2000 * 2)}
    script = REPO / "scripts" / "slurm-local.sh"
    up = subprocess.run([str(script), "up"], env=env, capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr + up.stdout
    saved = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(directory / "slurm.conf")
    try:
        yield directory
    finally:
        munged = Path("/run/munge/munged.pid")
        ours = Path("/run/munge/chathpc-slurm-local.started").exists() and munged.is_file()
        munged_pid = int(munged.read_text().split()[0]) if ours else None
        down = subprocess.run([str(script), "down"], env=env, capture_output=True, text=True, timeout=120)
        if saved is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = saved
        left = _daemon_pids(directory)
        shutil.rmtree(directory, ignore_errors=True)
        assert down.returncode == 0, down.stderr
        assert not left, f"slurm daemons left running after down: {left}"
        others = subprocess.run(["pgrep", "-x", "slurmctld"], capture_output=True).returncode == 0  # another cluster still needs munged
        assert munged_pid is None or others or not Path(f"/proc/{munged_pid}").exists(), "munged (started by up) left running after down"

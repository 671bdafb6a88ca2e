"""What this machine offers: MPI, sandbox tools, ML libraries and accelerators.

Probes are cheap (no torch import) except ``accelerators``, which imports torch when it is
installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache

ML_PACKAGES = ("torch", "transformers", "peft", "trl", "accelerate", "datasets", "bitsandbytes")


@dataclass(frozen=True)
class MpiInfo:
    """The MPI toolchain found on PATH."""

    mpicc: str | None
    mpirun: str | None
    implementation: str | None  # "Open MPI", "MPICH", "Intel MPI", ...
    version: str | None

    @property
    def available(self) -> bool:
        return self.mpicc is not None and self.mpirun is not None


def _first_output(cmd: list[str], timeout: float = 10.0) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (proc.stdout or "") + (proc.stderr or "")


@lru_cache(maxsize=4)
def mpi_info(mpicc: str = "mpicc", mpirun: str = "mpirun") -> MpiInfo:
    """Locate the MPI compiler and launcher and identify the implementation."""
    cc_path, run_path = shutil.which(mpicc), shutil.which(mpirun)
    implementation = version = None
    if run_path:
        text = _first_output([run_path, "--version"])
        patterns = [
            ("Open MPI", r"Open MPI\)?\s*([\d.]+\w*)"),
            ("Intel MPI", r"Intel\(R\) MPI Library.*?Version\s+([\w.]+)"),
            ("MPICH", r"(?:HYDRA|MPICH).*?Version:\s*([\d.]+\w*)"),
        ]
        for name, pattern in patterns:
            match = re.search(pattern, text, re.S)
            if match:
                implementation, version = name, match.group(1)
                break
    return MpiInfo(cc_path, run_path, implementation, version)


def bwrap_path() -> str | None:
    """The bubblewrap executable, if installed."""
    return shutil.which("bwrap")


def clang_tidy_path() -> str | None:
    """The clang-tidy executable, if installed (used for the static MPI screen)."""
    return shutil.which("clang-tidy")


def package_version(name: str) -> str | None:
    """Installed version of a distribution, or None (no import)."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@dataclass
class Accelerators:
    """GPU devices visible to torch."""

    cuda: list[str] = field(default_factory=list)
    mps: bool = False
    note: str | None = None


def accelerators() -> Accelerators:
    """CUDA and MPS devices as torch sees them (empty, with a note, when torch is missing)."""
    if package_version("torch") is None:
        return Accelerators(note="torch not installed")
    try:
        import torch
    except ImportError as exc:  # installed but broken (e.g. a CUDA library missing)
        return Accelerators(note=f"torch cannot be imported: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")

    cuda = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else []
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    return Accelerators(cuda=cuda, mps=mps)


def core_count() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1

"""Static screen: clang-tidy's MPI checks on a candidate, as warnings (never a verdict).

clang-tidy runs in the sandbox (it reads untrusted code). Findings are cached by content hash
next to the builds. Without clang-tidy the screen is empty.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

from chathpc.files import atomic_write_text
from chathpc.harness.paths import cache_root
from chathpc.harness.sandbox import Limits, run_sandboxed
from chathpc.system import clang_tidy_path

MPI_CHECKS = "-*,clang-analyzer-optin.mpi.MPI-Checker,mpi-type-mismatch,mpi-buffer-deref"
_FINDING = re.compile(r"^[^\n]*?prog\.c:(\d+):(\d+): warning: (.*?) \[([\w.,-]+)\]$", re.M)


@lru_cache(maxsize=4)
def _mpi_include_flags(cc: str) -> tuple[str, ...]:
    for probe in ([cc, "--showme:compile"], [cc, "-show"]):
        try:
            proc = subprocess.run(probe, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            continue
        if proc.returncode == 0 and proc.stdout.strip():
            return tuple(f for f in shlex.split(proc.stdout) if f.startswith(("-I", "-D", "-pthread")))
    return ()


def static_screen(source: str, *, cc: str, isolation: str, limits: Limits, timeout: float = 60.0) -> list[str]:
    """clang-tidy MPI findings for ``source`` as ``line:col: message [check]`` strings (run in the sandbox)."""
    tidy = clang_tidy_path()
    if tidy is None:
        return []
    flags = _mpi_include_flags(cc)
    key = hashlib.sha256(json.dumps([tidy, MPI_CHECKS, flags, source]).encode()).hexdigest()[:32]
    cached = cache_root() / "screen" / f"{key}.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    scratch = Path(tempfile.mkdtemp(prefix="chathpc-screen-"))
    try:
        scratch.chmod(0o711)
        run_dir = scratch / "src"
        run_dir.mkdir(mode=0o700)
        (run_dir / "prog.c").write_text(source)
        outcome = run_sandboxed(
            [tidy, "--quiet", f"--checks={MPI_CHECKS}", "prog.c", "--", *flags], run_dir,
            timeout=timeout, limits=limits, isolation=isolation, read_only_dirs=[],
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if outcome.timed_out:
        return [f"static screen: clang-tidy did not finish within {timeout:g} s"]
    findings = [
        f"{line}:{col}: {message.strip()} [{check}]"
        for line, col, message, check in _FINDING.findall(outcome.stdout + outcome.stderr)
    ]
    findings = list(dict.fromkeys(findings))
    atomic_write_text(cached, json.dumps(findings))
    return findings

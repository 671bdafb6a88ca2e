"""Compile programs with the target's compiler (the MPI wrapper, gcc, g++ against Kokkos), cached by content hash.

The cache key covers the compiler (path, size, mtime), flags (so the target), the source and any extra sources
(the timing shims) and a library linked by absolute path (size, mtime: a static Kokkos), so re-checking the same program is a cache hit. Failed builds are cached too,
with their compiler output. The cache lives in ``$CHATHPC_CACHE_DIR`` (default
``~/.cache/chathpc``) under ``harness/builds``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chathpc.errors import ChathpcError
from chathpc.harness.paths import cache_root
from chathpc.harness.sandbox import Limits, run_sandboxed

BUILD_LOG_LIMIT = 16_000  # characters of compiler output kept in a result


@dataclass(frozen=True)
class BuildOutcome:
    """A compiled program (or why it did not compile)."""

    ok: bool
    binary: Path | None
    log: str
    key: str
    cached: bool


def _compiler_identity(cc: str) -> str:
    path = shutil.which(cc)
    if path is None:
        raise ChathpcError(f"compiler '{cc}' not found on PATH (install Open MPI: apt-get install openmpi-bin libopenmpi-dev)")
    stat = os.stat(os.path.realpath(path))
    return f"{os.path.realpath(path)}:{stat.st_size}:{stat.st_mtime_ns}"


def build_key(
    source: str, cc: str, cflags: list[str], ldflags: list[str], extra_sources: dict[str, str],
    source_name: str = "prog.c", headers: dict[str, str] | None = None,
) -> str:
    """Content hash of everything that determines the binary."""
    payload = [_compiler_identity(cc), cflags, ldflags, source, sorted(extra_sources.items())]
    if source_name != "prog.c" or headers:  # C programs of one file keep the keys they always had
        payload += [source_name, sorted((headers or {}).items())]
    libraries = [f for f in ldflags if os.path.isabs(f) and os.path.isfile(f)]  # e.g. a static Kokkos: rebuilt in place, a new key
    if libraries:
        payload += [[f"{f}:{os.stat(f).st_size}:{os.stat(f).st_mtime_ns}" for f in libraries]]
    payload = json.dumps(payload)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _cap(text: str) -> str:
    if len(text) <= BUILD_LOG_LIMIT:
        return text
    return text[:BUILD_LOG_LIMIT] + f"\n[... {len(text) - BUILD_LOG_LIMIT} more characters cut]"


def build(
    source: str,
    *,
    cc: str,
    cflags: list[str],
    ldflags: list[str],
    timeout: float,
    isolation: str,
    limits: Limits,
    extra_sources: dict[str, str] | None = None,
    source_name: str = "prog.c",
    headers: dict[str, str] | None = None,
    read_only_dirs: list[Path] | None = None,
) -> BuildOutcome:
    """Compile ``source`` (saved as ``source_name``, whose suffix tells the compiler its language), plus
    ``extra_sources`` (name -> text), into a cached executable; ``headers`` (relative path -> text) are
    written beside them but not compiled; ``read_only_dirs`` (e.g. a Kokkos install) are visible to the compiler.

    The compiler runs in the sandbox like the program itself: untrusted code must not pull files
    such as keys into its compiler messages through ``#include``.
    """
    extra = extra_sources or {}
    key = build_key(source, cc, cflags, ldflags, extra, source_name, headers)
    final = cache_root() / "builds" / key
    if (final / "status.json").is_file():
        status = json.loads((final / "status.json").read_text())
        binary = final / "prog"
        if not status["ok"] or binary.is_file():
            return BuildOutcome(status["ok"], binary if status["ok"] else None, status["log"], key, True)
        shutil.rmtree(final, ignore_errors=True)  # a damaged entry: build it again
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="chathpc-build-"))
    try:
        scratch.chmod(0o711)
        src = scratch / "src"
        src.mkdir(mode=0o700)
        for name, text in {**(headers or {}), source_name: source, **extra}.items():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_text(text)
        command = [cc, *cflags, source_name, *extra, "-o", "prog", *ldflags]
        outcome = run_sandboxed(command, src, timeout=timeout, limits=limits, isolation=isolation, read_only_dirs=list(read_only_dirs or []))
        ok = outcome.exit_code == 0 and (src / "prog").is_file()
        if outcome.timed_out:  # a slow machine is not the source's fault: never cached
            return BuildOutcome(False, None, f"compilation did not finish within {timeout:g} s", key, False)
        log = _cap(outcome.stdout + outcome.stderr)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=final.parent))
        if ok:
            shutil.copyfile(src / "prog", staging / "prog")
            (staging / "prog").chmod(0o755)
        (staging / "status.json").write_text(json.dumps({"ok": ok, "log": log, "command": command}))
        try:
            os.rename(staging, final)
        except OSError:  # another process finished the same build first: its result is equivalent
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return BuildOutcome(ok, final / "prog" if ok else None, log, key, False)

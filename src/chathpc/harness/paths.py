"""Where the harness keeps its private state: the build cache (binaries, build logs, reference outputs)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The harness cache directory, created on demand readable by its owner only.

    ``CHATHPC_CACHE_DIR`` (else ``$XDG_CACHE_HOME/chathpc``, else ``~/.cache/chathpc``) + ``/harness``.
    Candidates never see it: bwrap hides it, a private uid (as root) cannot enter it, and without
    either no reference output is written into it (see ``harness.check``).
    """
    base = os.environ.get("CHATHPC_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "chathpc"
    )
    path = Path(base) / "harness"
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
        path.chmod(0o700)
    return path

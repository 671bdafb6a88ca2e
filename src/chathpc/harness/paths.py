"""Where chathpc keeps its cache: the harness's private state (build cache: binaries, build logs, reference outputs)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_home() -> Path:
    """chathpc's cache directory (not created): ``CHATHPC_CACHE_DIR``, else ``$XDG_CACHE_HOME/chathpc``, else
    ``~/.cache/chathpc``. The harness keeps its state under ``harness/``, imported base models go under ``models/``."""
    return Path(os.environ.get("CHATHPC_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "chathpc"))


def cache_root() -> Path:
    """The harness cache directory, created on demand readable by its owner only.

    ``CHATHPC_CACHE_DIR`` (else ``$XDG_CACHE_HOME/chathpc``, else ``~/.cache/chathpc``) + ``/harness``.
    Candidates never see it: bwrap hides it, a private uid (as root) cannot enter it, and without
    either no reference output is written into it (see ``harness.check``).
    """
    path = cache_home() / "harness"
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
        path.chmod(0o700)
    return path

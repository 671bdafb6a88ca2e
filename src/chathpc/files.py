"""User files: reading with one-line errors that name the file, a file's SHA-256, the one atomic writer (files and
directories), the --force rule."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from chathpc.errors import ChathpcError


def read_text_file(
    path: str | Path, *, error: type[ChathpcError] = ChathpcError, missing: str = "file not found", allow_empty: bool = True
) -> str:
    """The UTF-8 text of ``path``; problems raise ``error`` as ``PATH[:LINE]: problem``."""
    path = Path(path).expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: {missing}") from None
    except IsADirectoryError:
        raise error(f"{path}: is a directory, expected a file") from None
    except OSError as exc:
        raise error(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
    if not allow_empty and not text.strip():
        raise error(f"{path}: empty file")
    return text


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def os_error_text(exc: OSError) -> str:
    """``PATH: problem`` for a file-system error (``SRC -> DST: problem`` for a rename)."""
    problem = exc.strerror or str(exc)
    if exc.filename is None:
        return problem
    if isinstance(exc, (FileExistsError, NotADirectoryError)) and exc.filename2 is None:
        # mkdir/open through a path whose parent is a file: name the file that is in the way
        for part in [Path(exc.filename), *Path(exc.filename).parents]:
            if part.exists() and not part.is_dir():
                return f"{part}: is a file, expected a directory"
    where = str(exc.filename) + (f" -> {exc.filename2}" if exc.filename2 is not None else "")
    return f"{where}: {problem}"


def refuse_existing(path: str | Path, overwrite: bool, *, error: type[ChathpcError] = ChathpcError, hint: str = "use --force to overwrite") -> None:
    """Raise ``PATH: already exists (HINT)`` when ``path`` exists and ``overwrite`` is false."""
    if not overwrite and Path(path).exists():
        raise error(f"{path}: already exists ({hint})")


def atomic_write_text(path: str | Path, text: str, *, overwrite: bool = True, error: type[ChathpcError] = ChathpcError) -> Path:
    """Write ``text`` so that readers see the old file or the whole new one, never a part.

    The text goes to a temporary file with a unique name beside ``path`` (two writers never share
    one), then takes its place by a rename. With ``overwrite=False`` an existing ``path`` is never
    replaced, not even one that appears while writing. File-system problems raise ``error`` with one line.
    """
    path = Path(path)
    if path.is_dir():
        raise error(f"{path}: is a directory, expected a file")
    refuse_existing(path, overwrite, error=error)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:  # a file where a directory should be, no permission, ...
        raise error(os_error_text(exc)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        if overwrite:
            os.replace(temporary, path)
        else:
            try:
                os.link(temporary, path)  # fails if the file appeared meanwhile: never clobbers
            except FileExistsError:
                raise error(f"{path}: already exists (use --force to overwrite)") from None
    except OSError as exc:
        raise error(os_error_text(exc)) from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


@contextmanager
def publish_directory(out: str | Path, *, error: type[ChathpcError] = ChathpcError) -> Iterator[Path]:
    """A fresh staging directory beside ``out`` to fill in the ``with`` block; when the block succeeds it takes
    ``out``'s place (an existing ``out`` is removed first), so readers never see half a directory. When the
    block raises, the staging directory is removed and ``out`` is left as it was."""
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))  # unique per writer
        staging.chmod(0o755)
    except OSError as exc:
        raise error(os_error_text(exc)) from None
    try:
        yield staging
        if out.exists():
            shutil.rmtree(out)
        staging.replace(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

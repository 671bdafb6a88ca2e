"""Reading user files with one-line errors that name the file."""

from __future__ import annotations

from pathlib import Path

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

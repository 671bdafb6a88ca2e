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

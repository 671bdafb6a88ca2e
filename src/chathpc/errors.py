"""Errors that the CLI reports as one line with exit status 2 (usage, input or environment)."""


class ChathpcError(Exception):
    """A problem with the user's input or environment, reported without a traceback."""


class ConfigError(ChathpcError):
    """An invalid run configuration (file, environment or --set override)."""


class DataError(ChathpcError):
    """An invalid dataset file; the message names the file and the item."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (library errors are often many lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

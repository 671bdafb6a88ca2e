"""The ``chathpc`` command: a thin layer over the Python API, one module per verb.

Each verb module in this package defines ``register(subparsers)``, which adds its parser and
sets ``func`` to a function ``(args) -> int``; an optional ``ORDER`` sorts ``--help``. New verbs
plug in by adding a module; a module without ``register`` is a helper, not a verb (``options``: the options
every verb declares the same way; ``evaluation``: the evaluation verbs' body and what several verbs build
from the options). Errors derived from ``ChathpcError`` print one line and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import traceback

from chathpc import __version__
from chathpc.errors import ChathpcError
from chathpc.files import os_error_text

EXIT_USAGE = 2
EXIT_INTERNAL = 3


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


MAX_ERROR_CHARS = 500


def one_line(message: str, *, full: bool = False) -> str:
    """``message`` as one line: its lines joined with `` | ``, shortened unless ``full`` (``--debug``)."""
    text = " | ".join(line.strip() for line in message.splitlines() if line.strip())
    if not full and len(text) > MAX_ERROR_CHARS:
        text = text[: MAX_ERROR_CHARS - 3].rstrip() + "..."
    return text


def _verb_modules() -> list:
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_") or info.name == "options":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 100), m.__name__))


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every verb registered."""
    parser = OneLineParser(
        prog="chathpc",
        description="Fine-tune, verify by execution, and use AI assistants that parallelize sequential C into MPI.",
        formatter_class=lambda prog: argparse.HelpFormatter(prog, max_help_position=18, width=100),
    )
    parser.add_argument("--version", action="version", version=f"chathpc {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=OneLineParser)
    for module in _verb_modules():
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chathpc`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # the command line, for verbs that re-run it (--submit)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE if args.verb is None and argv != [] else 0
    if not args.debug:
        # huggingface_hub logs every retry of an unreachable hub as warnings; the error that follows is the one line
        logging.getLogger("huggingface_hub.utils._http").setLevel(logging.ERROR)
    try:
        return int(args.func(args) or 0)
    except ChathpcError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"chathpc: error: {one_line(str(exc), full=args.debug)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chathpc: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a path the user gave cannot be read or written: their environment, not a bug
        if args.debug:
            traceback.print_exc()
        print(f"chathpc: error: {one_line(os_error_text(exc), full=args.debug)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback unless --debug
        if args.debug:
            traceback.print_exc()
        print(f"chathpc: internal error: {type(exc).__name__}: {exc} (rerun with --debug for the traceback)", file=sys.stderr)
        return EXIT_INTERNAL

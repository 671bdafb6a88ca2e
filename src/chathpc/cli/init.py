"""``chathpc init [PATH]``: write a commented example run config."""

from __future__ import annotations

import argparse
from pathlib import Path

from chathpc.cli.options import add_force_option
from chathpc.config import example_config_yaml
from chathpc.files import atomic_write_text

ORDER = 91


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("init", help="write a commented example run config with every default")
    parser.add_argument("path", nargs="?", default="chathpc.yaml", help="where to write (default: chathpc.yaml)")
    add_force_option(parser, "an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.path)
    atomic_write_text(path, example_config_yaml(), overwrite=args.force)
    print(f"wrote {path}")
    return 0

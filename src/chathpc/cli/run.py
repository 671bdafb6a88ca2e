"""``chathpc run``: an interactive session with a model (streaming, multi-turn, /file, /check, /save)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chathpc.cli.options import (
    add_config_options,
    add_model_option,
    add_run_arguments,
    add_target_option,
    config_from_args,
    parse_run_arguments,
)

ORDER = 42


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "run",
        help="interactive session: ask, load a C file, check and save the answer",
        description="Chat with a model. Commands: /file seq.c, /sequential seq.c, /check, /save out.c, /context [KIND|TEXT] "
                    "(an assistant kind by name, e.g. openmp-to-kokkos, switches wording, target and check), /reset, /help, /bye. "
                    "Reads stdin when it is not a terminal, so sessions can be scripted (exit 1 if any command failed).",
    )
    add_model_option(parser)
    add_config_options(parser)
    add_target_option(parser)
    add_run_arguments(parser)
    parser.add_argument("--history", metavar="FILE", help="input history file (default for terminals: ~/.chathpc_history)")
    parser.add_argument("--no-history", action="store_true", help="keep no history file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.assist.session import Session, default_history_path, recorded_lines, terminal_lines
    from chathpc.providers import get_provider

    config = config_from_args(args).config
    arg_sets, perf_args = parse_run_arguments(args)
    provider = get_provider(args.model, config)
    session = Session(provider, config, args=arg_sets, perf_args=perf_args)
    interactive = sys.stdin.isatty()
    if args.no_history:
        history = None
    elif args.history:
        history = Path(args.history).expanduser()
    else:
        history = default_history_path() if interactive else None
    if interactive:
        print(f"chathpc run with {provider.name}: ask a question, /file seq.c to load a program, /help for commands")
        return session.run(terminal_lines(history))
    return session.run(recorded_lines(sys.stdin, history))

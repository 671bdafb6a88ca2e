"""Options shared by several verbs."""

from __future__ import annotations

import argparse

from chathpc.config import ResolvedConfig, resolve_config


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``-c FILE`` and repeatable ``--set section.key=value``."""
    parser.add_argument("-c", "--config", metavar="FILE", help="run config (YAML or JSON)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one config value (repeatable; wins over file and CHATHPC_* env)",
    )


def config_from_args(args: argparse.Namespace) -> ResolvedConfig:
    """The resolved config for a verb that took ``add_config_options``."""
    return resolve_config(args.config, args.overrides)

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


def add_bug_hunting_options(parser: argparse.ArgumentParser) -> None:
    """``--explore`` (with ``--explore-budget``, ``--explore-seed``) and ``--sanitize``: harness settings that
    ``config_from_args`` applies to the harness section."""
    parser.add_argument("--explore", action="store_true", default=None,
                        help="after the given runs pass, probe derived sizes and rank counts (up to 8) and shrink a failure (harness.explore)")
    parser.add_argument("--explore-budget", type=float, metavar="SECONDS", help="seconds of exploring per candidate (harness.explore_budget, default 60)")
    parser.add_argument("--explore-seed", type=int, metavar="N", help="seed of the probe order (harness.explore_seed, default 0)")
    parser.add_argument("--sanitize", action="store_true", default=None,
                        help="also run an AddressSanitizer + UBSan build at the given inputs (harness.sanitize)")


def _bug_hunting_overrides(args: argparse.Namespace) -> list[str]:
    overrides = []
    for option, key in (("explore", "explore"), ("explore_budget", "explore_budget"), ("explore_seed", "explore_seed"), ("sanitize", "sanitize")):
        value = getattr(args, option, None)
        if value is not None:
            overrides.append(f"harness.{key}={value}")
    return overrides


def config_from_args(args: argparse.Namespace) -> ResolvedConfig:
    """The resolved config for a verb that took ``add_config_options`` (and ``add_bug_hunting_options``)."""
    return resolve_config(args.config, [*args.overrides, *_bug_hunting_overrides(args)])

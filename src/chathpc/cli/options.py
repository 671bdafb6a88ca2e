"""Single options every verb declares the same way (-m, -o/--out, --force, --resume, --json, --no-progress, --perf, --jobs, ...)."""

from __future__ import annotations

import argparse
import shlex

from chathpc.config import ResolvedConfig, resolve_config
from chathpc.errors import ChathpcError
from chathpc.harness.targets import TARGET_NAMES


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


def add_target_option(parser: argparse.ArgumentParser) -> None:
    """``--target MODEL``: the programming model the verb checks or asks for (``harness.target``)."""
    parser.add_argument("--target", metavar="MODEL",
                        help=f"programming model: {', '.join(TARGET_NAMES)} (harness.target, default mpi)")


def _bug_hunting_overrides(args: argparse.Namespace) -> list[str]:
    overrides = []
    target = getattr(args, "target", None)
    if target is not None:
        if target not in TARGET_NAMES:
            raise ChathpcError(f"--target: unknown target '{target}' (choose from {', '.join(TARGET_NAMES)})")
        overrides.append(f"harness.target={target}")
    for option, key in (("explore", "explore"), ("explore_budget", "explore_budget"), ("explore_seed", "explore_seed"), ("sanitize", "sanitize")):
        value = getattr(args, option, None)
        if value is not None:
            overrides.append(f"harness.{key}={value}")
    return overrides


def config_from_args(args: argparse.Namespace) -> ResolvedConfig:
    """The resolved config for a verb that took ``add_config_options`` (and ``add_bug_hunting_options``,
    ``add_target_option``)."""
    return resolve_config(args.config, [*args.overrides, *_bug_hunting_overrides(args)])


MODEL_SPECS = "hf:PATH_OR_ID, openai:MODEL, reference, sequential"


def add_model_option(parser: argparse.ArgumentParser, *, repeatable: bool = False, help: str | None = None) -> None:
    """``-m/--model SPEC`` (``args.model``), or with ``repeatable`` several of them (``args.models``, a list)."""
    if repeatable:
        parser.add_argument("-m", "--model", dest="models", action="append", default=[], metavar="SPEC",
                            help=help or f"provider spec (repeatable): {MODEL_SPECS}")
    else:
        parser.add_argument("-m", "--model", dest="model", metavar="SPEC",
                            help=help or f"provider spec: {MODEL_SPECS} (default: model.provider/base from the config)")


def add_output_option(parser: argparse.ArgumentParser, what: str, *, metavar: str, default: str | None = None,
                      required: bool = False, alias: str | None = None) -> None:
    """``-o/--out PATH`` (``args.out``; ``--output``, and ``alias`` when given, are accepted as the same option):
    where the verb writes ``what``."""
    shown = f" (default: {default})" if default is not None and "default:" not in what else ""
    names = ["-o", "--out", "--output", *([alias] if alias else [])]
    parser.add_argument(*names, dest="out", metavar=metavar, default=default, required=required, help=f"{what}{shown}")


def add_force_option(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup, what: str) -> None:
    """``--force``: overwrite ``what`` (nothing existing is replaced without it)."""
    parser.add_argument("--force", action="store_true", help=f"overwrite {what}")


def add_resume_force_options(parser: argparse.ArgumentParser, *, resume: str, force: str) -> None:
    """``--resume`` (continue: ``resume``) and ``--force`` (start over: ``force``), mutually exclusive."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true", help=f"continue an interrupted run: {resume}")
    group.add_argument("--force", action="store_true", help=f"start over: {force}")


def add_json_option(parser: argparse.ArgumentParser, what: str = "the result") -> None:
    """``--json``: print ``what`` as JSON instead of text."""
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON")


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """``--no-progress``, also spelled ``-q/--quiet`` (``args.no_progress``): no progress bars or lines."""
    parser.add_argument("--no-progress", "-q", "--quiet", dest="no_progress", action="store_true",
                        help="no progress bars or progress lines on stderr")


def add_perf_option(parser: argparse.ArgumentParser, what: str = "time passing programs at harness.perf_ranks") -> None:
    """``--perf``: also time what passes (``what`` says how)."""
    parser.add_argument("--perf", action="store_true", help=what)


def add_jobs_option(parser: argparse.ArgumentParser,
                    what: str = "checks in parallel (default: schedule.jobs, twice the core count or the allocation's CPUs; "
                                "timing runs stay serialized)") -> None:
    """``--jobs N``: how many checks run at once."""
    parser.add_argument("--jobs", type=int, metavar="N", help=what)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """``--args`` (repeatable argument sets) and ``--perf-args`` for the programs under check."""
    parser.add_argument(
        "--args", dest="arg_sets", action="append", default=[], metavar='"ARGS"',
        help="one argument set, shell-quoted (repeatable: --args 7 --args '37 2'; each set runs at every rank count); "
             "default: no arguments",
    )
    parser.add_argument("--perf-args", metavar='"ARGS"', help="argument set of the timing runs, shell-quoted (default: the last --args)")


def split_arguments(text: str, option: str) -> list[str]:
    """``text`` split like a shell would; a bad quote is one line naming ``option``."""
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise ChathpcError(f"{option} {text!r}: {exc}") from None


def parse_run_arguments(args: argparse.Namespace) -> tuple[list[list[str]] | None, list[str] | None]:
    """The correctness argument sets (None: none given) and the timed argument set from ``add_run_arguments``."""
    sets = [split_arguments(text, "--args") for text in args.arg_sets] or None
    perf = split_arguments(args.perf_args, "--perf-args") if args.perf_args is not None else None
    return sets, perf

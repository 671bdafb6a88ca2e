"""``chathpc check SEQ.c CANDIDATE.c``: prove MPI candidates against their sequential program."""

from __future__ import annotations

import argparse
import json
import math
import shlex

from pydantic import ValidationError

from chathpc.cli.common import add_bug_hunting_options, add_config_options, config_from_args
from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.files import read_text_file

ORDER = 30


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="build, run, compare and time MPI candidates against a sequential program",
        description=(
            "Build SEQ.c and each CANDIDATE.c, run every argument set at every rank count (sandboxed), and compare "
            "the MPI job's stdout with the sequential program's, token by token with numeric tolerance. "
            "Exit status: 0 all verified, 1 a candidate failed, 2 usage or environment error "
            "(including a sequential program that fails to build or run)."
        ),
    )
    parser.add_argument("sequential", metavar="SEQ.c", help="the sequential reference program")
    parser.add_argument("candidates", metavar="CANDIDATE.c", nargs="+", help="MPI program(s) to verify")
    parser.add_argument("--ranks", help="rank counts for correctness runs, e.g. 1,2,3,4 (default: harness.ranks)")
    parser.add_argument(
        "--args", dest="arg_sets", action="append", default=[], metavar='"ARGS"',
        help='one argument set, shell-quoted (repeatable; each set runs at every rank count); default: no arguments',
    )
    parser.add_argument("--timeout", type=float, help="seconds per correctness run (default: harness.timeout)")
    parser.add_argument("--rtol", type=float, help="relative tolerance for numbers (default: harness.rtol)")
    parser.add_argument("--atol", type=float, help="absolute tolerance for numbers (default: harness.atol)")
    parser.add_argument("--perf", action="store_true", help="time passing candidates (sequential vs MPI at harness.perf_ranks)")
    parser.add_argument("--perf-args", metavar='"ARGS"', help="arguments of the timing run (default: the last --args set)")
    parser.add_argument("--jobs", type=int, help="candidates checked in parallel (timing runs stay serialized)")
    parser.add_argument("--keep", action="store_true", help="keep each work dir and print its path")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (a list for several candidates)")
    add_config_options(parser)
    add_bug_hunting_options(parser)
    parser.set_defaults(func=run)


def _split(text: str, option: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError as exc:
        raise ChathpcError(f"{option} {text!r}: {exc}") from None


def harness_config(args: argparse.Namespace) -> HarnessConfig:
    """The harness section of the resolved config with this verb's options applied."""
    values = config_from_args(args).config.harness.model_dump()
    for option, key in (("ranks", "ranks"), ("timeout", "timeout"), ("jobs", "jobs")):
        if getattr(args, option) is not None:
            values[key] = getattr(args, option)
    try:
        return HarnessConfig.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ChathpcError(f"--{err['loc'][0]}: {err['msg']}") from None


def run(args: argparse.Namespace) -> int:
    from chathpc.harness import check_many

    config = harness_config(args)
    for name in ("rtol", "atol"):
        value = getattr(args, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ChathpcError(f"--{name} must be a finite number >= 0, got {value:g}")
    sequential = read_text_file(args.sequential, allow_empty=False)
    candidates = [read_text_file(path, allow_empty=False) for path in args.candidates]
    arg_sets = [_split(text, "--args") for text in args.arg_sets] or None
    perf_args = _split(args.perf_args, "--perf-args") if args.perf_args is not None else None
    results = check_many(
        [(sequential, candidate) for candidate in candidates],
        jobs=config.jobs, args=arg_sets, config=config, perf=args.perf, perf_args=perf_args,
        rtol=args.rtol, atol=args.atol, keep=args.keep,
    )
    if args.json:
        if len(results) == 1:
            print(results[0].model_dump_json(indent=2))
        else:
            payload = [{"candidate": path, "result": r.model_dump(mode="json")} for path, r in zip(args.candidates, results)]
            print(json.dumps(payload, indent=2))
    else:
        for path, result in zip(args.candidates, results):
            print(format_result(path, result))
    return 0 if all(r.passed for r in results) else 1


def format_result(name: str, result) -> str:
    """A check result as readable text: verdict, runs, warnings, timing and profile."""
    lines = [f"{name}: {result.summary()}", f"  isolation: {result.isolation}; rtol {result.rtol:g}, atol {result.atol:g}"]
    if result.runs:
        lines.append(f"  {'args':<16} {'ranks':>5}  {'verdict':<14} {'seconds':>7} {'MiB':>7}  {'run':<9}")
        for run in [*result.runs, *result.probes]:
            shown = " ".join(run.args) or "-"
            memory = f"{run.max_rss_mib:.1f}" if run.max_rss_mib is not None else "-"
            lines.append(f"  {shown:<16} {run.ranks:>5}  {run.verdict.value:<14} {run.seconds:>7.2f} {memory:>7}  {run.role:<9}".rstrip())
    explored = result.explore
    if explored is not None:
        text = (f"  explore (seed {explored.seed}): {explored.tried} of {explored.planned} probes tried in {explored.seconds:.1f} s"
                f" (budget {explored.budget_seconds:g} s{', used up' if explored.budget_exhausted else ''})")
        if explored.rejected:
            text += f"; {len(explored.rejected)} inputs the sequential program rejects skipped"
        if explored.declined:
            text += f"; {len(explored.declined)} refused by the candidate with MPI_Abort"
        lines.append(text)
        if explored.failed_at is not None and explored.shrunk_to is not None:
            first, small = explored.failed_at, explored.shrunk_to
            lines.append(f"  first failing probe: args {' '.join(first.args)} at {first.ranks} ranks; "
                         f"shrunk to args {' '.join(small.args)} at {small.ranks} ranks")
    if result.diagnosis:
        lines.append(f"  diagnosis: {result.diagnosis}")
    lines += [f"  warning: {w}" for w in result.warnings]
    if not result.passed:
        lines += ["  " + line for line in result.feedback().splitlines()[:40]]
    perf = result.perf
    if perf is not None:
        lines.append(f"  timing (args {' '.join(perf.args) or '-'}): sequential {perf.sequential_seconds:.4f} s (median)")
        if perf.timings:
            lines.append(f"  {'ranks':>5} {'seconds':>9} {'speedup':>8} {'efficiency':>10}  {'p2p msgs':>9} {'p2p bytes':>11} {'coll calls':>10} {'coll bytes':>11}  (max over ranks)  MiB per rank")
        for t in perf.timings:
            comm = t.comm or []
            top = [max((getattr(c, f) for c in comm), default=0) for f in ("p2p_messages", "p2p_bytes", "collective_calls", "collective_bytes")]
            memory = " ".join(f"{m:.0f}" for m in t.rss_mib) or "-"
            lines.append(f"  {t.ranks:>5} {t.seconds:>9.4f} {t.speedup:>7.2f}x {t.efficiency:>10.2f}  {top[0]:>9} {top[1]:>11} {top[2]:>10} {top[3]:>11}  {memory}")
        if perf.sequential_rss_mib is not None:
            lines.append(f"  sequential peak memory: {perf.sequential_rss_mib:.0f} MiB")
        if perf.error:
            lines.append(f"  timing error: {perf.error}")
        lines += [f"  flag: {flag}" for flag in perf.flags]
    if result.work_dir:
        lines.append(f"  work dir kept: {result.work_dir}")
    return "\n".join(lines)

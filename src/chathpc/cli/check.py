"""``chathpc check SEQ CANDIDATE``: prove MPI candidates (C, C++ or Fortran) against their sequential program."""

from __future__ import annotations

import argparse
import json
import math

from chathpc.cli.options import (
    add_bug_hunting_options,
    add_config_options,
    add_jobs_option,
    add_json_option,
    add_perf_option,
    add_run_arguments,
    add_target_option,
    config_from_args,
    parse_run_arguments,
)
from chathpc.cli.evaluation import harness_config
from chathpc.errors import ChathpcError
from chathpc.files import read_text_file

ORDER = 30


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "check",
        help="build, run, compare and time MPI candidates against a sequential program",
        description=(
            "Build SEQ and each CANDIDATE (C, C++ or Fortran), run every argument set at every rank count (sandboxed), and compare "
            "the MPI job's stdout with the sequential program's, token by token with numeric tolerance. "
            "Exit status: 0 all verified, 1 a candidate failed, 2 usage or environment error "
            "(including a sequential program that fails to build or run)."
        ),
    )
    parser.add_argument("sequential", metavar="SEQ", help="the sequential reference program (.c, .cc/.cpp/.cxx, .f90/.F90/.f)")
    parser.add_argument("candidates", metavar="CANDIDATE", nargs="+", help="MPI program(s) to verify, in the same language")
    parser.add_argument("--ranks", help="rank counts for correctness runs, e.g. 1,2,3,4 (default: harness.ranks)")
    add_run_arguments(parser)
    parser.add_argument("--timeout", type=float, help="seconds per correctness run (default: harness.timeout)")
    parser.add_argument("--rtol", type=float, help="relative tolerance for numbers (default: harness.rtol)")
    parser.add_argument("--atol", type=float, help="absolute tolerance for numbers (default: harness.atol)")
    add_perf_option(parser, "time passing candidates (sequential vs MPI at harness.perf_ranks)")
    add_jobs_option(parser)
    parser.add_argument("--keep", action="store_true", help="keep each work dir and print its path")
    add_json_option(parser, "the result (a list for several candidates)")
    add_program_options(parser)
    add_config_options(parser)
    add_target_option(parser)
    add_bug_hunting_options(parser)
    parser.set_defaults(func=run)


def add_program_options(parser: argparse.ArgumentParser) -> None:
    """Language, extra sources, include dirs, defines, output filters and the time pattern."""
    from chathpc.harness.languages import LANGUAGE_NAMES

    parser.add_argument("--language", choices=LANGUAGE_NAMES,
                        help="c, cxx or fortran (default: from the file extensions: .c; .cc .cpp .cxx; .f90 .F90 .f .F)")
    parser.add_argument("--source", dest="sources", action="append", default=[], metavar="FILE",
                        help="extra source file built into both programs (repeatable)")
    parser.add_argument("-I", dest="include_dirs", action="append", default=[], metavar="DIR",
                        help="include directory for both programs (repeatable; its headers are part of the build key)")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VAL]", help="preprocessor define (repeatable)")
    parser.add_argument("--ignore-lines", action="append", default=[], metavar="REGEX",
                        help="leave output lines matching REGEX out of the comparison, on both sides (repeatable)")
    parser.add_argument("--compare-lines", action="append", default=[], metavar="REGEX",
                        help="compare only output lines matching REGEX (repeatable); output filtered to nothing on both sides fails")
    parser.add_argument("--time-pattern", metavar="REGEX",
                        help="with --perf, time both programs by the seconds they print: REGEX with one group, e.g. 'Time: (\\S+)'")


def program_options_from_args(args: argparse.Namespace, files: list[str]):
    """``ProgramOptions`` from ``add_program_options``' options; the language from --language or ``files``' extensions."""
    from chathpc.harness.languages import language_for_files, language_for_path
    from chathpc.harness.program import program_options

    language = language_for_files(files, args.language)
    suffixes = {p.rsplit(".", 1)[-1] for p in files if language_for_path(p) == language}
    return program_options(
        language=language.name, suffix="." + suffixes.pop() if len(suffixes) == 1 else None, sources=args.sources,
        include_dirs=args.include_dirs, defines=args.defines, ignore_lines=args.ignore_lines,
        compare_lines=args.compare_lines, time_pattern=args.time_pattern,
    )


def run(args: argparse.Namespace) -> int:
    from chathpc.harness.targets import get_target
    from chathpc.schedule import check_many

    config = harness_config(args)
    for name in ("rtol", "atol"):
        value = getattr(args, name)
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ChathpcError(f"--{name} must be a finite number >= 0, got {value:g}")
    # a target with a language of its own (kokkos: C++) takes the language from the sequential program alone
    fixed = get_target(config.target).candidate_language is not None
    options = program_options_from_args(args, [args.sequential] if fixed else [args.sequential, *args.candidates])
    sequential = read_text_file(args.sequential, allow_empty=False)
    candidates = [read_text_file(path, allow_empty=False) for path in args.candidates]
    arg_sets, perf_args = parse_run_arguments(args)
    results = check_many(
        [(sequential, candidate) for candidate in candidates],
        jobs=args.jobs, schedule=config_from_args(args).config.schedule, args=arg_sets, config=config, perf=args.perf,
        perf_args=perf_args, rtol=args.rtol, atol=args.atol, keep=args.keep, options=options,
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
            where = str(run.ranks) if run.threads is None else f"{run.ranks}x{run.threads}"
            lines.append(f"  {shown:<16} {where:>5}  {run.verdict.value:<14} {run.seconds:>7.2f} {memory:>7}  {run.role:<9}".rstrip())
    explored = result.explore
    if explored is not None:
        text = (f"  explore (seed {explored.seed}): {explored.tried} of {explored.planned} probes tried in {explored.seconds:.1f} s"
                f" (budget {explored.budget_seconds:g} s{', used up' if explored.budget_exhausted else ''})")
        if explored.rejected:
            text += f"; {len(explored.rejected)} inputs the sequential program rejects skipped"
        if explored.declined:
            text += f"; {len(explored.declined)} refused by the candidate below 4 x ranks (a rank-count precondition)"
        lines.append(text)
        if explored.failed_at is not None and explored.shrunk_to is not None:
            first, small = explored.failed_at, explored.shrunk_to
            mpi = result.target not in ("openmp", "kokkos")
            lines.append(f"  first failing probe: args {' '.join(first.args)} at {first.configuration(mpi)}; "
                         f"shrunk to args {' '.join(small.args)} at {small.configuration(mpi)}")
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
            where = str(t.ranks) if t.threads is None else f"{t.ranks}x{t.threads}"
            lines.append(f"  {where:>5} {t.seconds:>9.4f} {t.speedup:>7.2f}x {t.efficiency:>10.2f}  {top[0]:>9} {top[1]:>11} {top[2]:>10} {top[3]:>11}  {memory}")
        if perf.sequential_rss_mib is not None:
            lines.append(f"  sequential peak memory: {perf.sequential_rss_mib:.0f} MiB")
        if perf.error:
            lines.append(f"  timing error: {perf.error}")
        lines += [f"  flag: {flag}" for flag in perf.flags]
    if result.work_dir:
        lines.append(f"  work dir kept: {result.work_dir}")
    return "\n".join(lines)

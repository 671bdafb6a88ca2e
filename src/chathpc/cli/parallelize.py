"""``chathpc parallelize seq.c -o mpi.c [--kind K]``: code (MPI, or of an assistant kind) that passed verification, or an honest report why not."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chathpc.cli.options import (
    add_bug_hunting_options,
    add_config_options,
    add_force_option,
    add_json_option,
    add_model_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    add_run_arguments,
    add_target_option,
    config_from_args,
    parse_run_arguments,
)
from chathpc.errors import ChathpcError
from chathpc.files import read_text_file, refuse_existing
from chathpc.tasks.kinds import KIND_NAMES, get_kind

ORDER = 40


def read_source(path: str) -> str:
    """A C source file (``-`` for stdin) with one-line errors."""
    if path == "-":
        return sys.stdin.read()
    return read_text_file(path, allow_empty=False)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "parallelize",
        help="turn a sequential C file into verified MPI code (generate, check, repair); --kind: OpenMP, Kokkos, hybrid, port, optimize",
        description="Generate MPI candidates for a sequential C program (--kind: the answers of another assistant kind, e.g. "
                    "openmp-to-kokkos or optimize-mpi), check each by compiling and running it at "
                    "several rank counts, repair failures with the harness feedback, and write the best passing "
                    "candidate. Exit 0 when one passed, 1 when none did (nothing is written then).",
    )
    parser.add_argument("source", metavar="SEQ.c", help="sequential C program (- for stdin); with a --kind whose input is "
                                                        "a parallel program, that program (an OpenMP or MPI solution, a slow program)")
    add_output_option(parser, "where to write the verified program (default: print it)", metavar="MPI.c")
    parser.add_argument("--kind", metavar="KIND", help=f"assistant kind: {', '.join(KIND_NAMES)} (default: translation to --target)")
    parser.add_argument("--sequential", metavar="SEQ.c", help="the sequential program answers are checked against (needed by the "
                                                              "portability and optimization kinds, whose input is not sequential)")
    add_model_option(parser)
    add_config_options(parser)
    add_target_option(parser)
    add_bug_hunting_options(parser)
    parser.add_argument("-n", "--samples", type=int, metavar="N", help="candidates to generate (default: generation.samples)")
    parser.add_argument("--repair", type=int, default=0, metavar="K", help="repair rounds when no candidate passes (default 0)")
    add_run_arguments(parser)
    add_perf_option(parser, "time passing candidates and keep the fastest at the largest timed rank count")
    add_force_option(parser, "an existing -o file when a candidate passes")
    add_json_option(parser, "the full result (instead of the report)")
    add_progress_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.assist.parallelize import Candidate, parallelize
    from chathpc.providers import get_provider

    if args.samples is not None and args.samples < 1:
        raise ChathpcError("--samples must be at least 1")
    if args.repair < 0:
        raise ChathpcError("--repair must be 0 or more")
    source = read_source(args.source)
    kind = get_kind(args.kind) if args.kind is not None else None
    if kind is not None and kind.input != "sequential" and args.sequential is None:
        raise ChathpcError(f"--kind {kind.name}: give the sequential program the answers are checked against with --sequential SEQ.c")
    if kind is not None and args.target is not None and args.target != kind.target:
        raise ChathpcError(f"--kind {kind.name} writes {kind.target} programs; --target {args.target} contradicts it")
    sequential = read_text_file(args.sequential, allow_empty=False) if args.sequential is not None else source
    program = source if args.sequential is not None else None
    if args.out and Path(args.out).is_dir():
        raise ChathpcError(f"{args.out}: is a directory, expected a file")
    if args.out:
        refuse_existing(args.out, args.force)
    arg_sets, perf_args = parse_run_arguments(args)
    config = config_from_args(args).config
    provider = get_provider(args.model, config)
    if (args.samples or config.generation.samples) > 1 and config.generation.temperature == 0 and not args.no_progress:
        print("note: generation.temperature is 0 (greedy), so the samples are identical; "
              "--set generation.temperature=0.8 for diverse candidates", file=sys.stderr)

    def progress(candidate: Candidate) -> None:
        if not args.no_progress:
            print(f"round {candidate.round} candidate {candidate.sample}: {candidate.check.summary()}", file=sys.stderr, flush=True)

    result = parallelize(
        sequential, provider, config,
        samples=args.samples, repair_rounds=args.repair, args=arg_sets, perf=args.perf, perf_args=perf_args,
        output=args.out, overwrite=args.force, on_candidate=progress, kind=args.kind, program=program,
    )
    report_stream = sys.stdout if args.out else sys.stderr
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2), file=report_stream)
    else:
        print(result.report(), file=report_stream)
    best = result.best_candidate()
    if best is not None and not args.out and best.code is not None:
        sys.stdout.write(best.code)
    return 0 if result.passed else 1

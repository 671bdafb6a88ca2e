"""``chathpc parallelize seq.c -o mpi.c``: MPI code that passed verification, or an honest report why not."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from chathpc.cli.common import add_bug_hunting_options, add_config_options, config_from_args
from chathpc.errors import ChathpcError
from chathpc.files import read_text_file, refuse_existing

ORDER = 40


def add_model_option(parser: argparse.ArgumentParser) -> None:
    """``-m/--model PROVIDER[:NAME]``."""
    parser.add_argument(
        "-m", "--model", metavar="SPEC",
        help="provider spec: hf:PATH_OR_ID, openai:MODEL, reference, sequential (default: model.provider/base from the config)",
    )


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """``--args`` (repeatable argument sets) and ``--perf-args`` for the programs under check."""
    parser.add_argument(
        "--args", dest="arg_sets", action="append", metavar="ARGS",
        help="one argument set for the correctness runs, quoted (repeatable: --args 7 --args '37 2'; default: no arguments)",
    )
    parser.add_argument("--perf-args", metavar="ARGS", help="argument set of the timed runs, quoted (default: the last --args)")


def parse_run_arguments(args: argparse.Namespace) -> tuple[list[list[str]] | None, list[str] | None]:
    """The correctness argument sets and the timed argument set from ``--args``/``--perf-args``."""
    def split(text: str, option: str) -> list[str]:
        try:
            return shlex.split(text)
        except ValueError as exc:
            raise ChathpcError(f"{option} {text!r}: {exc}") from None

    sets = [split(text, "--args") for text in args.arg_sets] if args.arg_sets else None
    perf = split(args.perf_args, "--perf-args") if args.perf_args is not None else None
    return sets, perf


def read_source(path: str) -> str:
    """A C source file (``-`` for stdin) with one-line errors."""
    if path == "-":
        return sys.stdin.read()
    return read_text_file(path, allow_empty=False)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "parallelize",
        help="turn a sequential C file into verified MPI code (generate, check, repair)",
        description="Generate MPI candidates for a sequential C program, check each by compiling and running it at "
                    "several rank counts, repair failures with the harness feedback, and write the best passing "
                    "candidate. Exit 0 when one passed, 1 when none did (nothing is written then).",
    )
    parser.add_argument("source", metavar="SEQ.c", help="sequential C program (- for stdin)")
    parser.add_argument("-o", "--output", metavar="MPI.c", help="where to write the verified program (default: print it)")
    add_model_option(parser)
    add_config_options(parser)
    add_bug_hunting_options(parser)
    parser.add_argument("-n", "--samples", type=int, metavar="N", help="candidates to generate (default: generation.samples)")
    parser.add_argument("--repair", type=int, default=0, metavar="K", help="repair rounds when no candidate passes (default 0)")
    add_run_arguments(parser)
    parser.add_argument("--perf", action="store_true", help="time passing candidates and keep the fastest at the largest timed rank count")
    parser.add_argument("--force", action="store_true", help="replace an existing -o file when a candidate passes")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON instead of the report")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.assist.parallelize import Candidate, parallelize
    from chathpc.providers import get_provider

    if args.samples is not None and args.samples < 1:
        raise ChathpcError("--samples must be at least 1")
    if args.repair < 0:
        raise ChathpcError("--repair must be 0 or more")
    source = read_source(args.source)
    if args.output and Path(args.output).is_dir():
        raise ChathpcError(f"{args.output}: is a directory, expected a file")
    if args.output:
        refuse_existing(args.output, args.force)
    arg_sets, perf_args = parse_run_arguments(args)
    config = config_from_args(args).config
    provider = get_provider(args.model, config)
    if (args.samples or config.generation.samples) > 1 and config.generation.temperature == 0 and not args.quiet:
        print("note: generation.temperature is 0 (greedy), so the samples are identical; "
              "--set generation.temperature=0.8 for diverse candidates", file=sys.stderr)

    def progress(candidate: Candidate) -> None:
        if not args.quiet:
            print(f"round {candidate.round} candidate {candidate.sample}: {candidate.check.summary()}", file=sys.stderr, flush=True)

    result = parallelize(
        source, provider, config,
        samples=args.samples, repair_rounds=args.repair, args=arg_sets, perf=args.perf, perf_args=perf_args,
        output=args.output, overwrite=args.force, on_candidate=progress,
    )
    report_stream = sys.stdout if args.output else sys.stderr
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2), file=report_stream)
    else:
        print(result.report(), file=report_stream)
    best = result.best_candidate()
    if best is not None and not args.output and best.code is not None:
        sys.stdout.write(best.code)
    return 0 if result.passed else 1

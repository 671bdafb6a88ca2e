"""``chathpc synth``: verified sequential -> MPI training pairs from kernel families; ``--repair-from``: repair turns."""

from __future__ import annotations

import argparse
import json
import sys

from chathpc.cli.options import (
    add_config_options,
    add_jobs_option,
    add_json_option,
    add_output_option,
    add_progress_option,
    add_resume_force_options,
    config_from_args,
)
from chathpc.errors import ChathpcError

ORDER = 21


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "synth",
        help="generate verified sequential -> MPI training pairs (and repair turns from their mutants)",
        description=(
            "Generate sequential C programs and their MPI translations from randomized kernel families, refuse "
            "duplicates and programs whose computation is a test-split task's, check the rest with the harness "
            "at harness.ranks on sizes that do not divide evenly, and write DIR/dataset.jsonl (what train reads), "
            "DIR/stats.md|json and DIR/decontamination.md|json. The same --seed gives the same dataset. "
            "With --repair-from DATASET: mutate each verified MPI program with MPI bug classes, keep the mutants the "
            "harness fails, and write them as parallelize --repair turns (answer: the verified program) to DIR/dataset.jsonl."
        ),
    )
    add_output_option(parser, "output directory", metavar="DIR")
    parser.add_argument("--count", type=int, default=100, metavar="N", help="verified pairs to generate (default 100)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--families", metavar="A,B|list",
                        help="comma-separated kernel families (default: all); 'list' prints them and exits")
    parser.add_argument("--explore-rate", type=float, default=0.1, metavar="R",
                        help="share of candidates also checked with --explore (derived sizes and rank counts; default 0.1)")
    parser.add_argument("--sizes", type=int, default=2, choices=(1, 2),
                        help="check sizes per candidate, each run at every rank count (default 2; 1 halves the checking time)")
    parser.add_argument("--threshold", type=float, metavar="T",
                        help="kernel similarity to a test-split task that refuses a candidate (default 0.85, see docs/synth.md)")
    parser.add_argument("--repair-from", metavar="DATASET",
                        help="make repair turns from the verified programs of DATASET instead of generating pairs")
    parser.add_argument("--per-pair", type=int, default=2, metavar="K", help="with --repair-from: bug classes tried per program (default 2)")
    parser.add_argument("--bug-classes", metavar="A,B|list", help="with --repair-from: comma-separated bug classes (default: all); 'list' prints them")
    add_jobs_option(parser)
    add_config_options(parser)
    add_resume_force_options(parser, resume="continue from DIR/checked.jsonl", force="replace DIR's outputs")
    add_json_option(parser, "the stats")
    add_progress_option(parser)
    parser.set_defaults(func=run)


def _names(text: str | None) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] if text else None


def run(args: argparse.Namespace) -> int:
    from chathpc.synth.families import FAMILIES
    from chathpc.synth.mutations import MUTATIONS

    if args.families == "list":
        for family in FAMILIES.values():
            print(f"{family.name:<10}  {family.description}")
        return 0
    if args.bug_classes == "list":
        for name, mutation in MUTATIONS.items():
            print(f"{name:<18}  {' '.join((mutation.__doc__ or '').split())}")
        return 0
    if not args.out:
        raise ChathpcError("synth: -o DIR is required")
    if args.jobs is not None and args.jobs < 1:
        raise ChathpcError("--jobs must be at least 1")
    config = config_from_args(args).config

    def progress(text: str) -> None:
        if not args.no_progress:
            print(f"synth: {text}", file=sys.stderr)

    if args.repair_from:
        from chathpc.synth.repair import make_repairs

        if args.resume:
            raise ChathpcError("--resume applies to generation, not to --repair-from")
        stats = make_repairs(args.repair_from, args.out, per_pair=args.per_pair, seed=args.seed, classes=_names(args.bug_classes),
                             harness=config.harness, schedule=config.schedule, jobs=args.jobs, force=args.force, progress=progress)
        print(json.dumps(stats, indent=2) if args.json else
              f"{stats['kept']} repair turns from {stats['programs']} programs ({stats['mutants']} mutants) -> {args.out}/dataset.jsonl")
        return 0

    from pydantic import ValidationError

    from chathpc.synth.engine import SynthOptions, check_family_names, synthesize

    values = {"count": args.count, "seed": args.seed, "explore_rate": args.explore_rate, "sizes": args.sizes}
    if args.families:
        values["families"] = check_family_names(_names(args.families) or [])
    if args.threshold is not None:
        values["threshold"] = args.threshold
    try:
        options = SynthOptions(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ChathpcError(f"--{str(err['loc'][0]).replace('_', '-')}: {err['msg']}") from None
    stats = synthesize(args.out, options, harness=config.harness, schedule=config.schedule, jobs=args.jobs,
                       resume=args.resume, force=args.force, progress=progress)
    print(json.dumps(stats, indent=2) if args.json else
          f"{stats['kept']} verified pairs from {stats['candidates']} candidates -> {args.out}/dataset.jsonl "
          f"(stats.md, decontamination.md beside it)")
    return 0

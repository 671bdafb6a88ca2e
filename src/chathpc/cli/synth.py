"""``chathpc synth``: verified training pairs from kernel families (sequential -> ``--target``, or ``--port``
SOURCE-to-TARGET portability pairs); ``--repair-from``: repair turns."""

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
    add_target_option,
    config_from_args,
)
from chathpc.errors import ChathpcError

ORDER = 21


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "synth",
        help="generate verified training pairs: sequential -> MPI/OpenMP/Kokkos/hybrid, ports, repair turns",
        description=(
            "Generate sequential C programs and their translations to --target (mpi by default; openmp, kokkos, hybrid) "
            "from randomized kernel families, refuse duplicates and programs whose computation is a test-split task's, "
            "check the rest with the harness at the target's configurations on sizes that do not divide evenly, and "
            "write DIR/dataset.jsonl (what train reads), "
            "DIR/stats.md|json and DIR/decontamination.md|json. The same --seed gives the same dataset. "
            "With --port SOURCE-to-TARGET (openmp-to-kokkos, mpi-to-hybrid): portability pairs, the SOURCE program in the "
            "question and the TARGET program in the answer, both verified. "
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
    add_target_option(parser)
    parser.add_argument("--port", metavar="SOURCE-to-TARGET",
                        help="portability pairs from the same kernels: openmp-to-kokkos or mpi-to-hybrid (any two of mpi, "
                             "openmp, kokkos, hybrid); the answer's target is TARGET")
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

        if args.port or config.harness.target != "mpi":
            raise ChathpcError("--repair-from makes MPI repair turns: it takes no --port and no --target but mpi")

        if args.resume:
            raise ChathpcError("--resume applies to generation, not to --repair-from")
        stats = make_repairs(args.repair_from, args.out, per_pair=args.per_pair, seed=args.seed, classes=_names(args.bug_classes),
                             harness=config.harness, schedule=config.schedule, jobs=args.jobs, force=args.force, progress=progress)
        print(json.dumps(stats, indent=2) if args.json else
              f"{stats['kept']} repair turns from {stats['programs']} programs ({stats['mutants']} mutants) -> {args.out}/dataset.jsonl")
        return 0

    from pydantic import ValidationError

    from chathpc.synth.engine import SynthOptions, check_family_names, synthesize

    target, source = config.harness.target, None
    if args.port:
        source, _, target = args.port.partition("-to-")
        names = ("mpi", "openmp", "kokkos", "hybrid")
        if source not in names or target not in names or source == target:
            raise ChathpcError(f"--port: expected SOURCE-to-TARGET, two of {', '.join(names)} (e.g. openmp-to-kokkos), got '{args.port}'")
        if args.target is not None and args.target != target:
            raise ChathpcError(f"--port {args.port} answers in {target}, but --target is {args.target}")
    values = {"count": args.count, "seed": args.seed, "explore_rate": args.explore_rate, "sizes": args.sizes,
              "target": target, "source": source}
    if args.families:
        values["families"] = check_family_names(_names(args.families) or [], (target, *((source,) if source else ())))
    if args.threshold is not None:
        values["threshold"] = args.threshold
    try:
        options = SynthOptions(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = f"--{str(err['loc'][0]).replace('_', '-')}: " if err["loc"] else ("--port: " if args.port else "")
        raise ChathpcError(f"{where}{err['msg']}") from None
    stats = synthesize(args.out, options, harness=config.harness, schedule=config.schedule, jobs=args.jobs,
                       resume=args.resume, force=args.force, progress=progress)
    print(json.dumps(stats, indent=2) if args.json else
          f"{stats['kept']} verified {stats['assistant_kind']} pairs from {stats['candidates']} candidates -> {args.out}/dataset.jsonl "
          f"(stats.md, decontamination.md beside it)")
    return 0

"""``chathpc bench``: run the harness over the task suite (references, variants) and report."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from chathpc.cli.options import (
    add_bug_hunting_options,
    add_config_options,
    add_force_option,
    add_jobs_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    add_target_option,
    config_from_args,
)
from chathpc.errors import ChathpcError
from chathpc.tasks.loader import DOMAINS, SPLITS, load_suite

ORDER = 35


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "bench",
        help="verify (and time) the task suite's expert solutions and variants",
        description=(
            "Check every selected solution of the task suite with the harness at harness.ranks on each task's "
            "correctness arguments; with --perf also time it at harness.perf_ranks on the task's timing arguments. "
            "Writes bench.json, bench.csv and bench.md to the results directory. Exit status: 0 all reference "
            "solutions pass, 1 a reference solution fails (a broken task), 2 usage or environment error."
        ),
    )
    parser.add_argument("--split", choices=[*SPLITS, "all"], default="all", help="task split (default: all)")
    parser.add_argument("--domain", choices=DOMAINS, help="only this domain")
    parser.add_argument("--task", dest="task_ids", action="append", metavar="ID", help="only this task (repeatable)")
    parser.add_argument(
        "--solutions", choices=["reference", "variants", "all"], default="reference",
        help="reference (mpi.c), variants (variants/*.c) or all (default: reference)",
    )
    parser.add_argument("--tasks", "--suite", dest="suite", metavar="DIR",
                        help="another task directory (<domain>/<id>/ folders; default: the built-in suite)")
    add_perf_option(parser, "time passing solutions: speedup, efficiency, bytes sent")
    add_jobs_option(parser)
    add_output_option(parser, "results directory (default: results/bench-<UTC time>)", metavar="DIR")
    add_force_option(parser, "bench.* files already in --out")
    add_progress_option(parser)
    add_config_options(parser)
    add_target_option(parser)
    add_bug_hunting_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from chathpc.report.bench import report_paths, report_text, write_bench_report
    from chathpc.tasks.bench import run_bench, select_solutions

    resolved = config_from_args(args).config
    config = resolved.harness
    out = Path(args.out) if args.out else Path("results") / f"bench-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    if args.jobs is not None and args.jobs < 1:
        raise ChathpcError("--jobs must be at least 1")
    report_paths(out, overwrite=args.force)
    split = None if args.split == "all" else args.split
    selected = [t for t in load_suite(split=split, domain=args.domain, root=args.suite) if not args.task_ids or t.id in args.task_ids]
    total = len(select_solutions(selected, args.solutions, config.target)) * (2 if args.perf else 1)
    bar = tqdm(total=total, desc="bench", unit="check", file=sys.stderr, disable=args.no_progress, dynamic_ncols=True)

    def advance(row) -> None:
        bar.set_postfix_str(f"{row.task}/{row.solution} {row.verdict}", refresh=False)
        bar.update(1)

    try:
        report = run_bench(
            split, args.domain, solutions=args.solutions, perf=args.perf, config=config,
            task_ids=args.task_ids, jobs=args.jobs, progress=advance, root=args.suite,
            schedule=resolved.schedule,
        )
    finally:
        bar.close()
    paths = write_bench_report(report, out, overwrite=args.force)
    print(report_text(report))
    if report.skipped_tasks:
        print(f"{len(report.skipped_tasks)} of {len(report.skipped_tasks) + len({r.task for r in report.rows})} tasks have no "
              f"{report.target} solution: skipped")
    print(f"wrote {', '.join(str(p) for p in paths)}")
    return 1 if report.reference_failures() else 0

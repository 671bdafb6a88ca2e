"""``chathpc compare``: several models or baselines on the same items; Markdown, CSV, JSON and plots."""

from __future__ import annotations

import argparse

from chathpc.cli.options import (
    add_bug_hunting_options,
    add_config_options,
    add_model_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    add_resume_force_options,
    add_target_option,
    config_from_args,
)
from chathpc.cli.evaluation import add_ks_option, pass_at_ks

ORDER = 52


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compare", help="compare models and baselines by execution: report.md/csv/json and plots",
                            description="Run each --model on the same items and settings (or read existing --results files) "
                                        "and write report.md, report.csv, report.json, correctness.png and speedup.png.")
    add_config_options(parser)
    add_target_option(parser)
    add_model_option(parser, repeatable=True)
    add_bug_hunting_options(parser)
    parser.add_argument("-r", "--results", action="append", default=[], metavar="FILE",
                        help="existing results file to include (repeatable; e.g. from chathpc test)")
    parser.add_argument("--data", metavar="FILE|SPLIT", help="dataset file or split (default: data.test_file or the test split)")
    add_output_option(parser, "output directory", metavar="DIR", default="compare")
    add_ks_option(parser)
    add_perf_option(parser, "time passing programs (speedup tables and plot)")
    add_resume_force_options(parser, resume="finish the runs in OUT/results/ and rewrite the report",
                             force="replace OUT/results/ files and the report")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    parser.add_argument("--tasks", metavar="DIR", help="a task directory in the suite format: its tasks are the items "
                                                       "(unless --data is given) and the tasks that items name")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots (no matplotlib needed)")
    add_progress_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.errors import ChathpcError
    from chathpc.evaluate.compare import load_comparison, run_comparison
    from chathpc.evaluate.runner import dataset_records
    from chathpc.report import check_report_dir, write_report

    if not args.models and not args.results:
        raise ChathpcError("nothing to compare: give --model SPEC and/or --results FILE (at least one)")
    ks = pass_at_ks(args.ks)
    if args.limit is not None and args.limit < 1:
        raise ChathpcError("--limit must be at least 1")
    overwrite = args.force or args.resume
    check_report_dir(args.out, plots=not args.no_plots, overwrite=overwrite)
    if args.models:
        config = config_from_args(args).config
        pass_at_ks(ks, config.generation.samples)
        records = dataset_records(args.data, config, "test", args.tasks)[: args.limit]
        comparison = run_comparison(records, config, args.models, args.out, perf=args.perf, resume=args.resume,
                                    force=args.force, ks=ks, extra_results=args.results, progress=not args.no_progress,
                                    tasks_root=args.tasks)
    else:
        comparison = load_comparison(args.results, ks)
    files = write_report(comparison, args.out, plots=not args.no_plots, overwrite=overwrite)
    for provider in comparison.providers:
        overall = comparison.summaries[provider].overall
        rate = overall.pass_at.get(ks[0])
        shown = f"{100 * rate.value:.1f}%" if rate else "-"
        print(f"{provider}: pass@{ks[0]} {shown} over {overall.items} items")
    for name, path in files.items():
        print(f"wrote {name}: {path}")
    return 0

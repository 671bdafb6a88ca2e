"""``chathpc compare``: several models or baselines on the same items; Markdown, CSV, JSON and plots."""

from __future__ import annotations

import argparse

from chathpc.cli.common import add_bug_hunting_options, add_config_options, config_from_args

ORDER = 52


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("compare", help="compare models and baselines by execution: report.md/csv/json and plots",
                            description="Run each --model on the same items and settings (or read existing --results files) "
                                        "and write report.md, report.csv, report.json, correctness.png and speedup.png.")
    add_config_options(parser)
    add_bug_hunting_options(parser)
    parser.add_argument("-m", "--model", dest="models", action="append", default=[], metavar="SPEC",
                        help="provider spec to run (repeatable): hf:PATH, openai:MODEL, reference, sequential")
    parser.add_argument("-r", "--results", action="append", default=[], metavar="FILE",
                        help="existing results file to include (repeatable; e.g. from chathpc test)")
    parser.add_argument("--data", metavar="FILE|SPLIT", help="dataset file or split (default: data.test_file or the test split)")
    parser.add_argument("-o", "--out", default="compare", metavar="DIR", help="output directory (default: compare)")
    parser.add_argument("-k", dest="ks", type=int, action="append", metavar="K", help="k for pass@k (repeatable; default 1)")
    parser.add_argument("--perf", action="store_true", help="time passing programs (speedup tables and plot)")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--resume", action="store_true", help="continue interrupted runs in OUT/results/ (and rewrite the report)")
    existing.add_argument("--force", action="store_true", help="start the runs over, replacing OUT/results/ files and the report")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    parser.add_argument("--no-plots", action="store_true", help="skip the PNG plots (no matplotlib needed)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.errors import ChathpcError
    from chathpc.evaluate.compare import load_comparison, run_comparison
    from chathpc.evaluate.runner import dataset_records
    from chathpc.report import check_report_dir, write_report

    if not args.models and not args.results:
        raise ChathpcError("nothing to compare: give --model SPEC and/or --results FILE (at least one)")
    ks = sorted(set(args.ks or [1]))
    if ks[0] < 1:
        raise ChathpcError("-k must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise ChathpcError("--limit must be at least 1")
    overwrite = args.force or args.resume
    check_report_dir(args.out, plots=not args.no_plots, overwrite=overwrite)
    if args.models:
        config = config_from_args(args).config
        n = config.generation.samples
        if ks[-1] > n:
            raise ChathpcError(f"-k must be between 1 and the samples per item ({n})")
        records = dataset_records(args.data, config, "test")[: args.limit]
        comparison = run_comparison(records, config, args.models, args.out, perf=args.perf, resume=args.resume,
                                    force=args.force, ks=ks, extra_results=args.results, progress=not args.no_progress)
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

"""``chathpc validate``: check a run's config, data, models, MPI tools and sandbox before anything heavy."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_config_options, add_json_option, add_model_option

ORDER = 12


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate", help="check config, data, template, models, MPI and sandbox before a run (no weights, no GPU)",
        description="Everything that can be checked before a model or GPU is touched, in one report. Exit 0 when all "
                    "checks pass, 2 when one fails.")
    add_config_options(parser)
    add_model_option(parser, repeatable=True,
                     help="model spec to check (repeatable): syntax, provider, and that a local path exists")
    parser.add_argument("--tasks", metavar="DIR", help="a task directory to load and check")
    parser.add_argument("--train", action="store_true", help="also check the training plan (loads the tokenizer, no weights)")
    add_json_option(parser, "the report")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.validation import validate_setup

    report = validate_setup(args.config, args.overrides, models=args.models, tasks_dir=args.tasks, training=args.train)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        width = max(len(check.name) for check in report.checks)
        for check in report.checks:
            print(f"{check.status:<7} {check.name:<{width}}  {check.detail}")
        failed = sum(check.status == "failed" for check in report.checks)
        print("all checks passed" if report.ok else f"{failed} check{'s' * (failed != 1)} failed")
    return 0 if report.ok else 2

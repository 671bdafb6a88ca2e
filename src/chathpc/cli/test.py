"""``chathpc test``: check a model's answers on the held-out split (or any dataset file) by execution."""

from __future__ import annotations

import argparse

from chathpc.cli.evaluation import add_evaluation_options, run_evaluation_verb

ORDER = 51


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("test", help="check a model on the held-out split or a dataset file by execution",
                            description="Like verify, on unseen items: the test split by default, or DATASET "
                                        "(a file or a split name: train, test, refine).")
    parser.add_argument("dataset", nargs="?", metavar="DATASET", help="dataset file or split (default: data.test_file or the test split)")
    add_evaluation_options(parser)
    parser.set_defaults(func=lambda args: run_evaluation_verb(args, "test", args.dataset, "test"))

"""``chathpc verify``: check a model's answers on the training split by compiling and running them."""

from __future__ import annotations

import argparse

from chathpc.cli.evaluation import add_evaluation_options, run_evaluation_verb

ORDER = 50


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("verify", help="check a model on the training split by execution (pass@k, speedup)",
                            description="Generate answers for the training split (or --data), check each by compiling and "
                                        "running it against the sequential program, append JSON Lines results, print pass@k.")
    parser.add_argument("--data", metavar="FILE|SPLIT", help="dataset file or built-in split (default: data.train_file or the train split)")
    add_evaluation_options(parser)
    parser.set_defaults(func=lambda args: run_evaluation_verb(args, "verify", args.data, "train"))

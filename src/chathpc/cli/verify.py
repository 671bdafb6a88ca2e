"""``chathpc verify``: check a model's answers on the training split by compiling and running them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chathpc.cli.common import add_bug_hunting_options, add_config_options, config_from_args

ORDER = 50


def add_evaluation_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``verify`` and ``test``."""
    add_config_options(parser)
    add_bug_hunting_options(parser)
    parser.add_argument("-m", "--model", metavar="SPEC", help="provider spec: hf:PATH, openai:MODEL, reference, sequential (default: from the config)")
    parser.add_argument("-o", "--out", metavar="FILE", help="results JSON Lines file (default: results/<verb>-<model>.jsonl)")
    parser.add_argument("-n", "--samples", type=int, metavar="N", help="samples per item (sets generation.samples; default 1, greedy)")
    parser.add_argument("-k", dest="ks", type=int, action="append", metavar="K", help="k for pass@k (repeatable; default 1 and N)")
    parser.add_argument("--perf", action="store_true", help="also time passing programs at harness.perf_ranks (speedup_n@k)")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--resume", action="store_true", help="continue an interrupted run: skip the lines already in --out")
    existing.add_argument("--force", action="store_true", help="start over, replacing an existing --out")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_evaluation_verb(args: argparse.Namespace, verb: str, dataset: str | None, default_split: str) -> int:
    """Shared body of ``verify`` and ``test``: run, then print the summary."""
    from chathpc.errors import ChathpcError
    from chathpc.evaluate.compare import results_name
    from chathpc.evaluate.runner import dataset_records, run_evaluation
    from chathpc.providers.registry import provider_spec
    from chathpc.report import summary_markdown

    if args.samples is not None and args.samples < 1:
        raise ChathpcError("-n/--samples must be at least 1")
    overrides = list(args.overrides)
    if args.samples is not None:
        overrides.append(f"generation.samples={args.samples}")
    args.overrides = overrides
    config = config_from_args(args).config
    if args.limit is not None and args.limit < 1:
        raise ChathpcError("--limit must be at least 1")
    records = dataset_records(dataset, config, default_split)[: args.limit]
    spec = provider_spec(args.model, config)
    out = Path(args.out) if args.out else Path("results") / f"{verb}-{results_name(spec)}"
    n = config.generation.samples
    ks = sorted(set(args.ks or [1, n]))
    if any(k < 1 or k > n for k in ks):
        raise ChathpcError(f"-k must be between 1 and the samples per item ({n})")
    outcome = run_evaluation(records, config, out, provider_spec=spec, perf=args.perf, resume=args.resume, force=args.force,
                             ks=ks, progress=not args.no_progress)
    if args.json:
        print(json.dumps(outcome.model_dump(mode="json"), indent=2))
    else:
        print(summary_markdown(outcome.summary, title=f"{verb}: {spec} on {len(records)} items"))
        print(f"results: {outcome.path} ({outcome.written} new lines, {outcome.skipped} kept)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("verify", help="check a model on the training split by execution (pass@k, speedup)",
                            description="Generate answers for the training split (or --data), check each by compiling and "
                                        "running it against the sequential program, append JSON Lines results, print pass@k.")
    parser.add_argument("--data", metavar="FILE|SPLIT", help="dataset file or built-in split (default: data.train_file or the train split)")
    add_evaluation_options(parser)
    parser.set_defaults(func=lambda args: run_evaluation_verb(args, "verify", args.data, "train"))

"""``chathpc generate``: a model's answers for a dataset, as a samples file (no checking, no MPI)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chathpc.cli.common import add_config_options, config_from_args

ORDER = 48


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("generate", help="generate answers for a dataset into a samples file (model, no MPI)",
                            description="The first stage of verify/test: render each item's prompt, generate -n answers with "
                                        "the model and append them to a samples JSON Lines file. Check them later, on "
                                        "the MPI nodes, with `chathpc recheck FILE`.")
    parser.add_argument("dataset", nargs="?", metavar="DATASET", help="dataset file or split (default: data.test_file or the test split)")
    add_config_options(parser)
    parser.add_argument("-m", "--model", metavar="SPEC", help="provider spec: hf:PATH, openai:MODEL, reference, sequential (default: from the config)")
    parser.add_argument("-o", "--out", metavar="FILE", help="samples file (default: results/samples-<model>.jsonl)")
    parser.add_argument("-n", "--samples", type=int, metavar="N", help="samples per item (sets generation.samples)")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--resume", action="store_true", help="continue an interrupted run: skip the samples already in --out")
    existing.add_argument("--force", action="store_true", help="start over, replacing an existing --out")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    parser.add_argument("--json", action="store_true", help="print what was written as JSON")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.errors import ChathpcError
    from chathpc.evaluate.compare import results_name
    from chathpc.evaluate.runner import dataset_records
    from chathpc.evaluate.stages import generate_samples
    from chathpc.providers.registry import provider_spec

    for name in ("samples", "limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ChathpcError(f"--{name.replace('_', '-')} must be at least 1")
    if args.samples is not None:
        args.overrides = [*args.overrides, f"generation.samples={args.samples}"]
    config = config_from_args(args).config
    records = dataset_records(args.dataset, config, "test")[: args.limit]
    spec = provider_spec(args.model, config)
    out = Path(args.out) if args.out else Path("results") / f"samples-{results_name(spec)}"
    outcome = generate_samples(records, config, out, provider_spec=spec, resume=args.resume, force=args.force,
                               progress=not args.no_progress)
    if args.json:
        print(json.dumps(outcome.model_dump(mode="json"), indent=2))
    else:
        print(f"samples: {outcome.path} ({outcome.written} new, {outcome.skipped} kept, {outcome.items} items); "
              f"check them with: chathpc recheck {outcome.path}")
    return 0

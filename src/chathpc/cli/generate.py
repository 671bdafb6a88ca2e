"""``chathpc generate``: a model's answers for a dataset, as a samples file (no checking, no MPI)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chathpc.cli.options import (
    add_config_options,
    add_json_option,
    add_model_option,
    add_output_option,
    add_progress_option,
    add_resume_force_options,
    add_target_option,
    config_from_args,
)
from chathpc.cli.evaluation import default_results_path

ORDER = 48


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("generate", help="generate answers for a dataset into a samples file (model, no MPI)",
                            description="The first stage of verify/test: render each item's prompt, generate -n answers with "
                                        "the model and append them to a samples JSON Lines file. Check them later, on "
                                        "the MPI nodes, with `chathpc recheck FILE`.")
    parser.add_argument("dataset", nargs="?", metavar="DATASET", help="dataset file or split (default: data.test_file or the test split)")
    add_config_options(parser)
    add_target_option(parser)
    add_model_option(parser)
    add_output_option(parser, "samples file (default: results/samples-<model>.jsonl)", metavar="FILE")
    parser.add_argument("-n", "--samples", type=int, metavar="N", help="samples per item (sets generation.samples)")
    add_resume_force_options(parser, resume="skip the samples already in --out", force="replace an existing --out")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    add_json_option(parser, "what was written")
    add_progress_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.errors import ChathpcError
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
    out = Path(args.out) if args.out else default_results_path("samples", spec)
    outcome = generate_samples(records, config, out, provider_spec=spec, resume=args.resume, force=args.force,
                               progress=not args.no_progress)
    if args.json:
        print(json.dumps(outcome.model_dump(mode="json"), indent=2))
    else:
        print(f"samples: {outcome.path} ({outcome.written} new, {outcome.skipped} kept, {outcome.items} items); "
              f"check them with: chathpc recheck {outcome.path}")
    return 0

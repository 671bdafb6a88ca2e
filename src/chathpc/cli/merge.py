"""``chathpc merge``: LoRA adapters into a standalone Hugging Face model."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_force_option, add_output_option
from chathpc.errors import ChathpcError

ORDER = 41


def _weights(text: str) -> list[float]:
    try:
        return [float(item) for item in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got '{text}'") from None


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "merge",
        help="merge one or several LoRA runs into a standalone model",
        description="Merge the adapter of one run into its base model, or several runs' adapters (same base) "
        "with PEFT weighted merging, and save a standalone model (safetensors + tokenizer).",
    )
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR", help="training run or PEFT adapter directories")
    add_output_option(parser, "where to write the merged model", metavar="OUT_DIR", required=True)
    parser.add_argument("--method", choices=["linear", "ties", "dare"], default="linear",
                        help="linear: weighted sum of updates; ties / dare: TIES or DARE-TIES (default: linear)")
    parser.add_argument("--weights", type=_weights, help="one weight per run, e.g. 0.7,0.3 (default: 1/n for linear, 1 for ties/dare)")
    parser.add_argument("--density", type=float, default=0.5, help="fraction of each update kept by ties/dare (default 0.5)")
    add_force_option(parser, "an existing output directory")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.train import merge_runs

    if args.weights is not None and len(args.weights) != len(args.runs):
        raise ChathpcError(f"--weights has {len(args.weights)} values for {len(args.runs)} runs")
    result = merge_runs(args.runs, args.out, method=args.method, weights=args.weights, density=args.density, force=args.force)
    print(f"merged {len(result.sources)} adapter(s) into {result.base_model} ({result.method}, weights "
          f"{', '.join(f'{w:g}' for w in result.weights)}): {result.out_dir}")
    return 0

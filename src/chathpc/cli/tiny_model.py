"""``chathpc tiny-model OUT_DIR``: a small random Llama and a tokenizer trained on C/MPI code, offline."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_force_option

ORDER = 42


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "tiny-model",
        help="create a tiny local Llama model for tests and demos (no downloads)",
        description="Write a randomly initialized Llama-architecture model and a byte-level BPE tokenizer "
        "trained on the project's C/MPI sources, loadable with from_pretrained(OUT_DIR).",
    )
    parser.add_argument("out_dir", metavar="OUT_DIR")
    parser.add_argument("--seed", type=int, default=0, help="initialization seed (default 0)")
    parser.add_argument("--hidden-size", type=int, default=128)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--intermediate-size", type=int, default=352)
    parser.add_argument("--vocab-size", type=int, default=2048, help="tokenizer vocabulary target")
    add_force_option(parser, "the files of a non-empty OUT_DIR")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.train import create_tiny_model

    path = create_tiny_model(
        args.out_dir,
        seed=args.seed,
        hidden_size=args.hidden_size,
        num_layers=args.layers,
        num_heads=args.heads,
        intermediate_size=args.intermediate_size,
        vocab_size=args.vocab_size,
        force=args.force,
    )
    print(f"wrote a tiny Llama model and tokenizer to {path}")
    return 0

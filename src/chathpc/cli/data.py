"""``chathpc data validate|stats|convert``: dataset files in the ChatHPC format and friends."""

from __future__ import annotations

import argparse
import json

from chathpc.cli.options import add_force_option, add_json_option, add_output_option
from chathpc.data import FORMATS, dataset_stats, load_records, load_template, save_records

ORDER = 20


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("data", help="validate, summarize and convert datasets")
    verbs = parser.add_subparsers(dest="data_verb", metavar="ACTION", required=True, parser_class=type(parser))

    validate = verbs.add_parser("validate", help="check a dataset file; errors as FILE:ITEM: problem")
    validate.add_argument("file")
    validate.set_defaults(func=run_validate)

    stats = verbs.add_parser("stats", help="items, per-context counts, token-length estimates")
    stats.add_argument("file")
    stats.add_argument("--template", default="chathpc", help="prompt template used for the lengths")
    add_json_option(stats, "the statistics")
    stats.set_defaults(func=run_stats)

    convert = verbs.add_parser("convert", help="convert between json, jsonl, yaml and messages JSONL")
    convert.add_argument("input")
    convert.add_argument("output")
    convert.add_argument("--from", dest="src_format", choices=FORMATS, help="input format (default: by suffix)")
    convert.add_argument("--to", dest="dst_format", choices=FORMATS, help="output format (default: by suffix)")
    add_force_option(convert, "an existing output file")
    convert.set_defaults(func=run_convert)

    export = verbs.add_parser("export-tasks", help="write the train/test/refine JSONL datasets from the task suite")
    add_output_option(export, "output directory (default: the datasets shipped in the package)", metavar="DIR")
    export.add_argument("--check", action="store_true", help="write nothing; exit 1 if the files differ from the task folders")
    export.set_defaults(func=run_export_tasks)


def run_validate(args: argparse.Namespace) -> int:
    records = load_records(args.file)
    print(f"{args.file}: ok, {len(records)} records")
    return 0


def run_stats(args: argparse.Namespace) -> int:
    stats = dataset_stats(load_records(args.file), load_template(args.template))
    if args.json:
        print(json.dumps(stats.model_dump(), indent=2))
        return 0
    print(f"{args.file}: {stats.items} items, {stats.empty_answers} without an answer")
    print(f"tokens (estimated): prompt median {stats.prompt_tokens_median} max {stats.prompt_tokens_max}; "
          f"answer median {stats.answer_tokens_median} max {stats.answer_tokens_max}; longest example {stats.total_tokens_max}")
    for context, count in stats.per_context.items():
        print(f"  {count:5d}  {context}")
    return 0


def run_convert(args: argparse.Namespace) -> int:
    records = load_records(args.input, args.src_format)
    path = save_records(records, args.output, args.dst_format, overwrite=args.force)
    print(f"wrote {len(records)} records to {path}")
    return 0


def run_export_tasks(args: argparse.Namespace) -> int:
    from chathpc.tasks import export_datasets

    result = export_datasets(args.out, check=args.check)
    for split, path in result.files.items():
        state = ("stale" if args.check else "written") if split in result.stale else "up to date"
        print(f"{path}: {result.records[split]} records, {state}")
    if args.check and result.stale:
        print(f"out of date: {', '.join(result.stale)} (run chathpc data export-tasks{' --out ' + args.out if args.out else ''})")
        return 1
    return 0

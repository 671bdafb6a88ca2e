"""``chathpc data validate|stats|convert|export-tasks``: dataset files in the ChatHPC format and friends."""

from __future__ import annotations

import argparse
import json

from chathpc.cli.options import (
    add_config_options,
    add_force_option,
    add_json_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    config_from_args,
)
from chathpc.data import FORMATS, dataset_stats, load_records, load_template, save_records
from chathpc.errors import ChathpcError
from chathpc.tasks.kinds import KIND_NAMES, get_kind

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

    export = verbs.add_parser("export-tasks", help="write the train/test/refine JSONL datasets of each assistant kind from the task suite")
    add_output_option(export, "output directory (default: the datasets shipped in the package)", metavar="DIR")
    export.add_argument("--kind", action="append", metavar="KIND",
                        help=f"assistant kind (repeatable, or 'all'; default mpi): {', '.join(KIND_NAMES)}")
    export.add_argument("--check", action="store_true",
                        help="write nothing; check every record's answer by execution with its kind's check; exit 1 if a file "
                             "differs from the task folders or an answer fails")
    export.add_argument("--task", action="append", metavar="ID", help="with --check: run only these tasks' records (repeatable)")
    add_perf_option(export, "with --check: also time each optimization answer beside its input (harness.optimize_margin)")
    add_config_options(export)
    add_progress_option(export)
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


def export_kinds(chosen: list[str] | None) -> list[str]:
    """The kinds ``--kind`` names (``all``: every kind; none: mpi), each checked."""
    if not chosen:
        return ["mpi"]
    if "all" in chosen:
        return list(KIND_NAMES)
    for name in chosen:
        get_kind(name)
    return list(dict.fromkeys(chosen))


def run_export_tasks(args: argparse.Namespace) -> int:
    from chathpc.tasks import SPLITS, export_datasets, split_records

    kinds = export_kinds(args.kind)
    if (args.task or args.perf) and not args.check:
        raise ChathpcError("--task and --perf go with --check")
    result = export_datasets(args.out, check=args.check, kinds=kinds)
    for name, path in result.files.items():
        state = ("stale" if args.check else "written") if name in result.stale else "up to date"
        print(f"{path}: {result.records[name]} records, {state}")
    if not args.check:
        return 0
    failed = check_exported_answers(args, kinds, [record for kind in kinds for split in SPLITS for record in split_records(split, kind=kind)])
    if result.stale:
        kind_options = "".join(f" --kind {kind}" for kind in kinds if kind != "mpi")
        print(f"out of date: {', '.join(result.stale)} (run chathpc data export-tasks{kind_options}{' --out ' + args.out if args.out else ''})")
    return 1 if result.stale or failed else 0


def check_exported_answers(args: argparse.Namespace, kinds: list[str], records: list) -> int:
    """Check the exported records' answers by execution (``--task``: only those tasks'), print one line per kind
    and one per failure; returns the failures."""
    from chathpc.evaluate.runner import check_answers

    if args.task:
        known = {(r.metadata or {}).get("task") for r in records}
        for task in args.task:
            if task not in known:
                raise ChathpcError(f"--task {task}: no exported record of {', '.join(kinds)} names this task")
        records = [r for r in records if (r.metadata or {}).get("task") in args.task]
    config = config_from_args(args).config
    config = config.model_copy(update={"harness": config.harness.model_copy(update={"target": "mpi"})})  # the mpi records' target
    results = check_answers(records, config, perf=args.perf, progress=not args.no_progress)
    failed = 0
    for kind in kinds:
        mine = [(r, res) for r, res in zip(records, results) if ((r.metadata or {}).get("kind") or "mpi") == kind]
        bad = [(r, res) for r, res in mine if not res.passed]
        failed += len(bad)
        speed = " and speed" if args.perf and get_kind(kind).optimizes else ""
        print(f"{kind}: {len(mine) - len(bad)} of {len(mine)} answers pass their check (output{speed}, by execution)")
        for record, res in bad:
            print(f"  {record.id}: {res.summary()}")
    return failed

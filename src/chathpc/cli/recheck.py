"""``chathpc recheck``: check stored samples (or a results file's answers) again, with no model."""

from __future__ import annotations

import argparse
from pathlib import Path

from chathpc.cli.options import (
    add_config_options,
    add_json_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    add_resume_force_options,
    add_target_option,
    config_from_args,
)
from chathpc.cli.evaluation import add_ks_option, pass_at_ks, print_results_outcome

ORDER = 49


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("recheck", help="check a samples or results file again (other ranks, tolerances; no model)",
                            description="The second stage of verify/test: check every stored answer of FILE (from "
                                        "`chathpc generate`, or a results file) through the scheduler under the current "
                                        "harness settings (e.g. --set harness.ranks=1,2,4,8, harness.rtol=1e-6) and write "
                                        "a results file like verify/test do.")
    parser.add_argument("file", metavar="FILE.jsonl", help="samples file (chathpc generate) or results file (verify/test/recheck)")
    add_config_options(parser)
    add_target_option(parser)
    add_output_option(parser, "results file (default: FILE with .recheck.jsonl)", metavar="FILE")
    add_ks_option(parser)
    add_perf_option(parser, "also time passing programs at harness.perf_ranks")
    parser.add_argument("--tasks", metavar="DIR", help="the task directory the items name (e.g. from `chathpc pareval import`; default: the built-in suite)")
    add_resume_force_options(parser, resume="skip the lines already in --out", force="replace an existing --out")
    parser.add_argument("--submit", action="store_true", help="run this command as a Slurm batch job appending to --out, resumable")
    parser.add_argument("--sbatch-args", default="", metavar='"ARGS"', help="extra sbatch options for --submit, given with '=': --sbatch-args='-n 8'")
    add_json_option(parser, "the summary")
    add_progress_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.evaluate.stages import recheck

    config = config_from_args(args).config
    source = Path(args.file)
    out = Path(args.out) if args.out else source.with_name(source.name.removesuffix(".jsonl") + ".recheck.jsonl")
    ks = pass_at_ks(args.ks)
    if args.submit:
        from chathpc.schedule.submit import submit

        print(submit(args.argv, out, sbatch_args=args.sbatch_args, name="chathpc-recheck"))
        return 0
    outcome = recheck(source, config, out, perf=args.perf, resume=args.resume, force=args.force, ks=ks, progress=not args.no_progress,
                      tasks_root=args.tasks)
    return print_results_outcome(args, outcome, f"recheck: {outcome.provider} on {outcome.items} items")

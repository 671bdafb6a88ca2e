"""The evaluation verbs' body and options (``verify``, ``test``) and what several verbs build from single options.

Not a verb: this module has no ``register``, so the verb discovery in ``chathpc.cli`` skips it. Single options
(``-m``, ``-o``, ``--force``, ...) are declared in ``chathpc.cli.options``; this module holds what is built from
them and shared by verbs: the evaluation verbs' options and body (``verify``, ``test``), the default results
path and pass@k list, and the harness section with a verb's ``--ranks/--timeout/--jobs`` applied.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pydantic import ValidationError

from chathpc.cli.options import (
    add_bug_hunting_options,
    add_config_options,
    add_json_option,
    add_model_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    add_resume_force_options,
    add_target_option,
    config_from_args,
)
from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError

RESULTS_DIR = Path("results")


def default_results_path(verb: str, spec: str) -> Path:
    """Where a verb writes a model's results (or samples) when no ``-o`` is given: results/<verb>-<model>.jsonl."""
    from chathpc.evaluate.compare import results_name

    return RESULTS_DIR / f"{verb}-{results_name(spec)}"


def add_ks_option(parser: argparse.ArgumentParser, default: str = "1") -> None:
    """``-k K`` (repeatable, ``args.ks``): the k of pass@k."""
    parser.add_argument("-k", dest="ks", type=int, action="append", metavar="K", help=f"k for pass@k (repeatable; default {default})")


def pass_at_ks(ks: list[int] | None, samples: int | None = None, default: tuple[int, ...] = (1,)) -> list[int]:
    """The sorted k values of ``-k`` (``default`` when none); each at least 1 and, when ``samples`` is known, at most it."""
    chosen = sorted(set(ks or default))
    if samples is not None and (chosen[0] < 1 or chosen[-1] > samples):
        raise ChathpcError(f"-k must be between 1 and the samples per item ({samples})")
    if chosen[0] < 1:
        raise ChathpcError("-k must be at least 1")
    return chosen


def harness_config(args: argparse.Namespace) -> HarnessConfig:
    """The harness section of the resolved config with the verb's ``--ranks``, ``--timeout`` and ``--jobs`` applied."""
    values = config_from_args(args).config.harness.model_dump()
    for option in ("ranks", "timeout", "jobs"):
        if getattr(args, option) is not None:
            values[option] = getattr(args, option)
    try:
        return HarnessConfig.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ChathpcError(f"--{err['loc'][0]}: {err['msg']}") from None


def add_evaluation_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``verify`` and ``test``."""
    add_config_options(parser)
    add_target_option(parser)
    add_bug_hunting_options(parser)
    add_model_option(parser)
    add_output_option(parser, "results JSON Lines file (default: results/<verb>-<model>.jsonl)", metavar="FILE")
    parser.add_argument("-n", "--samples", type=int, metavar="N", help="samples per item (sets generation.samples; default 1, greedy)")
    add_ks_option(parser, "1 and N")
    add_perf_option(parser, "also time passing programs at harness.perf_ranks (speedup_n@k)")
    add_resume_force_options(parser, resume="skip the lines already in --out", force="replace an existing --out")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N items")
    parser.add_argument("--submit", action="store_true",
                        help="run this command as a Slurm batch job (sbatch) appending to --out, resumable; prints how to follow it")
    parser.add_argument("--array", type=int, default=0, metavar="N",
                        help="with --submit: a job array of N tasks, each checking every N-th item, then a job that gathers them")
    parser.add_argument("--shard", metavar="K/N", help="only the items whose index is K modulo N, into OUT.shard-K-of-N (what --array's tasks run)")
    parser.add_argument("--sbatch-args", default="", metavar='"ARGS"', help="extra sbatch options for --submit, given with '=': --sbatch-args='-n 8 -t 60'")
    add_json_option(parser, "the summary")
    add_progress_option(parser)
    parser.add_argument("--tasks", metavar="DIR", help="a task directory in the suite format (<domain>/<id>/): its tasks are the "
                                                       "items (unless a dataset is given) and the tasks that items name")
    parser.add_argument("--kind", metavar="KIND", help="assistant kind (openmp, kokkos, hybrid, openmp-to-kokkos, mpi-to-hybrid, "
                                                       "optimize-mpi, ...): its split of the built-in datasets, checked at its target "
                                                       "(optimization kinds also for speed: improvement@k)")


def _shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and int(k) < int(n)):
        raise ChathpcError(f"--shard {text!r}: expected K/N with 0 <= K < N, e.g. 0/4")
    return int(k), int(n)


def run_evaluation_verb(args: argparse.Namespace, verb: str, dataset: str | None, default_split: str) -> int:
    """Shared body of ``verify`` and ``test``: run, then print the summary."""
    from chathpc.evaluate.runner import dataset_records, run_evaluation
    from chathpc.providers.registry import provider_spec

    if args.samples is not None and args.samples < 1:
        raise ChathpcError("-n/--samples must be at least 1")
    overrides = list(args.overrides)
    if args.samples is not None:
        overrides.append(f"generation.samples={args.samples}")
    args.overrides = overrides
    config = config_from_args(args).config
    if args.limit is not None and args.limit < 1:
        raise ChathpcError("--limit must be at least 1")
    records = dataset_records(dataset, config, default_split, args.tasks, kind=args.kind)[: args.limit]
    spec = provider_spec(args.model, config)
    out = Path(args.out) if args.out else default_results_path(verb, spec)
    n = config.generation.samples
    ks = pass_at_ks(args.ks, n, default=(1, n))
    if args.array and (args.array < 2 or not args.submit):
        raise ChathpcError("--array N needs --submit and N >= 2")
    shard = _shard(args.shard)
    if args.submit:
        from chathpc.schedule.submit import submit

        print(submit(args.argv, out, sbatch_args=args.sbatch_args, name=f"chathpc-{verb}", array=args.array))
        return 0
    outcome = run_evaluation(records, config, out, provider_spec=spec, perf=args.perf, resume=args.resume, force=args.force, shard=shard,
                             ks=ks, progress=not args.no_progress, tasks_root=args.tasks)
    return print_results_outcome(args, outcome, f"{verb}: {spec} on {len(records)} items")


def print_results_outcome(args: argparse.Namespace, outcome, title: str) -> int:
    """Print what a run that appended results lines did (its JSON with ``--json``, else the summary table and
    the results file); returns the exit status 0."""
    from chathpc.report import summary_markdown

    if args.json:
        print(json.dumps(outcome.model_dump(mode="json"), indent=2))
    else:
        print(summary_markdown(outcome.summary, title=title))
        print(f"results: {outcome.path} ({outcome.written} new lines, {outcome.skipped} kept)")
    return 0

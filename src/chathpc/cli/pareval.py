"""``chathpc pareval import|score``: ParEval's problems (MPI, OpenMP, MPI+OpenMP, Kokkos by ``--target``) as our tasks,
and ParEval output files re-checked."""

from __future__ import annotations

import argparse
import json
import sys

from chathpc.cli.options import (
    add_config_options,
    add_force_option,
    add_jobs_option,
    add_output_option,
    add_perf_option,
    add_progress_option,
    add_resume_force_options,
    add_target_option,
    config_from_args,
)
from chathpc.cli.evaluation import add_ks_option, harness_config, pass_at_ks

ORDER = 54


def _names(text: str | None) -> list[str] | None:
    return [n.strip() for n in text.split(",") if n.strip()] if text else None


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("pareval", help="ParEval's problems: import as tasks, re-check ParEval output files (--target: mpi, openmp = omp, hybrid = mpi+omp, kokkos)",
                            description="Use a ParEval checkout (github.com/parallelcodefoundry/ParEval) with chathpc's harness.")
    verbs = parser.add_subparsers(dest="pareval_verb", metavar="ACTION", required=True)
    importer = verbs.add_parser(
        "import", help="write ParEval's problems of the target's model as a task directory and dataset",
        description="Write one task per problem of the target's ParEval model (--target mpi: mpi, openmp: omp, hybrid: "
                    "mpi+omp, kokkos: kokkos) to DIR (<type>/<name>/: ParEval's serial driver with the baseline as the "
                    "sequential program; the candidate assembled from the model's driver, the prompt and an answer) and "
                    "DIR/dataset.jsonl, for 'chathpc test --tasks DIR --target TARGET -m SPEC'. Each problem is built "
                    "and its reference answer run at one configuration first (1 rank, 1 thread); problems that fail "
                    "here are listed with the reason (also in DIR/import-failures.json).")
    importer.add_argument("pareval", metavar="PAREVAL_DIR", help="a ParEval checkout")
    add_output_option(importer, "task directory to write", metavar="DIR", required=True)
    importer.add_argument("--problems", metavar="A,B", help="only these problems (names like 03_dense_la_axpy)")
    importer.add_argument("--prompts", choices=["generation", "translation"], default="generation",
                          help="ParEval's generation prompts or its translation prompts (serial->mpi, serial->omp, cuda->kokkos; "
                               "default: generation)")
    add_force_option(importer, "DIR/dataset.jsonl and task files")
    add_config_options(importer)
    add_target_option(importer)
    importer.set_defaults(func=run_import)
    scorer = verbs.add_parser(
        "score", help="re-check every sample of a ParEval outputs file with our harness",
        description="Check each sample of the target's model in OUTPUTS.json (ParEval's generate output, evaluated or not) against "
                    "ParEval's serial driver, append results lines to RESULTS.jsonl (item_id = problem, sample = index "
                    "in its outputs; --resume continues), print build@k, pass@k (and speedup_n@k with --perf) and, "
                    "where the file carries ParEval's labels, theirs beside ours with the disagreements.")
    scorer.add_argument("pareval", metavar="PAREVAL_DIR", help="a ParEval checkout")
    scorer.add_argument("outputs", metavar="OUTPUTS.json", help="a ParEval generation-output file")
    add_output_option(scorer, "results file", metavar="RESULTS.jsonl", required=True)
    scorer.add_argument("--ranks", help="rank counts for correctness runs, e.g. 1,2,3,4 (default: harness.ranks)")
    scorer.add_argument("--timeout", type=float, help="seconds per correctness run (default: harness.timeout)")
    add_jobs_option(scorer, "correctness runs of one sample in parallel (default: harness.jobs)")
    scorer.add_argument("--problems", metavar="A,B", help="only these problems")
    add_perf_option(scorer, "also time passing samples (ParEval's Time: line) for speedup_n@k")
    add_ks_option(scorer)
    scorer.add_argument("--disagreements", metavar="FILE", help="write each disagreement with ParEval (JSON Lines)")
    add_resume_force_options(scorer, resume="skip the samples already in RESULTS.jsonl", force="replace RESULTS.jsonl")
    add_progress_option(scorer)
    add_config_options(scorer)
    add_target_option(scorer)
    scorer.set_defaults(func=run_score)


def run_import(args: argparse.Namespace) -> int:
    from chathpc.external.pareval import import_problems

    config = config_from_args(args).config.harness
    outcome = import_problems(args.pareval, args.out, problems=_names(args.problems), kind=args.prompts, config=config,
                              force=args.force, progress=lambda name, reason: print(f"{name}: {reason or 'ok'}", file=sys.stderr))
    print(f"imported {len(outcome.imported)} problems to {outcome.out} (dataset {outcome.dataset})")
    for name, reason in outcome.failed.items():
        print(f"not imported: {name}: {reason}")
    return 0 if outcome.imported else 1


def run_score(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from chathpc.external.pareval import read_outputs, score_outputs
    from chathpc.files import refuse_existing
    from chathpc.report import summary_markdown

    config = harness_config(args)
    ks = tuple(pass_at_ks(args.ks))
    if args.disagreements:
        refuse_existing(args.disagreements, args.force)
    problems = _names(args.problems)
    total = sum(len(e["samples"]) for e in read_outputs(args.outputs, config.target) if not problems or e["name"] in problems)
    bar = tqdm(total=total, desc="pareval score", unit="sample", disable=args.no_progress, file=sys.stderr, dynamic_ncols=True)
    try:
        outcome = score_outputs(args.pareval, args.outputs, args.out, config=config, problems=problems, perf=args.perf,
                                resume=args.resume, force=args.force, ks=ks, progress=lambda: bar.update(1))
    finally:
        bar.close()
    print(summary_markdown(outcome.summary, title=f"ParEval outputs {args.outputs}: our checks"))
    per = f", {outcome.seconds_per_sample:.2f} s per sample checked" if outcome.seconds_per_sample is not None else ""
    print(f"results: {outcome.path} ({outcome.written} new lines, {outcome.skipped} kept{per})")
    for name, reason in outcome.unscored.items():
        print(f"not scored: {name}: {reason}")
    if outcome.theirs is not None and outcome.ours_on_labelled is not None:
        theirs, ours = outcome.theirs, outcome.ours_on_labelled
        print(f"ParEval's labels ({int(theirs['samples'])} samples): build@1 {theirs['build@1']:.3f}, pass@1 {theirs['pass@1']:.3f}; "
              f"ours on the same samples: build@1 {ours['build@1']:.3f}, pass@1 {ours['pass@1']:.3f}")
        for kind in ("build", "pass"):
            they_only = sum(d.kind == kind and d.theirs for d in outcome.disagreements)
            we_only = sum(d.kind == kind and d.ours for d in outcome.disagreements)
            print(f"disagreements on {kind}: {they_only} they {kind} / we fail, {we_only} we {kind} / they fail")
    if args.disagreements:
        from chathpc.files import atomic_write_text

        atomic_write_text(args.disagreements, "".join(json.dumps(d.model_dump()) + "\n" for d in outcome.disagreements))
        print(f"wrote {len(outcome.disagreements)} disagreements to {args.disagreements}")
    return 0

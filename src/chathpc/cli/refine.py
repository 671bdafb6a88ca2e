"""``chathpc refine``: failed items for an expert to correct, and passing answers as new training data."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_force_option, add_output_option

ORDER = 53


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("refine", help="write failed items as a refinement file (+ Markdown) and harvest passing answers",
                            description="From results files: failed items (question, the model's answer, verdict, feedback) "
                                        "in the dataset format for an expert to correct, plus a Markdown view with a rating "
                                        "template; optionally passing answers with a measured speedup as new training examples.")
    parser.add_argument("results", nargs="+", metavar="RESULTS", help="results JSON Lines file(s) from verify/test/compare")
    add_output_option(parser, "refinement dataset (default: refine.jsonl; .json/.yaml also work)", metavar="FILE", default="refine.jsonl")
    parser.add_argument("--markdown", metavar="FILE", help="Markdown view (default: OUT with .md)")
    parser.add_argument("--harvest", metavar="FILE", help="also write passing answers as training examples here")
    parser.add_argument("--min-speedup", type=float, default=1.0, metavar="X",
                        help="harvest only answers with a measured speedup >= X (needs results from --perf; 0: any passing answer)")
    add_force_option(parser, "existing output files")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from chathpc.evaluate.refine import refine_results
    from chathpc.evaluate.results import load_result_lines

    from chathpc.errors import ChathpcError

    if not args.min_speedup >= 0:  # also rejects nan
        raise ChathpcError(f"--min-speedup must be a number >= 0, got {args.min_speedup:g}")
    lines = load_result_lines(args.results)
    markdown = args.markdown or str(Path(args.out).with_suffix(".md"))
    outcome = refine_results(lines, args.out, markdown=markdown, harvest=args.harvest, min_speedup=args.min_speedup, force=args.force)
    if outcome.refine_file:
        print(f"wrote {outcome.failed_items} failed item(s) to {outcome.refine_file} and {outcome.markdown_file}")
    else:
        print("no failed items: nothing to refine")
    if args.harvest:
        if outcome.harvest_file:
            print(f"harvested {outcome.harvested} passing answer(s) to {outcome.harvest_file}")
        else:
            print(f"no passing answer reaches speedup {args.min_speedup}: {args.harvest} not written")
    return 0

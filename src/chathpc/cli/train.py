"""``chathpc train``: fine-tune a causal LM (LoRA, QLoRA or full) into a run directory."""

from __future__ import annotations

import argparse
import json
import os

from chathpc.cli.options import add_config_options, add_json_option, add_progress_option, add_resume_force_options, config_from_args

ORDER = 40


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "train",
        help="fine-tune a model (LoRA/QLoRA/full) on a dataset",
        description="Fine-tune config.model.base on config.data.train_file into config.training.output_dir. "
        "Runs unchanged under `accelerate launch` or `torchrun` for multi-GPU and multi-node training.",
    )
    add_config_options(parser)
    add_resume_force_options(parser, resume="restart from its last checkpoint", force="delete an existing run directory")
    parser.add_argument("--validate", action="store_true", help="only check the config, data and model shape (no weights loaded)")
    add_progress_option(parser)
    add_json_option(parser, "the plan or result")
    parser.set_defaults(func=run)


def _print_plan(plan) -> None:
    modules = ", ".join(plan.target_modules) if plan.target_modules else "every weight"
    print(f"base {plan.base_model} ({plan.method}: {modules}) on {plan.device}, weights {plan.weights_dtype}, autocast {plan.autocast}")
    print(f"data: {plan.train_examples} train / {plan.eval_examples} eval examples, longest {plan.longest_example_tokens} tokens, "
          f"{plan.answer_tokens} answer tokens; ~{plan.estimated_steps} steps")
    if plan.truncated_items:
        print(f"truncated ({len(plan.truncated_items)}): {', '.join(plan.truncated_items[:5])}{' ...' if len(plan.truncated_items) > 5 else ''}")
    for warning in plan.warnings:
        print(f"warning: {warning}")


def run(args: argparse.Namespace) -> int:
    from chathpc.train import train, validate

    config = config_from_args(args).config
    main_process = os.environ.get("RANK", "0") == "0"  # under torchrun / accelerate launch only rank 0 reports
    plan = validate(config)
    if args.validate:
        print(plan.model_dump_json(indent=2)) if args.json else _print_plan(plan)
        return 0
    if main_process and not args.json:
        _print_plan(plan)
    result = train(config, resume=args.resume, force=args.force, progress=not args.no_progress)
    # The command owns the process group the trainer started (torchrun / accelerate launch): close it
    # before exiting, or gloo's threads can abort a rank at interpreter shutdown.
    from accelerate import PartialState

    PartialState().destroy_process_group()
    if not main_process:
        return 0
    if args.json:
        print(json.dumps(result.model_dump(), indent=2))
        return 0
    eval_text = f", eval loss {result.eval_loss:.4f}" if result.eval_loss is not None else ""
    train_text = f"train loss {result.train_loss:.4f}" if result.train_loss is not None else "no train loss"
    print(f"{result.run_dir}: {result.steps} steps, {train_text}{eval_text}; "
          f"{result.truncated_train + result.truncated_eval} truncated examples")
    print(f"weights: {result.adapter_dir or result.model_dir}")
    return 0

"""GRPO from verification on a real model on this CPU: SmolLM2-135M-Instruct after its SFT run.

Starts from the LoRA run that ``benchmarks/real_model.py`` trains (``--sft-run``), runs ``--steps`` GRPO
steps on a few train items (``--items``), each completion checked by the harness inside the reward, and
measures pass@1 (greedy, the settings of ``real_model.py``) before and after on those items and on the
held-out split. The held-out "before" row is the SFT model's row of ``real_model.py``'s comparison when
its results file is there (greedy decoding makes it the same answers), else it is generated here.
Every stage resumes: finished results and run directories are reused.

Writes OUT/... and the report ``docs/results/grpo.md`` (``--report``): settings, time per step (generating,
checking, learning), the reward and verdict histogram per step, pass@1 before and after.
Usage: python benchmarks/grpo.py [--out runs/grpo] [--sft-run runs/real-model/smollm2-lora] [--steps 4]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from real_model import Stages, eval_config, measured_on, train_config

from chathpc.config import RunConfig

GRPO = {"generations": 4, "prompts_per_step": 1, "max_completion_length": 512, "temperature": 0.7, "beta": 0.04,
        "hidden_args": True, "timing": False}


def grpo_config(sft_run: Path, items_file: Path, run_dir: Path, steps: int, learning_rate: float) -> RunConfig:
    """The GRPO run: LoRA continued from the SFT adapter, ranks 1-3 in the reward checks."""
    return RunConfig.model_validate({
        "model": {"base": str(sft_run)},
        "training": {"method": "grpo", "max_steps": steps, "learning_rate": learning_rate, "warmup_ratio": 0.0,
                     "lr_scheduler": "constant", "logging_steps": 1, "save_steps": 1, "output_dir": str(run_dir), "seed": 0},
        "grpo": GRPO,
        "data": {"train_file": str(items_file)},
        "harness": {"ranks": [1, 2, 3], "timeout": 10},
    })


def tally(path: Path) -> dict:
    """Items, passes and verdict counts of a results file."""
    from chathpc.evaluate.results import read_results

    lines = read_results(path).lines
    verdicts: dict[str, int] = {}
    for line in lines:
        verdicts[line.verdict] = verdicts.get(line.verdict, 0) + 1
    return {"items": len({line.item_id for line in lines}), "passed": sum(line.passed for line in lines), "verdicts": verdicts}


def sft_results(results_dir: Path, sft_run: Path) -> Path | None:
    """real_model.py's results file of the SFT run (its ``hf:`` spec may name the run by another relative path)."""
    from chathpc.evaluate.results import read_results

    for path in sorted(results_dir.glob("hf-*.jsonl")):
        lines = read_results(path).lines
        if lines and Path(lines[0].provider.removeprefix("hf:")).resolve() == sft_run.resolve():
            return path
    return None


def evaluate(records, config: RunConfig, spec: str, path: Path) -> dict:
    """Greedy pass@1 of ``spec`` on ``records`` into the results file ``path`` (resumed when there)."""
    from chathpc.evaluate.runner import run_evaluation

    run_evaluation(records, config, path, provider_spec=spec, resume=path.exists(), progress=False)
    return tally(path)


def step_rows(run_dir: Path) -> list[dict]:
    """The logged GRPO steps (reward, spread, pass rate, verdict shares, seconds per phase)."""
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    return [row for row in rows if "reward" in row]


def report(args, stages: Stages, steps: list[dict], before: dict, after: dict, held_before: dict, held_after: dict,
           items: list[str]) -> str:
    verdict_keys = sorted({key for row in steps for key in row if key.startswith("verdicts/")})

    def share(row: dict, key: str) -> str:
        return f"{row.get(key, 0.0):.2f}"

    def verdicts(result: dict) -> str:
        return ", ".join(f"{k} {v}" for k, v in sorted(result["verdicts"].items()))

    lines = [
        "# GRPO from verification on SmolLM2-135M-Instruct (2 CPU cores)",
        "",
        measured_on(("torch", "transformers", "peft", "trl")) + " Other work may have shared the machine: times are upper bounds.",
        "",
        "Reproduce: `python benchmarks/real_model.py` (the SFT run), then `python benchmarks/grpo.py "
        + " ".join(sys.argv[1:]) + "`.",
        "",
        "## Settings",
        "",
        f"- start: the LoRA adapter of `{args.sft_run}` (SmolLM2 after SFT on the train split, `docs/results/real-model.md`).",
        f"- items: {', '.join(items)} (train split), chat-format prompts as in SFT.",
        f"- GRPO: {args.steps} steps, one prompt per step, {GRPO['generations']} completions per prompt at temperature "
        f"{GRPO['temperature']}, at most {GRPO['max_completion_length']} tokens, KL beta {GRPO['beta']}, lr {args.learning_rate:g} "
        "constant; reward: the default verdict ladder (no timing term), checked at ranks 1-3 and at one hidden argument set.",
        "- pass@1: greedy, the generation settings of `real_model.py` (stop after the first code block), ranks 1-4.",
        "",
        "## Stages",
        "",
        "| stage | wall s | CPU s |",
        "|---|---|---|",
        *[f"| {name} | {wall:.0f} | {cpu:.0f} |" for name, wall, cpu in stages.rows],
        "",
        "## Per step",
        "",
        "| step | reward mean | reward std | pass rate | " + " | ".join(k.split("/", 1)[1] for k in verdict_keys)
        + " | s generating | s checking | s learning |",
        "|" + "---|" * (7 + len(verdict_keys)),
        *[f"| {row['step']} | {row['reward']:.3f} | {row.get('reward_std', 0.0):.3f} | {row.get('pass_rate', 0.0):.2f} | "
          + " | ".join(share(row, k) for k in verdict_keys)
          + f" | {row.get('seconds_generating', 0.0):.0f} | {row.get('seconds_checking', 0.0):.0f} | {row.get('seconds_learning', 0.0):.0f} |"
          for row in steps],
        "",
        "Verdict columns are the share of the step's completions with that verdict.",
        "",
        "## pass@1 before and after (greedy)",
        "",
        "| items | before GRPO (SFT) | after GRPO | verdicts before | verdicts after |",
        "|---|---|---|---|---|",
        f"| the {len(items)} GRPO items | {before['passed']}/{before['items']} | {after['passed']}/{after['items']} | "
        f"{verdicts(before)} | {verdicts(after)} |",
        f"| held-out split | {held_before['passed']}/{held_before['items']} | {held_after['passed']}/{held_after['items']} | "
        f"{verdicts(held_before)} | {verdicts(held_after)} |",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/grpo", help="working directory (default runs/grpo)")
    parser.add_argument("--real-model-out", default="runs/real-model", help="real_model.py's --out (default runs/real-model)")
    parser.add_argument("--sft-run", help="the SFT run to start from (default REAL_MODEL_OUT/smollm2-lora)")
    parser.add_argument("--items", default="axpy,dot,gemv", help="train items GRPO trains on (comma-separated ids)")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=2e-5)
    parser.add_argument("--report", default="docs/results/grpo.md")
    args = parser.parse_args()

    from chathpc.data import load_records, save_records
    from chathpc.tasks import dataset_file
    from chathpc.train import train

    real = Path(args.real_model_out)
    args.sft_run = args.sft_run or str(real / "smollm2-lora")
    sft_run, model_dir, out = Path(args.sft_run), real / "model", Path(args.out)
    if not (sft_run / "result.json").is_file():
        print(f"grpo: {sft_run} is not a finished SFT run; run benchmarks/real_model.py first", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    wanted = args.items.split(",")
    train_records = {r.id: r for r in load_records(dataset_file("train"))}
    unknown = [i for i in wanted if i not in train_records]
    if unknown:
        print(f"grpo: not train items: {', '.join(unknown)}", file=sys.stderr)
        return 2
    records = [train_records[i] for i in wanted]
    items_file = out / "items.jsonl"
    if not items_file.exists():
        save_records(records, items_file)
    held_out = load_records(dataset_file("test"))
    config = eval_config(train_config(model_dir, sft_run))
    stages = Stages(out / "stages.json")
    sft_spec, grpo_run = f"hf:{sft_run}", out / "grpo-run"
    before = stages.run("pass@1 before (GRPO items)", lambda: evaluate(records, config, sft_spec, out / "before-items.jsonl"))
    stages.run("GRPO", lambda: train(grpo_config(sft_run, items_file, grpo_run, args.steps, args.learning_rate), resume=True, progress=False))
    grpo_spec = f"hf:{grpo_run}"
    after = stages.run("pass@1 after (GRPO items)", lambda: evaluate(records, config, grpo_spec, out / "after-items.jsonl"))
    held_after = stages.run("pass@1 after (held-out)", lambda: evaluate(held_out, config, grpo_spec, out / "after-test.jsonl"))
    earlier = sft_results(real / "compare-test" / "results", sft_run)
    if earlier is not None and tally(earlier)["items"] == len(held_out):  # the same greedy answers, checked by real_model.py
        held_before = tally(earlier)
    else:
        held_before = stages.run("pass@1 before (held-out)", lambda: evaluate(held_out, config, sft_spec, out / "before-test.jsonl"))
    text = report(args, stages, step_rows(grpo_run), before, after, held_before, held_after, wanted)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

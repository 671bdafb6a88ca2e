"""Expert iteration from execution: ``training.method=expert_iteration`` with the ``iterate`` config section.

Round 0 fine-tunes ``model.base`` on the training records (skipped when ``iterate.start`` names the model
to start from). Each round r = 1..``iterate.rounds`` then runs four stages:

1. **sample**: the previous round's model answers every item ``iterate.samples`` times
   (``generation.*`` with ``iterate.temperature``, seed ``generation.seed + r``, through ``iterate.provider``:
   ``hf``, or ``llamacpp`` for llama.cpp's faster CPU decoding); the answers are checked
   as ``verify`` checks them (``chathpc.evaluate.runner.run_evaluation``: the provider batched,
   ``check_samples`` through the check scheduler) into ``round-R/samples.jsonl``;
2. **hint**: items with no passing sample are asked again with a hint (``iterate.hints``: a skeleton of
   the expert answer or the task's description of the decomposition) into ``round-R/hinted.jsonl``;
3. **keep**: the kept pool (the previous round's plus this round's passing programs), distinct by
   normalized text and other than the item's expert answer, fastest first with ``iterate.prefer_faster``,
   at most ``iterate.keep`` per item, into ``round-R/kept.jsonl``; ``round-R/extra.jsonl`` holds them as
   records whose question is the item's own, never the hinted one;
4. **train**: ``model.base`` is fine-tuned afresh (``iterate.finetune``, the SFT path ``chathpc.train.sft``)
   on the training records plus ``extra.jsonl`` (added as ``data.refine_file``; it holds ``data.refine_file``'s
   records first) into ``round-R/train/``.

```
RUN_DIR/
  config.yaml run.json result.json   as every run (chathpc.train.runs); run.json's plan names the finetune method
  metrics.jsonl      one line per round (round.json of each round)
  round-0/train/     the first fine-tune (without iterate.start)
  round-R/           samples.jsonl hinted.jsonl kept.jsonl extra.jsonl train/ round.json (written last: the round is done)
  adapter/ | model/  the last round's weights (hard links), so -m hf:RUN_DIR takes the run like any other
```
Every stage's output is written atomically or appended line by line, so ``--resume`` continues a killed
run at the stage it was in (a half-written samples file where it stopped, a half-trained round from its
last checkpoint).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any, Sequence

from chathpc.config import RunConfig
from chathpc.data import Record, load_records
from chathpc.errors import ChathpcError, ConfigError
from chathpc.files import atomic_write_text, file_sha256
from chathpc.models import run_layout
from chathpc.providers.llamacpp import INSTALL_HINT
from chathpc.train import runs
from chathpc.train.plan import DatasetFingerprint, TrainPlan, prepare_sft, training_records

ROUND_FILE = "round.json"
SAMPLES_FILE = "samples.jsonl"
HINTED_FILE = "hinted.jsonl"
KEPT_FILE = "kept.jsonl"
EXTRA_FILE = "extra.jsonl"
TRAIN_DIR = "train"
GENERIC_DECOMPOSITION = ("divide the loop iterations into balanced contiguous blocks, one per rank (the first n % size ranks "
                         "take one more), compute each block on its rank and combine the partial results with one collective "
                         "call; only rank 0 prints")
_SKELETON_LINE = re.compile(r"^\s*#\s*include|\bmain\s*\(|\bMPI_(Init|Comm_rank|Comm_size|Finalize)\b|\b(rank|size|nprocs|nranks)\b|"
                            r"^\s*return\s+0\s*;|^}\s*$")


class IterationPlan(TrainPlan):
    """An expert-iteration run's plan: the first fine-tune's plan plus what is sampled and how often."""

    finetune: str
    rounds: int
    sample_items: int
    samples_per_round: int
    start: str | None


class IterationResult(runs.TrainResult):
    """A finished expert-iteration run: the last round's training result plus what the rounds kept."""

    rounds: int
    kept: int
    pass_rate: float | None


def _round_config(config: RunConfig, output_dir: Path, refine_file: str | None) -> RunConfig:
    training = config.training.model_copy(update={"method": config.iterate.finetune, "output_dir": str(output_dir)})
    data = config.data.model_copy(update={"refine_file": refine_file})
    return config.model_copy(update={"training": training, "data": data})


def _items(config: RunConfig) -> tuple[list[Record], list[DatasetFingerprint]]:
    """The records to sample from and the fingerprint of their file when it is not the training data's."""
    items_file = config.iterate.items_file
    if items_file is None:
        named, _, _ = training_records(config, with_eval=False)
        return [record for _, record in named], []
    from chathpc.evaluate.runner import dataset_records
    from chathpc.tasks import SPLITS, dataset_file

    configured = {"train": config.data.train_file, "test": config.data.test_file, "refine": config.data.refine_file}
    path = Path((configured[items_file] or dataset_file(items_file)) if items_file in SPLITS else items_file)
    test = Path(config.data.test_file or dataset_file("test"))
    if items_file == "test" or (path.exists() and test.exists() and path.resolve() == test.resolve()):
        raise ConfigError(f"iterate.items_file={items_file}: the held-out test split; its kept answers would be trained on")
    records = dataset_records(items_file, config, "train")
    return records, [DatasetFingerprint(role="items", path=str(path.resolve()), sha256=file_sha256(path), records=len(records))]


def validate_iteration(config: RunConfig) -> IterationPlan:
    """Check an expert-iteration config without loading weights: the first fine-tune's plan and the items."""
    first = prepare_sft(_round_config(config, Path(config.training.output_dir) / "round-0" / TRAIN_DIR, config.data.refine_file)).plan
    records, fingerprints = _items(config)
    if not records:
        raise ChathpcError("iterate: no items to sample from")
    it = config.iterate
    if it.start is not None and not Path(it.start).exists():
        raise ChathpcError(f"iterate.start '{it.start}': no such run directory, adapter or model")
    if it.provider == "llamacpp" and importlib.util.find_spec("llama_cpp") is None:
        raise ConfigError(f"iterate.provider=llamacpp: {INSTALL_HINT}")
    return IterationPlan(**{**first.model_dump(), "method": "expert_iteration", "datasets": [*first.datasets, *fingerprints]},
                         finetune=it.finetune, rounds=it.rounds, sample_items=len(records), samples_per_round=len(records) * it.samples,
                         start=it.start)


def skeleton(program: str) -> str:
    """The MPI set-up of an expert program without its kernel: includes, ``main``, ``MPI_Init``, rank and size,
    the lines that use them (block bounds) and ``MPI_Finalize``; every other run of lines becomes ``/* ... */``."""
    lines: list[str] = []
    for line in program.splitlines():
        if _SKELETON_LINE.search(line):
            lines.append(line)
        elif line.strip() and (not lines or lines[-1].strip() != "/* ... */"):
            lines.append(line[:len(line) - len(line.lstrip())] + "/* ... */")
    return "\n".join(lines) + "\n"


def hinted_record(record: Record, mode: str, tasks: dict[str, Any]) -> Record:
    """The record with a hint appended to its question: a skeleton of its expert answer or the decomposition in words."""
    from chathpc.extract import extract_code

    expert = extract_code(record.answer) if mode == "skeleton" and record.answer.strip() else None
    if expert is not None:
        hint = f"Hint: complete this outline of the MPI program (fill in the parts marked /* ... */):\n```c\n{skeleton(expert)}```"
    else:
        task = tasks.get((record.metadata or {}).get("task"))
        hint = f"Hint: {task.description if task is not None else GENERIC_DECOMPOSITION}."
    return record.model_copy(update={"question": f"{record.question.rstrip()}\n\n{hint}"})


def _sample(records: Sequence[Record], config: RunConfig, model: str, out: Path, round_index: int, progress: bool):
    """The sample stage (one results line per answer, resumable): ``model`` answers each record ``iterate.samples`` times."""
    from chathpc.evaluate.results import read_results
    from chathpc.evaluate.runner import run_evaluation

    it = config.iterate
    generation = config.generation.model_copy(update={"samples": it.samples, "temperature": it.temperature,
                                                      "seed": config.generation.seed + round_index})
    sampling = config.model_copy(update={"generation": generation, "model": config.model.model_copy(update={"adapter": None})})
    run_evaluation(list(records), sampling, out, provider_spec=f"{it.provider}:{model}", perf=it.prefer_faster, resume=True, progress=progress)
    return read_results(out).lines


def _code_key(code: str) -> str:
    from chathpc.tasks import normalize_code

    return normalize_code(code)


def keep_programs(previous: list[dict], lines: Sequence, hinted_lines: Sequence, hinted_items: list[int], records: Sequence[Record],
                  round_index: int, keep: int, prefer_faster: bool) -> list[dict]:
    """The kept pool after a round: earlier kept programs plus this round's passing ones, distinct by normalized
    text and other than the item's expert answer, fastest first when timed, at most ``keep`` per item."""
    from chathpc.evaluate.items import normalized_text

    candidates = list(previous)
    for hinted, found in ((False, lines), (True, hinted_lines)):
        for line in found:
            if line.passed and line.code is not None:
                index = hinted_items[line.item_index] if hinted else line.item_index
                best = max((s for ranks, s in line.speedup.items() if ranks > 1), default=None)
                candidates.append({"item_index": index, "item_id": records[index].id or f"item{index}", "round": round_index, "sample": line.sample,
                                   "hinted": hinted, "speedup": best, "code": line.code})
    pool: dict[int, list[dict]] = {}
    seen: set[tuple[int, str]] = set()
    for entry in candidates:
        index = entry["item_index"]
        key = _code_key(entry["code"])
        if (index, key) in seen or key == normalized_text(records[index].answer):
            continue
        seen.add((index, key))
        pool.setdefault(index, []).append(entry)
    kept = []
    for index in sorted(pool):
        entries = pool[index]
        if prefer_faster:
            entries = sorted(entries, key=lambda e: -(e["speedup"] or 0.0))  # stable: earlier first among equals
        kept += entries[:keep]
    return kept


def kept_record(entry: dict, record: Record) -> Record:
    """A kept program as a training record: the item's own (un-hinted) question, the program as the answer."""
    language = (record.metadata or {}).get("language", "c")
    code = entry["code"] if entry["code"].endswith("\n") else entry["code"] + "\n"
    provenance = {key: entry[key] for key in ("round", "sample", "hinted", "speedup")}
    return record.model_copy(update={
        "id": f"{entry['item_id']}-r{entry['round']}s{entry['sample']}{'h' if entry['hinted'] else ''}",
        "answer": f"```{language}\n{code}```", "metadata": {**(record.metadata or {}), "expert_iteration": provenance},
    })


def _write_jsonl(path: Path, rows: Sequence[dict]) -> None:
    atomic_write_text(path, "".join(json.dumps(row) + "\n" for row in rows))


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _keep_stage(config: RunConfig, round_dir: Path, previous: list[dict], lines, hinted_lines, hinted_items: list[int],
                records: Sequence[Record], round_index: int) -> list[dict]:
    """Write kept.jsonl and extra.jsonl (data.refine_file's records first) of a round; returns the kept pool."""
    it = config.iterate
    kept = keep_programs(previous, lines, hinted_lines, hinted_items, records, round_index, it.keep, it.prefer_faster)
    extra = load_records(config.data.refine_file) if config.data.refine_file else []
    extra += [kept_record(entry, records[entry["item_index"]]) for entry in kept]
    _write_jsonl(round_dir / EXTRA_FILE, [record.to_dict() for record in extra])
    _write_jsonl(round_dir / KEPT_FILE, kept)
    return kept


def _train_round(config: RunConfig, round_dir: Path, refine_file: str | None, progress: bool) -> runs.TrainResult:
    from chathpc.train.sft import train_sft

    return train_sft(_round_config(config, round_dir / TRAIN_DIR, refine_file), resume=True, progress=progress)


def _run_round(config: RunConfig, run_dir: Path, round_index: int, model: str, records: Sequence[Record], tasks: dict[str, Any],
               previous: list[dict], progress: bool) -> tuple[dict, list[dict]]:
    round_dir = run_dir / f"round-{round_index}"
    round_dir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    lines = _sample(records, config, model, round_dir / SAMPLES_FILE, round_index, progress)
    solved = {line.item_index for line in lines if line.passed}
    hinted_items = [i for i in range(len(records)) if i not in solved] if config.iterate.hints != "off" else []
    hinted_lines = []
    if hinted_items:
        hinted = [hinted_record(records[i], config.iterate.hints, tasks) for i in hinted_items]
        hinted_lines = _sample(hinted, config, model, round_dir / HINTED_FILE, round_index, progress)
    if (round_dir / KEPT_FILE).is_file() and (round_dir / EXTRA_FILE).is_file():
        kept = _read_jsonl(round_dir / KEPT_FILE)
    else:
        kept = _keep_stage(config, round_dir, previous, lines, hinted_lines, hinted_items, records, round_index)
    extra = round_dir / EXTRA_FILE
    trained = _train_round(config, round_dir, str(extra) if extra.read_text(encoding="utf-8").strip() else None, progress)
    new = [entry for entry in kept if entry["round"] == round_index]
    passed = sum(line.passed for line in lines)
    metrics = {
        "round": round_index, "model": model, "items": len(records), "samples": len(lines), "passed": passed,
        "items_passed": len(solved), "pass_rate": passed / len(lines) if lines else None,
        "hinted": len(hinted_items), "hinted_samples": len(hinted_lines), "hinted_passed": sum(line.passed for line in hinted_lines),
        "kept_new": len(new), "kept_hinted": sum(e["hinted"] for e in new), "kept": len(kept),
        "kept_items": len({e["item_index"] for e in kept}), "train_examples": _train_examples(trained),
        "train_loss": trained.train_loss, "eval_loss": trained.eval_loss, "steps": trained.steps,
        "seconds": round(time.time() - started, 3),
    }
    runs.write_json_atomic(round_dir / ROUND_FILE, metrics)
    return metrics, kept


def _train_examples(result: runs.TrainResult) -> int | None:
    info = run_layout.read_run_info(result.run_dir)
    return info.get("plan", {}).get("train_examples")


def _link_weights(source: Path, run_dir: Path) -> Path:
    """The last round's adapter/ or model/ hard-linked (copied across file systems) into the run directory."""
    final, staging = run_dir / source.name, run_dir / f".{source.name}.tmp"
    if staging.exists():
        shutil.rmtree(staging)

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, staging, copy_function=link)
    if final.exists():
        shutil.rmtree(final)
    staging.replace(final)
    return final


def train_expert_iteration(config: RunConfig, *, resume: bool = False, force: bool = False, progress: bool = True) -> IterationResult:
    """Run expert iteration into ``training.output_dir`` (see module docs); ``resume`` continues at the stage a run stopped in."""
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise ConfigError("training.method=expert_iteration runs in one process (each round's sampling and checks are not "
                          "shared out); start it without torchrun or accelerate launch")
    started = time.time()
    plan = validate_iteration(config)
    run_dir = Path(config.training.output_dir)
    state, _, _ = runs.open_run_dir(run_dir, config, plan, resume=resume, force=force, main=True)
    if state == "finished":
        return IterationResult(**run_layout.read_json(run_dir / run_layout.RESULT_FILE))
    records, _ = _items(config)
    tasks: dict[str, Any] = {}
    if any(isinstance((r.metadata or {}).get("task"), str) for r in records):
        from chathpc.tasks import load_suite

        tasks = {task.id: task for task in load_suite()}
    rows: list[dict] = []
    if config.iterate.start is not None:
        model = str(Path(config.iterate.start).resolve())
    else:
        first = _train_round(config, run_dir / "round-0", config.data.refine_file, progress)
        rows.append({"round": 0, "train_examples": _train_examples(first), "train_loss": first.train_loss,
                     "eval_loss": first.eval_loss, "steps": first.steps})
        model = first.run_dir
    kept: list[dict] = []
    for round_index in range(1, config.iterate.rounds + 1):
        round_dir = run_dir / f"round-{round_index}"
        if (round_dir / ROUND_FILE).is_file():
            metrics, kept = run_layout.read_json(round_dir / ROUND_FILE), _read_jsonl(round_dir / KEPT_FILE)
        else:
            metrics, kept = _run_round(config, run_dir, round_index, model, records, tasks, kept, progress)
        rows.append(metrics)
        atomic_write_text(run_dir / runs.METRICS_FILE, "".join(json.dumps(row) + "\n" for row in rows))
        model = str(round_dir / TRAIN_DIR)
    method, weights, _ = run_layout.final_weights(model)
    final = _link_weights(weights, run_dir)
    last = run_layout.read_json(Path(model) / run_layout.RESULT_FILE)
    result = IterationResult(
        run_dir=str(run_dir), method="expert_iteration", base_model=plan.base_model, steps=last["steps"],
        train_loss=last["train_loss"], eval_loss=last["eval_loss"], truncated_train=last["truncated_train"],
        truncated_eval=last["truncated_eval"], adapter_dir=str(final) if method in run_layout.ADAPTER_METHODS else None,
        model_dir=None if method in run_layout.ADAPTER_METHODS else str(final), resumed_from_step=None,
        seconds=round(time.time() - started, 3), rounds=config.iterate.rounds, kept=len(kept),
        pass_rate=rows[-1].get("pass_rate"),
    )
    runs.mark_finished(run_dir, result)
    return result

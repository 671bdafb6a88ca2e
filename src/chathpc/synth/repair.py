"""Repair data: mutants of verified MPI programs, each failed by the harness, as ``parallelize --repair`` turns.

For every record of a dataset (a synth dataset or a suite split: the sequential program in the question,
the MPI program in the answer, the argument sets in ``metadata.args``), up to ``per_pair`` bug classes that
apply to its program are used, the classes used least so far first, so that the classes are covered evenly.
A mutant enters the repair set only when the harness fails it; the record is the repair request exactly
as ``chathpc.assist.parallelize.repair_record`` renders it for ``parallelize --repair`` (the sequential
program, the broken program, the verdict and ``CheckResult.feedback()``), and the answer is the verified
program it was mutated from.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, Callable

from chathpc.assist.parallelize import Candidate, repair_record, translation_record
from chathpc.extract import extract_code, question_program
from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.data import Record
from chathpc.data.records import dump_records, load_records
from chathpc.errors import ChathpcError, DataError
from chathpc.files import atomic_write_text, refuse_existing
from chathpc.harness import CheckResult
from chathpc.report.tables import markdown_table
from chathpc.schedule import CheckJob, Scheduler
from chathpc.synth.mutations import MUTATIONS

REPAIR_OUTPUTS = ("dataset.jsonl", "repair-stats.md", "repair-stats.json")
REPAIR_TIMEOUT = 8.0
"""Seconds a correctness run of a mutant may take (deadlocks end here instead of at harness.timeout)."""


def repair_example(sequential: str, mutant: str, fixed: str, result: CheckResult) -> Record:
    """The repair turn for a failed ``mutant`` (as parallelize renders it) with ``fixed`` as the answer."""
    failed = Candidate(round=0, sample=0, raw_output=f"```c\n{mutant.rstrip()}\n```", code=mutant, check=result)
    turn = repair_record(translation_record(sequential), sequential, failed, 1)
    return turn.model_copy(update={"answer": f"```c\n{fixed.rstrip()}\n```"})


def _programs(record: Record, where: str) -> tuple[str, str, list[list[str]] | None]:
    sequential = question_program(record.question)
    fixed = extract_code(record.answer)
    if sequential is None or fixed is None:
        raise DataError(f"{where}: the question must hold the sequential program and the answer the MPI program")
    args = record.metadata.get("args")
    return sequential, fixed, [list(map(str, a)) for a in args] if args else None


def make_repairs(source: str | Path, out: str | Path, *, per_pair: int = 2, seed: int = 0, classes: list[str] | None = None,
                 harness: HarnessConfig | None = None, schedule: ScheduleConfig | None = None, jobs: int | None = None,
                 force: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write ``out/dataset.jsonl`` (repair records) and ``out/repair-stats.{md,json}`` from the dataset ``source``."""
    out = Path(out)
    classes = classes or list(MUTATIONS)
    unknown = [c for c in classes if c not in MUTATIONS]
    if unknown:
        raise ChathpcError(f"unknown bug class {', '.join(unknown)} (choose from {', '.join(MUTATIONS)})")
    if per_pair < 1:
        raise ChathpcError("--per-pair must be at least 1")
    for name in REPAIR_OUTPUTS:
        refuse_existing(out / name, force)
    records = load_records(source)
    harness = harness or HarnessConfig()
    harness = harness.model_copy(update={"timeout": min(harness.timeout, REPAIR_TIMEOUT), "explore": False})
    tries: list[dict[str, Any]] = []
    made_per_class = dict.fromkeys(classes, 0)
    for position, record in enumerate(records):
        sequential, fixed, args = _programs(record, f"{source}:{position + 1}")
        made = 0
        # the classes used least so far first (ties: rotated by position), so that rare classes get every chance
        order = sorted(classes, key=lambda c: (made_per_class[c], (classes.index(c) - position) % len(classes)))
        for name in order:
            if made >= per_pair:
                break
            mutant = MUTATIONS[name](fixed, random.Random(f"{seed}:{record.id or position}:{name}"))
            if mutant is None or mutant == fixed:
                continue
            tries.append({"record": record, "position": position, "class": name, "sequential": sequential, "fixed": fixed,
                          "mutant": mutant, "args": args})
            made += 1
            made_per_class[name] += 1
    if progress is not None:
        progress(f"checking {len(tries)} mutants of {len(records)} programs")
    outcomes = Scheduler(harness, schedule, jobs=jobs).map(
        [CheckJob(sequential=t["sequential"], candidate=t["mutant"], args=t["args"]) for t in tries])
    kept: list[Record] = []
    per_class: dict[str, dict[str, Any]] = {name: {"tried": 0, "failed": 0, "passed": 0, "verdicts": {}} for name in classes}
    for attempt, outcome in zip(tries, outcomes):
        row = per_class[attempt["class"]]
        row["tried"] += 1
        if not isinstance(outcome, CheckResult):
            continue
        if outcome.passed:
            row["passed"] += 1
            continue
        row["failed"] += 1
        row["verdicts"][outcome.verdict.value] = row["verdicts"].get(outcome.verdict.value, 0) + 1
        base = attempt["record"]
        example = repair_example(attempt["sequential"], attempt["mutant"], attempt["fixed"], outcome)
        kept.append(example.model_copy(update={
            "id": f"repair-{base.id or attempt['position']}-{attempt['class']}",
            "metadata": {**example.metadata, "source": "synth-repair", "bug_class": attempt["class"], "from": base.id,
                         "verdict": outcome.verdict.value, "args": attempt["args"], "ranks": list(harness.ranks)},
        }))
    atomic_write_text(out / "dataset.jsonl", dump_records(kept, "jsonl"), overwrite=force)
    stats = {"source": str(source), "programs": len(records), "per_pair": per_pair, "seed": seed, "mutants": len(tries),
             "kept": len(kept), "classes": per_class}
    atomic_write_text(out / "repair-stats.json", json.dumps(stats, indent=2) + "\n", overwrite=force)
    rows = [[name, str(r["tried"]), str(r["failed"]), str(r["passed"]),
             ", ".join(f"{v} {k}" for k, v in sorted(r["verdicts"].items())) or "-"] for name, r in per_class.items()]
    text = "\n".join([f"# synth repair: {len(kept)} repair turns from {len(records)} verified programs", "",
                      f"Source {source}; up to {per_pair} bug classes a program; a mutant that passes the harness is dropped.", "",
                      *markdown_table(["bug class", "mutants", "failed (kept)", "passed (dropped)", "verdicts"], rows)]) + "\n"
    atomic_write_text(out / "repair-stats.md", text, overwrite=force)
    return stats

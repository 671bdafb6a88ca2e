"""``chathpc bench``: every task's reference solution (and variants) through the harness.

Every solution is a job of ``chathpc.schedule.Scheduler`` (each task has its own argument sets and
tolerances): correctness checks in parallel, timing runs (``perf``) alone. Results are typed rows
(``BenchReport``); ``chathpc.report.bench`` writes them as JSON, CSV and Markdown.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Literal

from pydantic import BaseModel, Field

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.errors import ChathpcError
from chathpc.harness.results import TIMING_FLOOR_SECONDS, RankTiming
from chathpc.harness.targets import configuration_label, get_target
from chathpc.tasks.loader import SPLITS, Task, TaskError, load_suite

Solutions = Literal["reference", "variants", "all"]
SLOWER_THRESHOLD = 1.05  # a variant this much slower than the reference (same rank count) is reported


class SolutionResult(BaseModel):
    """One row of the benchmark: one solution of one task."""

    task: str
    domain: str
    split: str
    solution: str = Field(description="'reference' (mpi.c) or the variant name")
    verdict: str = Field(description="Harness verdict, or 'sequential_error' when the task's own seq.c failed")
    passed: bool
    verdict_by_ranks: dict[int, str] = Field(default_factory=dict, description="Worst verdict over the argument sets, per rank count (mpi)")
    verdict_by_config: dict[str, str] = Field(
        default_factory=dict, description="Worst verdict over the argument sets and repeats, per configuration (t2, 2x2: other targets)")
    summary: str = ""
    diagnosis: str = Field("", description="The harness's one-line diagnosis of a failure")
    sequential_seconds: float | None = None
    sequential_rss_mib: float | None = Field(None, description="Peak resident set of the sequential program at the timing arguments, MiB")
    timings: list[RankTiming] = Field(default_factory=list, description="The harness's timing per rank count")
    perf_flags: list[str] = Field(default_factory=list)
    perf_error: str | None = None
    slowdown: float | None = Field(None, description="Variant time / reference time at the largest common timed rank count")
    slowdown_ranks: int | None = None
    slowdown_threads: int | None = None
    seconds: float = Field(0.0, description="Wall time of the check")
    isolation: str = Field("", description="The sandbox level the check's runs had")

    @property
    def is_reference(self) -> bool:
        return self.solution == "reference"

    @property
    def timeable(self) -> bool:
        """Whether the sequential run reached the timing floor: below it no speedup or efficiency is quoted."""
        return self.sequential_seconds is not None and self.sequential_seconds >= TIMING_FLOOR_SECONDS


class BenchReport(BaseModel):
    """The whole benchmark run: selection, settings and one row per solution."""

    created: str
    split: str
    domain: str | None
    solutions: str
    perf: bool
    target: str = Field("mpi", description="The programming model checked (harness.target)")
    ranks: list[int]
    perf_ranks: list[int]
    configurations: list[str] = Field(default_factory=list, description="Configuration labels checked (targets other than mpi)")
    perf_configurations: list[str] = Field(default_factory=list, description="Configuration labels timed (targets other than mpi)")
    skipped_tasks: list[str] = Field(default_factory=list, description="Selected tasks without a solution of the target")
    explore: bool = Field(False, description="Derived inputs and rank counts were probed (harness.explore)")
    sanitize: bool = Field(False, description="A sanitizer build ran too (harness.sanitize)")
    isolation: str = Field("", description="The sandbox levels the runs had (comma-separated when they differ)")
    rows: list[SolutionResult]

    def reference_failures(self) -> list[SolutionResult]:
        """Reference solutions that did not pass: each is a bug in the suite."""
        return [r for r in self.rows if r.is_reference and not r.passed]

    def slower_variants(self) -> list[SolutionResult]:
        """Timed variants slower than their reference, slowest first."""
        rows = [r for r in self.rows if r.slowdown is not None and r.slowdown > SLOWER_THRESHOLD]
        return sorted(rows, key=lambda r: -(r.slowdown or 0.0))


def select_solutions(tasks: list[Task], solutions: Solutions, target: str = "mpi") -> list[tuple[Task, str, str]]:
    """(task, solution name, source) for the chosen solutions of ``target`` of each task, in suite order
    (tasks without a solution of the target give none)."""
    if solutions not in ("reference", "variants", "all"):
        raise ChathpcError(f"unknown solutions '{solutions}' (choose from reference, variants, all)")
    chosen = []
    for task in tasks:
        for name, source in task.solutions(target).items():
            if solutions == "all" or (solutions == "reference") == (name == "reference"):
                chosen.append((task, name, source))
    return chosen


def _worst_by_ranks(result) -> dict[int, str]:
    out: dict[int, str] = {}
    for run in result.runs:
        if out.get(run.ranks, "pass") == "pass":
            out[run.ranks] = run.verdict.value
    return out


def _worst_by_config(result) -> dict[str, str]:
    out: dict[str, str] = {}
    for run in result.runs:
        label = configuration_label(run.ranks, run.threads, result.target)
        if out.get(label, "pass") == "pass":
            out[label] = run.verdict.value
    return out


def _row(task: Task, name: str, outcome) -> SolutionResult:
    """A bench row from a scheduler outcome (a ``CheckResult`` or the error of a failing seq.c)."""
    from chathpc.harness import CheckResult

    row = SolutionResult(task=task.id, domain=task.domain, split=task.split, solution=name, verdict="", passed=False)
    if not isinstance(outcome, CheckResult):
        row.verdict, row.summary = "sequential_error", f"the task's sequential program failed: {outcome}"
        return row
    row.verdict, row.passed, row.summary, row.seconds = outcome.verdict.value, outcome.passed, outcome.summary(), outcome.seconds
    row.isolation, row.diagnosis = outcome.isolation, outcome.diagnosis
    if outcome.target == "mpi":
        row.verdict_by_ranks = _worst_by_ranks(outcome)
    else:
        row.verdict_by_config = _worst_by_config(outcome)
    perf = outcome.perf
    if perf is not None:
        row.sequential_seconds = perf.sequential_seconds if perf.sequential_samples else None
        row.sequential_rss_mib = perf.sequential_rss_mib
        row.timings = list(perf.timings)
        row.perf_flags = list(perf.flags)
        row.perf_error = perf.error
    return row


def _slowdowns(rows: list[SolutionResult]) -> None:
    references = {r.task: r for r in rows if r.is_reference}
    for row in rows:
        ref = references.get(row.task)
        if row.is_reference or ref is None or not row.timings or not ref.timings:
            continue
        ref_times = {(t.ranks, t.threads): t.seconds for t in ref.timings}
        common = [t for t in row.timings if ref_times.get((t.ranks, t.threads), 0) > 0]
        if common:
            top = max(common, key=lambda t: (t.ranks * (t.threads or 1), t.ranks))
            row.slowdown = round(top.seconds / ref_times[(top.ranks, top.threads)], 3)
            row.slowdown_ranks, row.slowdown_threads = top.ranks, top.threads


def run_bench(
    split: str | None = None,
    domain: str | None = None,
    *,
    solutions: Solutions = "reference",
    perf: bool = False,
    config: HarnessConfig | None = None,
    task_ids: list[str] | None = None,
    jobs: int | None = None,
    progress: Callable[[SolutionResult], None] | None = None,
    root: str | Path | None = None,
    schedule: ScheduleConfig | None = None,
) -> BenchReport:
    """Check (and with ``perf`` time) the chosen solutions of the chosen tasks.

    ``split`` is train, test, refine or None/"all". With ``solutions="all"`` variants are timed too
    and compared with their reference. ``progress`` is called once per finished check or timing.
    Checks go through ``chathpc.schedule.Scheduler`` (``schedule``; ``jobs`` workers).
    ``root`` is another suite directory (default: the built-in suite).
    """
    cfg = config or HarnessConfig()
    split_filter = None if split in (None, "all") else split
    if split_filter is not None and split_filter not in SPLITS:
        raise TaskError(f"unknown split '{split}' (choose from {', '.join(SPLITS)}, all)")
    tasks = load_suite(split=split_filter, domain=domain, root=root)
    if task_ids:
        known = {t.id for t in load_suite(root=root)}
        unknown = [t for t in task_ids if t not in known]
        if unknown:
            raise TaskError(f"unknown task '{unknown[0]}'")
        tasks = [t for t in tasks if t.id in set(task_ids)]
    chosen = select_solutions(tasks, solutions, cfg.target)
    skipped = [t.id for t in tasks if not t.solutions(cfg.target)]
    if not chosen:
        raise TaskError("no task matches the selection" + (f" (none of the {len(tasks)} selected tasks has a {cfg.target} solution)"
                                                           if skipped else ""))
    from chathpc.schedule import CheckJob, Scheduler

    checks = []
    for task, _, source in chosen:
        candidate, options = task.program(source, cfg.target)
        checks.append(CheckJob(sequential=task.seq_source, candidate=candidate or "", args=task.args, perf=perf,
                               perf_args=task.perf_args, rtol=task.rtol, atol=task.atol, options=options))

    def advance(index: int, outcome, stage: str) -> None:
        if progress:
            progress(_row(chosen[index][0], chosen[index][1], outcome))

    outcomes = Scheduler(cfg, schedule, jobs=jobs).map(checks, advance)
    done = [_row(task, name, outcome) for (task, name, _), outcome in zip(chosen, outcomes)]
    if perf:
        if progress:  # the solutions that were not timed end their timing stage too
            for row in done:
                if not row.passed:
                    progress(row)
        _slowdowns(done)
    target = get_target(cfg.target)
    labels = [] if cfg.target == "mpi" else [configuration_label(p.ranks, p.threads, cfg.target) for p in target.configurations(cfg)]
    perf_labels = [] if cfg.target == "mpi" else [configuration_label(p.ranks, p.threads, cfg.target) for p in target.perf_configurations(cfg)]
    return BenchReport(
        created=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        split=split or "all", domain=domain, solutions=solutions, perf=perf, target=cfg.target,
        configurations=labels, perf_configurations=perf_labels, skipped_tasks=skipped,
        ranks=list(cfg.ranks), perf_ranks=list(cfg.perf_ranks), explore=cfg.explore, sanitize=cfg.sanitize,
        isolation=", ".join(sorted({r.isolation for r in done if r.isolation})), rows=done,
    )

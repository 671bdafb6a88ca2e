"""``chathpc bench``: every task's reference solution (and variants) through the harness.

Every solution is a job of ``chathpc.schedule.Scheduler`` (each task has its own argument sets and
tolerances): correctness checks in parallel, timing runs (``perf``) alone. Results are typed rows,
written side by side as JSON, CSV and Markdown.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Literal

from pydantic import BaseModel, Field

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text
from chathpc.report import markdown_table
from chathpc.tasks.loader import SPLITS, Task, TaskError, load_suite

Solutions = Literal["reference", "variants", "all"]
SLOWER_THRESHOLD = 1.05  # a variant this much slower than the reference (same rank count) is reported
BENCH_FILES = ("bench.json", "bench.csv", "bench.md")


class Timing(BaseModel):
    """One timed rank count of one solution."""

    ranks: int
    seconds: float
    speedup: float | None = Field(description="None when the sequential run is below the timing floor (no speedup quoted)")
    efficiency: float | None
    bytes_sent: int = Field(description="Point-to-point plus collective bytes sent, summed over ranks")
    max_rss_mib: float | None = Field(None, description="Largest peak resident set of a rank, MiB")


class SolutionResult(BaseModel):
    """One row of the benchmark: one solution of one task."""

    task: str
    domain: str
    split: str
    solution: str = Field(description="'reference' (mpi.c) or the variant name")
    verdict: str = Field(description="Harness verdict, or 'sequential_error' when the task's own seq.c failed")
    passed: bool
    verdict_by_ranks: dict[int, str] = Field(default_factory=dict, description="Worst verdict over the argument sets, per rank count")
    summary: str = ""
    diagnosis: str = Field("", description="The harness's one-line diagnosis of a failure")
    sequential_seconds: float | None = None
    sequential_rss_mib: float | None = Field(None, description="Peak resident set of the sequential program at the timing arguments, MiB")
    timings: list[Timing] = Field(default_factory=list)
    perf_flags: list[str] = Field(default_factory=list)
    perf_error: str | None = None
    slowdown: float | None = Field(None, description="Variant time / reference time at the largest common timed rank count")
    slowdown_ranks: int | None = None
    seconds: float = Field(0.0, description="Wall time of the check")
    isolation: str = Field("", description="The sandbox level the check's runs had")

    @property
    def is_reference(self) -> bool:
        return self.solution == "reference"


class BenchReport(BaseModel):
    """The whole benchmark run: selection, settings and one row per solution."""

    created: str
    split: str
    domain: str | None
    solutions: str
    perf: bool
    ranks: list[int]
    perf_ranks: list[int]
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


def select_solutions(tasks: list[Task], solutions: Solutions) -> list[tuple[Task, str, str]]:
    """(task, solution name, source) for the chosen solutions of each task, in suite order."""
    if solutions not in ("reference", "variants", "all"):
        raise ChathpcError(f"unknown solutions '{solutions}' (choose from reference, variants, all)")
    chosen = []
    for task in tasks:
        for name, source in task.solutions().items():
            if solutions == "all" or (solutions == "reference") == (name == "reference"):
                chosen.append((task, name, source))
    return chosen


def _worst_by_ranks(result) -> dict[int, str]:
    out: dict[int, str] = {}
    for run in result.runs:
        if out.get(run.ranks, "pass") == "pass":
            out[run.ranks] = run.verdict.value
    return out


def _timings(perf) -> list[Timing]:
    return [
        Timing(
            ranks=t.ranks, seconds=t.seconds, speedup=t.speedup if perf.timeable else None,
            efficiency=t.efficiency if perf.timeable else None,
            bytes_sent=sum(c.p2p_bytes + c.collective_bytes for c in t.comm), max_rss_mib=t.max_rss_mib,
        )
        for t in perf.timings
    ]


def _row(task: Task, name: str, outcome) -> SolutionResult:
    """A bench row from a scheduler outcome (a ``CheckResult`` or the error of a failing seq.c)."""
    from chathpc.harness import CheckResult

    row = SolutionResult(task=task.id, domain=task.domain, split=task.split, solution=name, verdict="", passed=False)
    if not isinstance(outcome, CheckResult):
        row.verdict, row.summary = "sequential_error", f"the task's sequential program failed: {outcome}"
        return row
    row.verdict, row.passed, row.summary, row.seconds = outcome.verdict.value, outcome.passed, outcome.summary(), outcome.seconds
    row.isolation, row.diagnosis = outcome.isolation, outcome.diagnosis
    row.verdict_by_ranks = _worst_by_ranks(outcome)
    perf = outcome.perf
    if perf is not None:
        row.sequential_seconds = perf.sequential_seconds if perf.sequential_samples else None
        row.sequential_rss_mib = perf.sequential_rss_mib
        row.timings = _timings(perf)
        row.perf_flags = list(perf.flags)
        row.perf_error = perf.error
    return row


def _slowdowns(rows: list[SolutionResult]) -> None:
    references = {r.task: r for r in rows if r.is_reference}
    for row in rows:
        ref = references.get(row.task)
        if row.is_reference or ref is None or not row.timings or not ref.timings:
            continue
        ref_times = {t.ranks: t.seconds for t in ref.timings}
        common = [t for t in row.timings if t.ranks in ref_times and ref_times[t.ranks] > 0]
        if common:
            top = max(common, key=lambda t: t.ranks)
            row.slowdown = round(top.seconds / ref_times[top.ranks], 3)
            row.slowdown_ranks = top.ranks


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
    chosen = select_solutions(tasks, solutions)
    if not chosen:
        raise TaskError("no task matches the selection")
    from chathpc.schedule import CheckJob, Scheduler

    checks = [
        CheckJob(sequential=task.seq_source, candidate=task.candidate(source) or "", args=task.args, perf=perf,
                 perf_args=task.perf_args, rtol=task.rtol, atol=task.atol, options=task.options)
        for task, _, source in chosen
    ]

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
    return BenchReport(
        created=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        split=split or "all", domain=domain, solutions=solutions, perf=perf,
        ranks=list(cfg.ranks), perf_ranks=list(cfg.perf_ranks), explore=cfg.explore, sanitize=cfg.sanitize,
        isolation=", ".join(sorted({r.isolation for r in done if r.isolation})), rows=done,
    )


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "" if value is None else format(value, spec)


def _human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def table_rows(report: BenchReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the result table (shared by CSV, Markdown and the terminal)."""
    header = ["task", "domain", "split", "solution", "verdict"] + [f"np{n}" for n in report.ranks]
    if report.perf:
        header += ["seq_s", "seq_mib"]
        for n in report.perf_ranks:
            header += [f"time_np{n}", f"speedup_np{n}", f"mib_np{n}", f"eff_np{n}", f"bytes_np{n}"]
        header += ["vs_reference"]
    out = []
    for row in report.rows:
        cells = [row.task, row.domain, row.split, row.solution, row.verdict]
        cells += [row.verdict_by_ranks.get(n, "") for n in report.ranks]
        if report.perf:
            cells += [_fmt(row.sequential_seconds, ".3f"), _fmt(row.sequential_rss_mib, ".0f")]
            timed = {t.ranks: t for t in row.timings}
            for n in report.perf_ranks:
                t = timed.get(n)
                cells += ([_fmt(t.seconds, ".3f"), _fmt(t.speedup), _fmt(t.max_rss_mib, ".0f"), _fmt(t.efficiency), str(t.bytes_sent)]
                          if t else ["", "", "", "", ""])
            cells.append(f"{row.slowdown:.2f}x @np{row.slowdown_ranks}" if row.slowdown is not None else "")
        out.append(cells)
    return header, out


def report_csv(report: BenchReport) -> str:
    """The result table as CSV."""
    header, rows = table_rows(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def findings(report: BenchReport) -> list[str]:
    """Plain-language findings: failing references, slower variants, perf flags."""
    lines = []
    for row in report.reference_failures():
        lines.append(f"BROKEN TASK: {row.task} reference {row.verdict}: {row.summary}")
    for row in report.rows:
        if not row.is_reference and not row.passed:
            lines.append(f"variant {row.task}/{row.solution} {row.verdict}: {row.summary}")
    for row in report.slower_variants():
        lines.append(f"variant {row.task}/{row.solution} is {row.slowdown:.2f}x slower than the reference at {row.slowdown_ranks} ranks")
    if report.perf:
        for row in report.rows:
            if row.perf_error:
                lines.append(f"{row.task}/{row.solution}: timing failed: {row.perf_error}")
            for flag in row.perf_flags:
                lines.append(f"{row.task}/{row.solution}: {flag}")
    return lines


def report_markdown(report: BenchReport) -> str:
    """The result table and findings as Markdown."""
    header, rows = table_rows(report)
    passed = sum(r.passed for r in report.rows)
    lines = [
        f"# chathpc bench ({report.created})",
        "",
        f"split {report.split}, domain {report.domain or 'all'}, solutions {report.solutions}; "
        f"ranks {','.join(map(str, report.ranks))}; isolation {report.isolation}; "
        f"{'explored; ' if report.explore else ''}{'sanitized; ' if report.sanitize else ''}"
        f"{passed}/{len(report.rows)} solutions pass",
        "",
        *markdown_table(header, rows),
    ]
    notes = findings(report)
    if notes:
        lines += ["", "## Findings", ""] + [f"- {n}" for n in notes]
    return "\n".join(lines) + "\n"


def report_text(report: BenchReport) -> str:
    """The result table aligned for a terminal, followed by the findings."""
    header, rows = table_rows(report)
    if report.perf:
        keep = [i for i, h in enumerate(header) if not h.startswith(("eff_", "split"))]
        header = [header[i] for i in keep]
        rows = [[r[i] for i in keep] for r in rows]
        for r in rows:
            for i, h in enumerate(header):
                if h.startswith("bytes_") and r[i]:
                    r[i] = _human_bytes(int(r[i]))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    passed = sum(r.passed for r in report.rows)
    lines.append(f"{passed}/{len(report.rows)} solutions pass")
    lines += findings(report)
    return "\n".join(lines)


def report_paths(out_dir: str | Path, *, overwrite: bool = False) -> list[Path]:
    """The bench.json/csv/md paths in ``out_dir``; an error if any exists (unless ``overwrite``)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ChathpcError(f"{out}: not a directory")
    paths = [out / name for name in BENCH_FILES]
    existing = [p for p in paths if p.exists()]
    if existing and not overwrite:
        raise ChathpcError(f"{existing[0]}: already exists (use --force to overwrite, or another --out)")
    return paths


def write_report(report: BenchReport, out_dir: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write bench.json, bench.csv and bench.md into ``out_dir``; refuses to replace them unless ``overwrite``."""
    out = Path(out_dir)
    paths = report_paths(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    texts = [json.dumps(report.model_dump(mode="json"), indent=2) + "\n", report_csv(report), report_markdown(report)]
    for path, text in zip(paths, texts):
        atomic_write_text(path, text)
    return paths

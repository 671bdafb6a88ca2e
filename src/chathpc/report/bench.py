"""``chathpc bench``'s report: the result table for the terminal, and bench.json, bench.csv and bench.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text, refuse_existing
from chathpc.harness.targets import configuration_label
from chathpc.report.tables import csv_table, markdown_table

if TYPE_CHECKING:
    from chathpc.tasks.bench import BenchReport

BENCH_FILES = ("bench.json", "bench.csv", "bench.md")


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
    mpi = report.target == "mpi"
    labels = [f"np{n}" for n in report.ranks] if mpi else report.configurations
    perf_labels = [f"np{n}" for n in report.perf_ranks] if mpi else report.perf_configurations
    header = ["task", "domain", "split", "solution", "verdict"] + labels
    if report.perf:
        header += ["seq_s", "seq_mib"]
        for label in perf_labels:
            header += [f"time_{label}", f"speedup_{label}", f"mib_{label}", f"eff_{label}", f"bytes_{label}"]
        header += ["vs_reference"]
    out = []
    for row in report.rows:
        cells = [row.task, row.domain, row.split, row.solution, row.verdict]
        cells += [row.verdict_by_ranks.get(n, "") for n in report.ranks] if mpi else [row.verdict_by_config.get(c, "") for c in labels]
        if report.perf:
            cells += [_fmt(row.sequential_seconds, ".3f"), _fmt(row.sequential_rss_mib, ".0f")]
            timed = {configuration_label(t.ranks, t.threads, report.target): t for t in row.timings}
            for label in perf_labels:
                t = timed.get(label)
                quoted = t is not None and row.timeable  # below the timing floor no speedup is quoted
                cells += ([_fmt(t.seconds, ".3f"), _fmt(t.speedup) if quoted else "", _fmt(t.max_rss_mib, ".0f"),
                           _fmt(t.efficiency) if quoted else "", str(t.bytes_sent)] if t else ["", "", "", "", ""])
            at = configuration_label(row.slowdown_ranks or 1, row.slowdown_threads, report.target)
            cells.append(f"{row.slowdown:.2f}x @{at}" if row.slowdown is not None else "")
        out.append(cells)
    return header, out


def report_csv(report: BenchReport) -> str:
    """The result table as CSV."""
    return csv_table(*table_rows(report))


def findings(report: BenchReport) -> list[str]:
    """Plain-language findings: failing references, slower variants, perf flags."""
    lines = []
    for row in report.reference_failures():
        lines.append(f"BROKEN TASK: {row.task} reference {row.verdict}: {row.summary}")
    for row in report.rows:
        if not row.is_reference and not row.passed:
            lines.append(f"variant {row.task}/{row.solution} {row.verdict}: {row.summary}")
    for row in report.slower_variants():
        at = (f"{row.slowdown_ranks} ranks" if row.slowdown_threads is None
              else configuration_label(row.slowdown_ranks or 1, row.slowdown_threads, report.target))
        lines.append(f"variant {row.task}/{row.solution} is {row.slowdown:.2f}x slower than the reference at {at}")
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
        + (f"ranks {','.join(map(str, report.ranks))}; " if report.target == "mpi"
           else f"target {report.target}, configurations {','.join(report.configurations)}; ")
        + (f"{len(report.skipped_tasks)} tasks without a {report.target} solution skipped; " if report.skipped_tasks else "")
        + f"isolation {report.isolation}; "
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
    for path in paths:
        refuse_existing(path, overwrite, hint="use --force to overwrite, or another --out")
    return paths


def write_bench_report(report: BenchReport, out_dir: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write bench.json, bench.csv and bench.md into ``out_dir``; refuses to replace them unless ``overwrite``."""
    out = Path(out_dir)
    paths = report_paths(out, overwrite=overwrite)
    out.mkdir(parents=True, exist_ok=True)
    texts = [json.dumps(report.model_dump(mode="json"), indent=2) + "\n", report_csv(report), report_markdown(report)]
    for path, text in zip(paths, texts):
        atomic_write_text(path, text)
    return paths

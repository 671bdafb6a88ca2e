"""Markdown and CSV tables: the one Markdown table renderer, evaluation summaries and comparisons."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from chathpc.evaluate.metrics import EvaluationSummary, MetricSummary, Rate

if TYPE_CHECKING:
    from chathpc.evaluate.compare import Comparison


def _rate(rate: Rate | None) -> str:
    if rate is None:
        return "-"
    return f"{100 * rate.value:.1f}% [{100 * rate.low:.0f}-{100 * rate.high:.0f}]"


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """The lines of a Markdown table (the only table renderer); a ``|`` inside a cell is escaped."""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return [line(header), "|" + "|".join("---" for _ in header) + "|", *(line(row) for row in rows)]


def _metric_rows(label: str, m: MetricSummary, ks: list[int]) -> list[str]:
    row = [label, str(m.items)]
    row += [_rate(m.pass_at.get(k)) for k in ks]
    row += [_rate(m.build_at.get(k)) for k in ks]
    return row


def _failure_line(m: MetricSummary) -> str:
    shown = [f"{verdict} {count}" for verdict, count in m.failures.items() if count and verdict != "pass"]
    return ", ".join(shown) or "none"


def summary_markdown(summary: EvaluationSummary, title: str | None = None) -> str:
    """One provider's metrics: pass@k and build@k with 95% intervals per domain, speedups, failures."""
    ks = summary.ks
    lines = [f"## {title or summary.provider}", ""]
    header = ["domain", "items"] + [f"pass@{k}" for k in ks] + [f"build@{k}" for k in ks]
    rows = [_metric_rows(d, m, ks) for d, m in summary.per_domain.items() if m.items]
    rows.append(_metric_rows("**all**", summary.overall, ks))
    lines += markdown_table(header, rows)
    overall = summary.overall
    if overall.speedup_at:
        lines += ["", f"Expected best speedup and efficiency at n ranks ({overall.perf_items} timed items, failures count as 0):", ""]
        srows = [[str(n)] + [_num(overall.speedup_at[n].get(k)) for k in ks] + [_num(overall.efficiency_at[n].get(k)) for k in ks]
                 for n in overall.speedup_at]
        lines += markdown_table(["ranks"] + [f"speedup_n@{k}" for k in ks] + [f"efficiency_n@{k}" for k in ks], srows)
    if overall.improvement_at:
        shown = ", ".join(f"improvement@{k} {_num(value)}" for k, value in overall.improvement_at.items())
        lines += ["", f"Optimization ({overall.optimization_items} items; expected best speedup over the input program, "
                      f"failures and answers not faster than the margin count as 1.0): {shown}"]
    lines += ["", f"Failures ({overall.samples} samples): {_failure_line(overall)}"]
    if overall.text_items:
        lines.append(f"Text-matched items (no sequential program to run): {overall.text_matched}/{overall.text_items}")
    if overall.prompt_items:
        lines.append(f"Prompts (no program, no expected answer): {overall.prompt_items} items answered, not checked")
    return "\n".join(lines) + "\n"


def _memory(mib: float | None) -> str:
    return "" if mib is None else f" ({mib:.0f} MiB/rank)"


def comparison_markdown(comparison: "Comparison", plots: dict[str, str] | None = None) -> str:
    """The compare report: correctness per domain per provider, speedups, pairwise peak speedups, failures."""
    ks, providers = comparison.ks, comparison.providers
    k = ks[0]
    lines = ["# chathpc comparison", "", f"pass@{k} by execution, with Wilson 95% intervals, per domain:", ""]
    header = ["provider"] + comparison.domains + ["all"]
    rows = []
    for p in providers:
        s = comparison.summaries[p]
        rows.append([f"`{p}`"] + [_rate(s.per_domain[d].pass_at.get(k)) if d in s.per_domain and s.per_domain[d].items else "-" for d in comparison.domains]
                    + [_rate(s.overall.pass_at.get(k))])
    lines += markdown_table(header, rows)
    lines += ["", "Overall metrics:", ""]
    mheader = ["provider", "items"] + [f"pass@{x}" for x in ks] + [f"build@{x}" for x in ks] + ["failures", "text-matched"]
    mrows = []
    for p in providers:
        o = comparison.summaries[p].overall
        mrows.append([f"`{p}`", str(o.items)] + [_rate(o.pass_at.get(x)) for x in ks] + [_rate(o.build_at.get(x)) for x in ks]
                     + [_failure_line(o), f"{o.text_matched}/{o.text_items}" if o.text_items else "-"])
    lines += markdown_table(mheader, mrows)
    timed = [p for p in providers if comparison.summaries[p].overall.speedup_at]
    if timed:
        ranks = sorted({n for p in timed for n in comparison.summaries[p].overall.speedup_at})
        lines += ["", f"speedup_n@{k} (expected best among {k} samples, failures count as 0):", ""]
        lines += markdown_table(["provider"] + [f"n={n}" for n in ranks],
                        [[f"`{p}`"] + [_num(comparison.summaries[p].overall.speedup_at.get(n, {}).get(k)) for n in ranks] for p in timed])
        lines += ["", "Peak speedup per task (best passing sample, any rank count), with that run's peak memory per rank:", ""]
        lines += markdown_table(["task", "domain"] + [f"`{p}`" for p in providers],
                        [[t.item_id, t.domain] + [_num(t.peak(p)) + _memory(t.peak_memory(p)) for p in providers] for t in comparison.tasks])
    if any(r.tasks for row in comparison.relative_peak.values() for r in row.values()):
        lines += ["", "Peak speedup of the row's code over the column's (geometric mean / max over tasks both solved):", ""]
        prow = []
        for a in providers:
            cells = []
            for b in providers:
                r = comparison.relative_peak[a].get(b)
                cells.append("-" if r is None or r.geomean is None else f"{r.geomean:.2f} / {r.peak:.2f} ({r.tasks})")
            prow.append([f"`{a}`"] + cells)
        lines += markdown_table([""] + [f"`{p}`" for p in providers], prow)
    if plots:
        lines += [""] + [f"![{name}]({file})" for name, file in plots.items()]
    return "\n".join(lines) + "\n"


def csv_table(header: list[str], rows: list[list]) -> str:
    """A header and rows as CSV text (the one CSV writer of the reports)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def comparison_csv(comparison: "Comparison") -> str:
    """The comparison as long-format CSV: provider, domain, metric, k, ranks, value, low, high."""
    rows: list[list] = []
    for p in comparison.providers:
        s = comparison.summaries[p]
        for domain, m in [("all", s.overall), *s.per_domain.items()]:
            for metric, rates in (("pass", m.pass_at), ("build", m.build_at)):
                for k, r in rates.items():
                    rows.append([p, domain, "", f"{metric}@k", k, "", f"{r.value:.6g}", f"{r.low:.6g}", f"{r.high:.6g}"])
            for metric, table in (("speedup_n@k", m.speedup_at), ("efficiency_n@k", m.efficiency_at)):
                for n, by_k in table.items():
                    for k, value in by_k.items():
                        rows.append([p, domain, "", metric, k, n, f"{value:.6g}", "", ""])
            for verdict, count in m.failures.items():
                rows.append([p, domain, "", f"verdict:{verdict}", "", "", count, "", ""])
        for t in comparison.tasks:
            for n, value in t.speedup.get(p, {}).items():
                rows.append([p, t.domain, t.item_id, "best_speedup", "", n, f"{value:.6g}", "", ""])
            for n, value in t.memory_mib.get(p, {}).items():
                rows.append([p, t.domain, t.item_id, "memory_mib_per_rank", "", n, f"{value:.6g}", "", ""])
    return csv_table(["provider", "domain", "item", "metric", "k", "ranks", "value", "low", "high"], rows)

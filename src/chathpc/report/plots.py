"""PNG plots of a comparison (matplotlib with the Agg backend, imported only here)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.errors import ChathpcError

if TYPE_CHECKING:
    from chathpc.evaluate.compare import Comparison


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ChathpcError("plots need matplotlib: pip install 'chathpc[plot]' (or pass --no-plots)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_speedup(comparison: "Comparison", path: Path) -> Path:
    """Best speedup against rank count, one panel per timed task, one line per provider, ideal dashed."""
    plt = _pyplot()
    tasks = [t for t in comparison.tasks if t.speedup]
    cols = min(4, max(1, len(tasks)))
    rows = max(1, math.ceil(len(tasks) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.8 * rows), squeeze=False)
    for ax in axes.flat[len(tasks):]:
        ax.axis("off")
    if not tasks:
        axes[0][0].text(0.5, 0.5, "no passing timed runs\n(run with --perf)", ha="center", va="center")
    for ax, task in zip(axes.flat, tasks):
        top = 1
        for provider in comparison.providers:
            series = task.speedup.get(provider)
            if series:
                ax.plot(list(series), list(series.values()), marker="o", label=provider)
                top = max(top, *series)
        ax.plot([1, top], [1, top], linestyle="--", color="grey", linewidth=0.8, label="ideal")
        ax.set_title(f"{task.item_id} ({task.domain})", fontsize=9)
        ax.set_xlabel("ranks")
        ax.set_ylabel("speedup")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), fontsize=8)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_correctness(comparison: "Comparison", path: Path) -> Path:
    """pass@k (first k) per domain, grouped bars per provider, Wilson 95% intervals as error bars."""
    plt = _pyplot()
    k = comparison.ks[0]
    domains = comparison.domains + ["all"]
    width = 0.8 / max(1, len(comparison.providers))
    fig, ax = plt.subplots(figsize=(max(5.0, 1.4 * len(domains) + 2), 3.6))
    for i, provider in enumerate(comparison.providers):
        summary = comparison.summaries[provider]
        groups = [summary.per_domain.get(d) for d in comparison.domains] + [summary.overall]
        values, low, high = [], [], []
        for g in groups:
            rate = g.pass_at.get(k) if g is not None else None
            value = rate.value if rate else 0.0
            values.append(100 * value)
            low.append(100 * max(0.0, value - rate.low) if rate else 0.0)
            high.append(100 * max(0.0, rate.high - value) if rate else 0.0)
        xs = [j + (i - (len(comparison.providers) - 1) / 2) * width for j in range(len(domains))]
        ax.bar(xs, values, width, yerr=[low, high], capsize=2, label=provider)
    ax.set_xticks(range(len(domains)), domains)
    ax.set_ylabel(f"pass@{k} (%)")
    ax.set_ylim(0, 105)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_comparison(comparison: "Comparison", out_dir: Path) -> dict[str, Path]:
    """Both plots into ``out_dir``: correctness.png and speedup.png."""
    return {
        "correctness per domain": plot_correctness(comparison, out_dir / "correctness.png"),
        "speedup against rank count": plot_speedup(comparison, out_dir / "speedup.png"),
    }

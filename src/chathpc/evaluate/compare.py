"""``compare``: several providers on the same items and settings, as one table.

``compare_results`` builds the comparison from results files (one provider each); ``run_comparison``
first runs (or resumes) every provider with ``run_evaluation`` into ``OUT/results/``. The report
(Markdown, CSV, JSON and plots) is written by ``chathpc.report.write_report``.

Peak speedup of a task for a provider: the highest speedup measured for any of its passing samples
at any timed rank count. The pairwise table compares two providers on the tasks where both have
passing timed code: the geometric mean and the maximum of ``peak_A / peak_B``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, Field

from chathpc.config import RunConfig
from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.evaluate.metrics import EvaluationSummary, group_by_item, summarize
from chathpc.evaluate.results import ResultLine, read_results
from chathpc.evaluate.runner import run_evaluation


class TaskSpeedups(BaseModel):
    """Best measured speedup per rank count of each provider's passing samples on one item."""

    item_id: str
    domain: str
    speedup: dict[str, dict[int, float]] = Field(description="provider -> rank count -> best speedup (absent: nothing passed and timed)")
    memory_mib: dict[str, dict[int, float]] = Field(
        default_factory=dict, description="provider -> rank count -> peak memory per rank (MiB) of the sample with that best speedup")

    def peak_memory(self, provider: str) -> float | None:
        """Memory per rank (MiB) of the provider's peak-speedup run, when measured."""
        values = self.speedup.get(provider, {})
        if not values:
            return None
        return self.memory_mib.get(provider, {}).get(max(values, key=values.get))

    def peak(self, provider: str) -> float | None:
        """The provider's highest speedup on this item, or None when it has no passing timed sample."""
        values = self.speedup.get(provider, {})
        return max(values.values()) if values else None


class PairRatio(BaseModel):
    """Peak speedup of one provider's code over another's, over the tasks both solved with timings."""

    tasks: int
    geomean: float | None
    peak: float | None


class Comparison(BaseModel):
    """Everything the compare report shows."""

    providers: list[str]
    ks: list[int]
    summaries: dict[str, EvaluationSummary]
    domains: list[str]
    tasks: list[TaskSpeedups]
    relative_peak: dict[str, dict[str, PairRatio]] = Field(description="A -> B -> peak speedup of A's code over B's")
    files: dict[str, str] = Field(default_factory=dict, description="provider -> results file")


def _best_speedups(samples: list[ResultLine]) -> tuple[dict[int, float], dict[int, float]]:
    """Best speedup per rank count over the passing samples, and the memory per rank of the sample that had it."""
    best: dict[int, float] = {}
    memory: dict[int, float] = {}
    for sample in samples:
        if sample.passed:
            for ranks, value in sample.speedup.items():
                if value >= best.get(ranks, 0.0):
                    best[ranks] = value
                    if ranks in sample.memory_mib:
                        memory[ranks] = sample.memory_mib[ranks]
    return dict(sorted(best.items())), dict(sorted(memory.items()))


def compare_results(results: dict[str, list[ResultLine]], ks: Sequence[int] = (1,), files: dict[str, str] | None = None) -> Comparison:
    """The comparison of several providers' results (provider spec -> its lines)."""
    if not results:
        raise ChathpcError("nothing to compare")
    providers = list(results)
    summaries = {p: summarize(lines, ks) for p, lines in results.items()}
    grouped = {p: group_by_item(lines) for p, lines in results.items()}
    item_ids: list[str] = []
    domains: dict[str, str] = {}
    for items in grouped.values():
        for item_id, samples in items.items():
            if item_id not in domains:
                item_ids.append(item_id)
                domains[item_id] = samples[0].domain or "other"
    tasks = []
    for item_id in item_ids:
        best = {p: _best_speedups(grouped[p].get(item_id, [])) for p in providers}
        tasks.append(TaskSpeedups(
            item_id=item_id, domain=domains[item_id],
            speedup={p: speedups for p, (speedups, _) in best.items() if speedups},
            memory_mib={p: memory for p, (_, memory) in best.items() if memory},
        ))
    relative: dict[str, dict[str, PairRatio]] = {}
    for a in providers:
        relative[a] = {}
        for b in providers:
            if a == b:
                continue
            ratios = [pa / pb for t in tasks if (pa := t.peak(a)) is not None and (pb := t.peak(b)) is not None and pb > 0 and pa > 0]
            relative[a][b] = PairRatio(
                tasks=len(ratios),
                geomean=math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else None,
                peak=max(ratios) if ratios else None,
            )
    return Comparison(
        providers=providers, ks=sorted(set(ks)), summaries=summaries, domains=sorted(set(domains.values())),
        tasks=tasks, relative_peak=relative, files=files or {},
    )


COMPARED_SETTINGS = ("samples", "temperature")
"""Generation settings that must agree between compared results files (they change what pass@k means)."""


def _settings(lines: list[ResultLine]) -> dict[str, object]:
    first = lines[0]
    return {**{key: first.generation.get(key) for key in COMPARED_SETTINGS}, "perf": any(line.perf_requested for line in lines)}


def _items(lines: list[ResultLine]) -> dict[str, str]:
    return {line.item_id: line.record.question for line in lines}


def collect_results(sources: Sequence[tuple[str, list[ResultLine]]]) -> tuple[dict[str, list[ResultLine]], dict[str, str]]:
    """Provider -> lines and provider -> file from ``(file, lines)`` pairs, refusing what cannot be compared.

    Refused with one line: an empty file, two files of the same provider, files over different items
    (ids or questions), and files generated with different samples, temperature or timing.
    """
    results: dict[str, list[ResultLine]] = {}
    files: dict[str, str] = {}
    for path, lines in sources:
        if not lines:
            raise ChathpcError(f"{path}: no results")
        provider = lines[0].provider
        if provider in results:
            raise ChathpcError(f"{path}: '{provider}' already comes from {files[provider]}; give one file per provider")
        if results:
            base_provider = next(iter(results))
            base, base_file = results[base_provider], files[base_provider]
            items, base_items = _items(lines), _items(base)
            if items != base_items:
                only = sorted(set(items) ^ set(base_items)) or sorted(i for i in items if items[i] != base_items[i])
                raise ChathpcError(f"{path}: not the same items as {base_file} (differs at {', '.join(only[:3])}); compare results over one dataset")
            settings, base_settings = _settings(lines), _settings(base)
            if settings != base_settings:
                keys = [k for k in settings if settings[k] != base_settings[k]]
                detail = ", ".join(f"{k} {settings[k]} vs {base_settings[k]}" for k in keys)
                raise ChathpcError(f"{path}: settings differ from {base_file} ({detail}); compare results made with the same settings")
        results[provider], files[provider] = lines, str(path)
    return results, files


def load_comparison(paths: Sequence[str | Path], ks: Sequence[int] = (1,)) -> Comparison:
    """The comparison of existing results files (each holds one provider's lines)."""
    results, files = collect_results([(str(path), read_results(path).lines) for path in paths])
    return compare_results(results, ks, files)


def results_name(spec: str) -> str:
    """A file name for a provider spec (``hf:runs/x`` -> ``hf-runs-x.jsonl``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", spec).strip("-.") + ".jsonl"


def run_comparison(
    records: Sequence[Record],
    config: RunConfig,
    providers: Sequence[str],
    out_dir: str | Path,
    *,
    perf: bool = False,
    resume: bool = False,
    force: bool = False,
    ks: Sequence[int] = (1,),
    extra_results: Sequence[str | Path] = (),
    progress: bool = True,
    tasks_root: str | Path | None = None,
) -> Comparison:
    """Run every provider on ``records`` into ``OUT/results/`` and compare them with the ``extra_results`` files.

    The report is ``chathpc.report.write_report``'s job (check its directory with ``check_report_dir``
    before calling this, so that nothing runs for a report that could not be written).
    """
    if len(set(providers)) != len(providers):
        raise ChathpcError("a provider is listed twice")
    out = Path(out_dir)
    extra = [(str(path), read_results(path).lines) for path in extra_results]
    collect_results(extra)  # refuse unusable files before any run starts
    given = {lines[0].provider for _, lines in extra}
    for spec in providers:
        if spec in given:
            raise ChathpcError(f"'{spec}' is both run and given as a results file")
    sources = list(extra)
    for spec in providers:
        path = out / "results" / results_name(spec)
        run_evaluation(records, config, path, provider_spec=spec, perf=perf, resume=resume, force=force, ks=ks, progress=progress,
                       tasks_root=tasks_root)
        sources.append((str(path), read_results(path).lines))
    results, files = collect_results(sources)
    return compare_results(results, ks, files)

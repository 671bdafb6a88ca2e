"""Execution-based metrics: build@k, pass@k, speedup_n@k, efficiency_n@k, Wilson intervals.

Definitions (n samples of one item, c of them correct):

- ``pass@k = 1 - C(n-c, k) / C(n, k)``, the unbiased estimator of the chance that at least one
  of k samples drawn without replacement from the n passes (Chen et al., 2021); build@k the same
  with "compiles" for "passes". Averaged over items.
- ``speedup_n@k``: the expected best speedup at n ranks among k samples drawn without
  replacement from the n, where a sample that failed (or has no timing at n ranks) counts as
  speedup 0. With values sorted ascending ``v_1 <= ... <= v_n`` this is
  ``sum_i C(i-1, k-1) / C(n, k) * v_i``. ``efficiency_n@k`` is the same over efficiencies.
  Failures are *not* dropped: dropping them rewards a model for failing on the hard items.
- ``improvement@k`` (optimization items, whose answer must beat its input program): the expected best speedup
  over the input among k samples, where a sample that failed, or was correct but not
  ``harness.optimize_margin`` faster (``not_faster``), counts as 1.0: no improvement, the input is kept.
- Rates carry Wilson score 95% intervals over items (the per-item estimates are summed as
  fractional successes when k > 1).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Iterable, Sequence

from pydantic import BaseModel, Field

from chathpc.evaluate.results import VERDICTS, ResultLine
from chathpc.harness.results import Verdict

Z95 = 1.959963984540054
BUILT_VERDICTS = frozenset(verdict.value for verdict in Verdict if verdict.built)
"""Verdicts of samples that compiled (build@k counts these)."""


def items_passed_built(lines: Iterable[ResultLine]) -> tuple[int, int]:
    """How many items have a passing sample, and how many have a sample that compiled."""
    lines = list(lines)
    return len({l.item_id for l in lines if l.passed}), len({l.item_id for l in lines if l.verdict in BUILT_VERDICTS})


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one item: n samples, c correct, k drawn (k <= n)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n} c={c} k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def expected_best_at_k(values: Sequence[float], k: int) -> float:
    """Expected maximum of k values drawn without replacement from ``values`` (failures given as 0)."""
    n = len(values)
    if not 1 <= k <= n:
        raise ValueError(f"best-of-k needs 1 <= k <= {n} samples, got k={k}")
    ordered = sorted(values)
    total = math.comb(n, k)
    return sum(math.comb(i, k - 1) * ordered[i] for i in range(k - 1, n)) / total


def wilson_interval(successes: float, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a rate (95% by default); (0, 1) when there are no trials."""
    if trials <= 0:
        return (0.0, 1.0)
    p = successes / trials
    denom = 1.0 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


class Rate(BaseModel):
    """A rate over items with its Wilson 95% interval."""

    value: float
    low: float
    high: float
    items: int

    @classmethod
    def from_estimates(cls, estimates: Sequence[float]) -> "Rate":
        items = len(estimates)
        value = sum(estimates) / items if items else 0.0
        low, high = wilson_interval(sum(estimates), items)
        return cls(value=value, low=low, high=high, items=items)


class MetricSummary(BaseModel):
    """Metrics over a group of items (all items, or one domain)."""

    items: int = Field(description="items checked by execution")
    samples: int = Field(description="samples checked by execution")
    pass_at: dict[int, Rate] = Field(default_factory=dict, description="k -> pass@k")
    build_at: dict[int, Rate] = Field(default_factory=dict, description="k -> build@k")
    speedup_at: dict[int, dict[int, float]] = Field(default_factory=dict, description="ranks n -> k -> speedup_n@k")
    efficiency_at: dict[int, dict[int, float]] = Field(default_factory=dict, description="ranks n -> k -> efficiency_n@k")
    perf_items: int = Field(0, description="items whose run asked for timings (the speedup denominators)")
    improvement_at: dict[int, float] = Field(default_factory=dict, description="k -> improvement@k over the optimization items")
    optimization_items: int = Field(0, description="optimization items (the improvement@k denominator)")
    failures: dict[str, int] = Field(default_factory=dict, description="verdict -> samples (every verdict listed)")
    text_items: int = Field(0, description="items without a sequential program, checked by normalized text match")
    text_matched: int = Field(0, description="of those, items whose first sample matched the expected answer")
    prompt_items: int = Field(0, description="items with neither a program nor an expected answer: answered, not checked")


class EvaluationSummary(BaseModel):
    """Metrics for one results set: overall and per domain."""

    provider: str
    ks: list[int]
    overall: MetricSummary
    per_domain: dict[str, MetricSummary]


def group_by_item(lines: Iterable[ResultLine]) -> dict[str, list[ResultLine]]:
    """Lines grouped by item id (in first-seen order), samples sorted."""
    groups: dict[str, list[ResultLine]] = defaultdict(list)
    for line in lines:
        groups[line.item_id].append(line)
    return {item: sorted(samples, key=lambda s: s.sample) for item, samples in groups.items()}


def _perf_values(samples: list[ResultLine], ranks: int, field: str) -> list[float]:
    return [getattr(s, field).get(ranks, 0.0) if s.passed else 0.0 for s in samples]


def improvements(samples: list[ResultLine]) -> list[float]:
    """Each sample's speedup over its input program, 1.0 (no improvement) for one that failed or was not faster."""
    return [s.improvement if s.passed and s.improvement is not None else 1.0 for s in samples]


def summarize_items(items: dict[str, list[ResultLine]], ks: Sequence[int]) -> MetricSummary:
    """Metrics over already grouped items; k values larger than an item's sample count are skipped."""
    executed = {item: s for item, s in items.items() if s[0].check_mode == "execution"}
    text = {item: s for item, s in items.items() if s[0].check_mode == "text"}
    failures = Counter({verdict: 0 for verdict in VERDICTS})
    for samples in executed.values():
        failures.update(s.verdict for s in samples)
    summary = MetricSummary(
        items=len(executed),
        samples=sum(len(s) for s in executed.values()),
        failures=dict(failures),
        text_items=len(text),
        text_matched=sum(1 for s in text.values() if s[0].passed),
        prompt_items=sum(1 for s in items.values() if s[0].check_mode == "prompt"),
    )
    if not executed:
        return summary
    least = min(len(s) for s in executed.values())
    usable = [k for k in sorted(set(ks)) if 1 <= k <= least]
    for k in usable:
        summary.pass_at[k] = Rate.from_estimates([pass_at_k(len(s), sum(x.passed for x in s), k) for s in executed.values()])
        built = [pass_at_k(len(s), sum(x.verdict in BUILT_VERDICTS for x in s), k) for s in executed.values()]
        summary.build_at[k] = Rate.from_estimates(built)
    optimized = [s for s in executed.values() if s[0].optimization]
    summary.optimization_items = len(optimized)
    if optimized:
        summary.improvement_at = {k: sum(expected_best_at_k(improvements(s), k) for s in optimized) / len(optimized) for k in usable}
    timed = [s for s in executed.values() if any(x.perf_requested for x in s)]
    summary.perf_items = len(timed)
    rank_counts = sorted({n for s in timed for x in s for n in x.speedup})
    for n in rank_counts:
        for field, target in (("speedup", summary.speedup_at), ("efficiency", summary.efficiency_at)):
            target[n] = {
                k: sum(expected_best_at_k(_perf_values(s, n, field), k) for s in timed) / len(timed) for k in usable
            }
    return summary


def summarize(lines: Sequence[ResultLine], ks: Sequence[int] = (1,)) -> EvaluationSummary:
    """Overall and per-domain metrics of a results set (one provider)."""
    items = group_by_item(lines)
    by_domain: dict[str, dict[str, list[ResultLine]]] = defaultdict(dict)
    for item, samples in items.items():
        by_domain[samples[0].domain or "other"][item] = samples
    providers = sorted({line.provider for line in lines})
    return EvaluationSummary(
        provider=", ".join(providers),
        ks=sorted(set(ks)),
        overall=summarize_items(items, ks),
        per_domain={domain: summarize_items(group, ks) for domain, group in sorted(by_domain.items())},
    )

"""Metric functions against brute-force enumeration over all k-subsets and known values."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chathpc.evaluate.metrics import expected_best_at_k, items_passed_built, pass_at_k, summarize, wilson_interval
from chathpc.evaluate.results import ResultLine
from chathpc.data import Record


def brute_pass_at_k(outcomes: list[bool], k: int) -> float:
    subsets = list(itertools.combinations(outcomes, k))
    return sum(any(s) for s in subsets) / len(subsets)


def brute_best_at_k(values: list[float], k: int) -> float:
    subsets = list(itertools.combinations(values, k))
    return sum(max(s) for s in subsets) / len(subsets)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=9), st.data())
def test_pass_at_k_matches_enumeration(outcomes, data):
    k = data.draw(st.integers(1, len(outcomes)))
    assert pass_at_k(len(outcomes), sum(outcomes), k) == pytest.approx(brute_pass_at_k(outcomes, k), abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(0.0, 64.0)), min_size=1, max_size=9), st.data())
def test_expected_best_matches_enumeration(values, data):
    k = data.draw(st.integers(1, len(values)))
    assert expected_best_at_k(values, k) == pytest.approx(brute_best_at_k(values, k), rel=1e-9, abs=1e-12)


def test_failures_count_as_zero_not_dropped():
    # Two failed samples and one at 4x: best of 2 is 4 in two of the three pairs.
    assert expected_best_at_k([0.0, 0.0, 4.0], 2) == pytest.approx(8 / 3)
    assert expected_best_at_k([0.0, 0.0, 4.0], 1) == pytest.approx(4 / 3)
    assert expected_best_at_k([0.0, 0.0, 4.0], 3) == pytest.approx(4.0)


def test_pass_at_k_known_values():
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(10, 0, 5) == 0.0
    assert pass_at_k(5, 1, 5) == 1.0
    assert pass_at_k(4, 2, 2) == pytest.approx(1 - 1 / 6)
    assert pass_at_k(200, 10, 100) == pytest.approx(1 - math.comb(190, 100) / math.comb(200, 100))
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_wilson_known_values():
    low, high = wilson_interval(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    low, high = wilson_interval(0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def _line(item: str, sample: int, verdict: str, *, domain="blas", speedup=None, mode="execution", perf=True) -> ResultLine:
    return ResultLine(
        item_id=item, item_index=0, sample=sample, domain=domain, task=item,
        record=Record(question="q"), prompt="p", raw_output="r", code="c", check_mode=mode,
        verdict=verdict, passed=verdict == "pass", perf_requested=perf,
        speedup=speedup or {}, efficiency={n: s / n for n, s in (speedup or {}).items()},
        provider="test", generation={},
    )


def test_summarize_per_domain_and_breakdown():
    lines = [
        _line("a", 0, "pass", speedup={1: 1.0, 2: 1.8}),
        _line("a", 1, "wrong_output"),
        _line("b", 0, "build_error"),
        _line("b", 1, "pass", speedup={1: 0.9, 2: 1.2}),
        _line("c", 0, "not_mpi", domain="stencil"),
        _line("c", 1, "timeout", domain="stencil"),
        _line("d", 0, "pass", mode="text", domain=None),
    ]
    summary = summarize(lines, ks=(1, 2, 5))
    overall = summary.overall
    assert overall.items == 3 and overall.samples == 6
    assert overall.pass_at[1].value == pytest.approx((0.5 + 0.5 + 0) / 3)
    assert overall.pass_at[2].value == pytest.approx(2 / 3)
    assert 5 not in overall.pass_at  # more than the samples per item
    assert overall.build_at[1].value == pytest.approx((1 + 0.5 + 1) / 3)
    assert overall.speedup_at[2][1] == pytest.approx((0.9 + 0.6 + 0) / 3)
    assert overall.speedup_at[2][2] == pytest.approx((1.8 + 1.2 + 0) / 3)
    assert overall.efficiency_at[2][2] == pytest.approx((0.9 + 0.6 + 0) / 3)
    assert overall.failures["not_mpi"] == 1 and overall.failures["extract_error"] == 0
    assert (overall.text_items, overall.text_matched) == (1, 1)
    assert set(summary.per_domain) == {"blas", "stencil", "other"}
    assert summary.per_domain["stencil"].pass_at[1].value == 0.0
    assert summary.per_domain["blas"].pass_at[1].low < 0.5 < summary.per_domain["blas"].pass_at[1].high
    assert summary.model_validate_json(summary.model_dump_json()) == summary


def test_items_passed_built_counts_items_not_samples():
    lines = [_line("a", 0, "pass"), _line("a", 1, "pass"), _line("b", 0, "wrong_output"), _line("b", 1, "build_error"),
             _line("c", 0, "build_error"), _line("d", 0, "extract_error"), _line("e", 0, "not_mpi")]
    assert items_passed_built(lines) == (1, 3)  # passed: a; built: a, b (wrong_output), e (not_mpi compiled)


def test_improvement_at_k_counts_failures_and_answers_not_faster_as_no_improvement():
    def opt(item: str, sample: int, verdict: str, improvement: float | None) -> ResultLine:
        line = _line(item, sample, verdict, perf=True)
        return line.model_copy(update={"optimization": True, "improvement": improvement})

    lines = [
        opt("a", 0, "pass", 2.0), opt("a", 1, "not_faster", 1.05), opt("a", 2, "wrong_output", None),
        opt("b", 0, "not_faster", 0.8), opt("b", 1, "build_error", None), opt("b", 2, "pass", 1.5),
        _line("c", 0, "pass", perf=True), _line("c", 1, "pass", perf=True), _line("c", 2, "pass", perf=True),
    ]
    overall = summarize(lines, ks=[1, 2, 3]).overall
    assert overall.optimization_items == 2 and overall.items == 3
    a, b = [2.0, 1.0, 1.0], [1.0, 1.0, 1.5]  # not_faster and failures count as 1.0, whatever was measured
    for k in (1, 2, 3):
        assert overall.improvement_at[k] == pytest.approx((brute_best_at_k(a, k) + brute_best_at_k(b, k)) / 2)
    assert overall.improvement_at[3] == pytest.approx(1.75) and overall.failures["not_faster"] == 2
    assert summarize([_line("c", 0, "pass")]).overall.improvement_at == {}

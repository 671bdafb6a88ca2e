"""Output comparison: tolerance, NaN/Inf, token structure."""

from __future__ import annotations

import pytest

from chathpc.config import HarnessConfig
from chathpc.harness import compare_outputs

DEFAULT = HarnessConfig()


def differs(expected: str, actual: str, rtol: float = DEFAULT.rtol, atol: float = DEFAULT.atol) -> bool:
    return compare_outputs(expected, actual, rtol, atol) is not None


def test_default_tolerance_accepts_reduction_reordering_and_rejects_1e_5():
    exact = sum(1.0 / (i + 1) for i in range(100_000))
    reordered = sum(1.0 / (i + 1) for i in reversed(range(100_000)))
    assert exact != reordered
    assert not differs(f"sum {exact:.12e}", f"sum {reordered:.12e}")
    assert differs(f"sum {exact:.12e}", f"sum {exact * (1 + 1e-5):.12e}")
    assert differs("1.000000000000e+00", "1.000001000000e+00")


def test_atol_covers_values_near_zero():
    assert not differs("0.000000000000e+00", "3.0e-17")
    assert differs("0.000000000000e+00", "3.0e-9")


@pytest.mark.parametrize(
    ("expected", "actual", "same"),
    [
        ("nan", "nan", True),
        ("nan", "-nan", True),
        ("nan", "1.0", False),
        ("1.0", "nan", False),
        ("inf", "inf", True),
        ("inf", "-inf", False),
        ("-inf", "1e308", False),
        ("1e308", "inf", False),
    ],
)
def test_nan_and_inf_match_only_themselves(expected, actual, same):
    assert differs(expected, actual) is not same


def test_integers_match_exactly_words_exactly():
    assert differs("count 10000000", "count 10000001")
    assert not differs("count 42", "count 42")
    assert differs("sum 1.0", "total 1.0")
    assert not differs("info 1.0", "info 1.0")


def test_numbers_inside_tokens_and_whitespace():
    assert not differs("x[3]=1.000000000000e+00,", "x[3]=1.0000000000001e+00,")
    assert differs("x[3]=1.0", "x[4]=1.0")
    assert not differs("a  1.0\n\n b 2.0\n", "a 1.0 b 2.0")


def test_token_count_mismatch_reports_position():
    mismatch = compare_outputs("a 1.0\nb 2.0\n", "a 1.0\n", 1e-7, 1e-10)
    assert mismatch is not None
    assert (mismatch.index, mismatch.line, mismatch.expected, mismatch.actual) == (2, 2, "b", None)
    assert "expected 4 tokens, got 2" in mismatch.describe()
    extra = compare_outputs("a", "a a", 1e-7, 1e-10)
    assert extra is not None and extra.actual == "a" and extra.expected is None


def test_first_mismatch_names_both_values():
    mismatch = compare_outputs("n 7\nsum 2.0e+01\nmax 3.0\n", "n 7\nsum 2.1e+01\nmax 4.0\n", 1e-7, 1e-10)
    assert mismatch is not None
    assert (mismatch.index, mismatch.line, mismatch.expected, mismatch.actual) == (3, 2, "2.0e+01", "2.1e+01")
    assert "relative difference" in mismatch.reason


def test_per_call_tolerance():
    assert not differs("1.0", "1.001", rtol=1e-2)
    assert differs("1.0", "1.001", rtol=1e-4)

"""Every reference solution and variant of the whole suite passes at ranks 1-4 through the harness."""

from __future__ import annotations

import pytest

from chathpc.config import HarnessConfig
from chathpc.tasks.bench import run_bench

pytestmark = [pytest.mark.mpi, pytest.mark.slow]


def test_every_solution_of_the_suite_passes_at_ranks_1_to_4():
    report = run_bench(solutions="all", config=HarnessConfig(ranks=[1, 2, 3, 4]), jobs=2)
    failures = [f"{r.task}/{r.solution}: {r.summary}" for r in report.rows if not r.passed]
    assert failures == []
    assert len(report.rows) >= 40
    assert all(sorted(r.verdict_by_ranks) == [1, 2, 3, 4] for r in report.rows)

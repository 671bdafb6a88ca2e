"""Every reference solution and variant of the whole suite passes through the harness: MPI at ranks 1-4, and each
other target at its configurations."""

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


@pytest.mark.parametrize("target, at_least", [("openmp", 50), pytest.param("kokkos", 52, marks=pytest.mark.kokkos), ("hybrid", 14)])
def test_every_solution_of_another_target_passes_at_every_configuration(target, at_least):
    """Expert solutions and variants of OpenMP (threads 1-4), Kokkos (threads 1-4) and hybrid (1x1..3x2), with repeats."""
    config = HarnessConfig(target=target)
    report = run_bench(solutions="all", config=config, jobs=2)
    failures = [f"{r.task}/{r.solution}: {r.summary}" for r in report.rows if not r.passed]
    assert failures == []
    assert len(report.rows) >= at_least
    assert all(sorted(r.verdict_by_config) == sorted(report.configurations) for r in report.rows)

"""The outside set (src/chathpc/tasks/outside): held-out sequential programs from outside the suite, written in
another hand. It loads as a task root, is all test split, shares no id with the suite, is not a near-copy of any
suite program by decontam's kernel similarity, and every expert MPI solution passes the harness at ranks 1-4."""

from __future__ import annotations

import pytest

from chathpc.config import HarnessConfig
from chathpc.synth.decontam import THRESHOLD, kernel_tokens, nearest
from chathpc.tasks import load_suite
from chathpc.tasks.bench import run_bench
from chathpc.tasks.loader import OUTSIDE_DIR as OUTSIDE


def test_the_outside_set_loads_as_a_task_root_and_is_all_test_split():
    tasks = load_suite(root=OUTSIDE)
    assert 10 <= len(tasks) <= 12
    assert {t.split for t in tasks} == {"test"}
    assert all(t.seq_source and t.mpi_source and t.perf_args for t in tasks)


def test_outside_ids_are_disjoint_from_the_suite():
    assert {t.id for t in load_suite(root=OUTSIDE)} & {t.id for t in load_suite()} == set()


def test_no_outside_kernel_is_as_alike_as_the_threshold_to_a_suite_kernel():
    suite = tuple((t.id, kernel_tokens(t.seq_source)) for t in load_suite())
    alike = {t.id: found for t in load_suite(root=OUTSIDE) if (found := nearest(t.seq_source, suite)).similarity >= THRESHOLD}
    assert alike == {}


@pytest.mark.slow
@pytest.mark.mpi
def test_every_outside_expert_mpi_solution_passes_at_ranks_1_to_4():
    report = run_bench(solutions="all", config=HarnessConfig(ranks=[1, 2, 3, 4]), jobs=2, root=OUTSIDE)
    failures = [f"{r.task}/{r.solution}: {r.summary}" for r in report.rows if not r.passed]
    assert failures == []
    assert len(report.rows) == len(load_suite(root=OUTSIDE))
    assert all(sorted(r.verdict_by_ranks) == [1, 2, 3, 4] for r in report.rows)

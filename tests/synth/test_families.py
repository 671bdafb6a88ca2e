"""Families: deterministic generation, and every family's pair passes the harness at ranks 1-4."""

from __future__ import annotations

import random

import pytest

from chathpc.config import HarnessConfig
from chathpc.schedule import CheckJob, Scheduler
from chathpc.synth.engine import candidate, normalized_hash
from chathpc.synth.families import FAMILIES


def test_same_seed_same_candidate_other_seed_other_candidate():
    families = list(FAMILIES)
    for index in range(len(families)):
        first, again = candidate(7, index, families), candidate(7, index, families)
        assert (first.sequential, first.mpi, first.args) == (again.sequential, again.mpi, again.args)
        assert first.family == families[index]
    assert {normalized_hash(candidate(7, i, families).sequential) for i in range(11)} != {
        normalized_hash(candidate(8, i, families).sequential) for i in range(11)}


def test_check_sizes_do_not_divide_evenly():
    for index, family in enumerate(FAMILIES):
        pair = candidate(1, index, list(FAMILIES))
        sizes = [int(args[0]) for args in pair.args]
        assert all(size % 2 and size % 3 and size % 4 for size in sizes), (family, sizes)


@pytest.mark.mpi
@pytest.mark.slow
def test_every_family_emits_a_pair_that_passes_the_harness():
    pairs = [FAMILIES[name].make(random.Random(f"harness:{name}")) for name in FAMILIES]
    results = Scheduler(HarnessConfig()).check_all([CheckJob(sequential=p.sequential, candidate=p.mpi, args=p.args) for p in pairs])
    failed = {p.family: r.summary() for p, r in zip(pairs, results) if not r.passed}
    assert not failed

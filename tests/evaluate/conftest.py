"""Fixtures for the evaluation tests: a few suite items and a harness config sized for 2 cores."""

from __future__ import annotations

import pytest

from chathpc.config import RunConfig


def _eval_config(**harness) -> RunConfig:
    """A config whose checks run at 1 and 3 ranks (a size not dividing the data) with short timing runs."""
    return RunConfig.model_validate({"harness": {"ranks": [1, 3], "perf_ranks": [1, 2], "perf_repeats": 1, "perf_warmup": 0, **harness}})


@pytest.fixture(scope="session")
def eval_config():
    """``eval_config(**harness) -> RunConfig``: checks at 1 and 3 ranks (a count not dividing the sizes), short timing runs."""
    return _eval_config


@pytest.fixture(scope="session")
def test_items():
    """The first items of the built-in test split, one per domain where possible (at most 3)."""
    from chathpc.evaluate.runner import dataset_records

    records = dataset_records(None, RunConfig(), "test")
    chosen, domains = [], set()
    for record in records:
        if record.metadata.get("domain") not in domains:
            chosen.append(record)
            domains.add(record.metadata.get("domain"))
    return chosen[:3]


@pytest.fixture(scope="session")
def reference_results(tmp_path_factory, test_items):
    """Results of the reference baseline on ``test_items`` (run once per session)."""
    from chathpc.evaluate.runner import run_evaluation

    path = tmp_path_factory.mktemp("reference") / "reference.jsonl"
    outcome = run_evaluation(test_items, _eval_config(), path, provider_spec="reference", progress=False)
    return path, outcome


@pytest.fixture(scope="session")
def sequential_results(tmp_path_factory, test_items):
    """Results of the sequential baseline on ``test_items``."""
    from chathpc.evaluate.runner import run_evaluation

    path = tmp_path_factory.mktemp("sequential") / "sequential.jsonl"
    outcome = run_evaluation(test_items, _eval_config(), path, provider_spec="sequential", progress=False)
    return path, outcome

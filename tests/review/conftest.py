"""Fixtures for the review tests: real results files (the sequential and reference baselines) and a
running review server on a free loopback port."""

from __future__ import annotations

import pytest

from chathpc.config import HarnessConfig, RunConfig

RANKS = [1, 2]  # checks at 1 and 2 ranks: enough to catch a wrong reduction, cheap on 2 cores


def _results(tmp_path_factory, provider: str, limit: int):
    from chathpc.evaluate.runner import dataset_records, run_evaluation

    records = dataset_records(None, RunConfig(), "test")[:limit]
    path = tmp_path_factory.mktemp(provider) / f"{provider}.jsonl"
    run_evaluation(records, RunConfig.model_validate({"harness": {"ranks": RANKS}}), path, provider_spec=provider, progress=False)
    return path


@pytest.fixture(scope="session")
def sequential_results(tmp_path_factory):
    """Results of the sequential baseline (every answer not_mpi) on the first 2 test items (asum, copy)."""
    return _results(tmp_path_factory, "sequential", 2)


@pytest.fixture(scope="session")
def reference_results(tmp_path_factory):
    """Results of the reference baseline (every answer passes) on the first test item."""
    return _results(tmp_path_factory, "reference", 1)


@pytest.fixture
def expert_program(sequential_results):
    """The expert solution of the first item (what an expert would write for asum)."""
    from chathpc.extract import extract_code
    from chathpc.evaluate.results import read_results

    return extract_code(read_results(sequential_results).lines[0].record.answer)


@pytest.fixture
def review_server(sequential_results, tmp_path):
    """A review server over the sequential results (writing into tmp_path), started on a free port; stopped after."""
    from chathpc.review import ReviewSession
    from chathpc.review.app import ReviewServer

    session = ReviewSession([sequential_results], tmp_path / "refine.jsonl", harness=HarnessConfig(ranks=RANKS), reviewer="expert")
    server = ReviewServer(session).start()
    yield server
    server.stop()


@pytest.fixture
def client(review_server):
    """An HTTP client of ``review_server`` that sends the token in its header."""
    import httpx

    with httpx.Client(base_url=f"http://{review_server.host}:{review_server.port}", headers={"X-Review-Token": review_server.token},
                      timeout=60) as http:
        yield http

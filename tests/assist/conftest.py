"""A scripted provider for the assist tests: a broken first answer, a correct one once it sees feedback."""

from __future__ import annotations

import pytest

from chathpc.config import GenerationConfig, HarnessConfig, RunConfig
from chathpc.providers import GenerationRequest, Provider, register_provider, unregister_provider
from chathpc.tasks import SUITE_DIR, load_task

BROKEN_CALL = "MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);"


class ScriptedProvider(Provider):
    """Answers axpy with a bug (rank 0 prints only its own block) until the prompt holds feedback on an earlier answer.

    It reads only the rendered prompt, like a model; every prompt it saw is kept in ``prompts``.
    """

    prompts: list[str] = []

    def __init__(self) -> None:
        task = load_task(SUITE_DIR / "blas" / "axpy")
        assert BROKEN_CALL in task.mpi_source
        self.correct = task.mpi_source
        self.broken = task.mpi_source.replace(BROKEN_CALL, "/* each rank already has what it needs */")

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        answers = []
        for request in requests:
            ScriptedProvider.prompts.append(request.prompt)
            seen_feedback = "Verification result:" in request.prompt or "Previous answer:" in request.prompt
            code = self.correct if seen_feedback else self.broken
            answers.append([f"Here is the MPI program.\n\n```c\n{code}```\n\nEach rank owns a block of the vectors."] * n)
        return answers


@pytest.fixture
def scripted():
    ScriptedProvider.prompts = []
    register_provider("scripted", lambda name, config: ScriptedProvider())
    yield ScriptedProvider
    unregister_provider("scripted")


@pytest.fixture
def axpy(tmp_path):
    task = load_task(SUITE_DIR / "blas" / "axpy")
    path = tmp_path / "axpy_seq.c"
    path.write_text(task.seq_source)
    return task, path


@pytest.fixture
def fast_config():
    """Two rank counts and a single timed repeat: enough to tell right from wrong, quickly."""
    return RunConfig(harness=HarnessConfig(ranks=[1, 2], perf_ranks=[1, 2], perf_repeats=1, perf_warmup=0))


class KindsProvider(Provider):
    """Answers like a model that knows two kinds: the dot product in OpenMP, jacobi2d_5pt in MPI + OpenMP (read from the prompt)."""

    prompts: list[str] = []

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        from chathpc.tasks import get_task

        answers = []
        for request in requests:
            KindsProvider.prompts.append(request.prompt)
            task, target = ("jacobi2d_5pt", "hybrid") if "Add OpenMP threads" in request.prompt else ("dot", "openmp")
            answers.append([f"```c\n{get_task(task).solutions(target)['reference']}```\n"] * n)
        return answers


@pytest.fixture
def kinds_provider():
    KindsProvider.prompts = []
    register_provider("kinds", lambda name, config: KindsProvider())
    yield KindsProvider
    unregister_provider("kinds")

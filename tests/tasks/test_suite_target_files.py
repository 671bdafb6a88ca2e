"""The suite ships an OpenMP solution for every task, a hybrid one for the stencil and solver tasks, and
slower variants of both whose header says what makes them slower (their outputs are checked by
`bench --target openmp|hybrid`)."""

from __future__ import annotations

from pathlib import Path

from chathpc.tasks import load_suite

SUITE = Path(__file__).resolve().parents[2] / "src" / "chathpc" / "tasks" / "suite"


def _folder(task) -> Path:
    return SUITE / task.domain / task.id


def test_every_task_has_an_openmp_solution_with_a_parallel_construct():
    missing = [t.id for t in load_suite() if "#pragma omp parallel" not in _read(_folder(t) / "omp.c")]
    assert missing == []


def test_stencil_and_solver_tasks_have_a_funneled_hybrid_solution():
    tasks = [t for t in load_suite() if t.domain in ("stencil", "solver")]
    assert len(tasks) == 11
    for task in tasks:
        text = _read(_folder(task) / "hybrid.c")
        assert "MPI_Init_thread" in text and "MPI_THREAD_FUNNELED" in text and "#pragma omp" in text, task.id


def test_variants_say_why_they_are_slower():
    openmp = sorted(SUITE.glob("*/*/variants/openmp/*.c"))
    hybrid = sorted(SUITE.glob("*/*/variants/hybrid/*.c"))
    assert len(openmp) >= 8 and len(hybrid) >= 3
    assert {p.parts[-5] for p in openmp} >= {"blas", "sparse", "stencil"}
    for path in openmp + hybrid:
        first = path.read_text().splitlines()[0]
        assert first.startswith("/*") and "slower" in first, path


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""

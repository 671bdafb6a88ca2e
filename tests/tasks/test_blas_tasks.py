"""The BLAS tasks follow the published train/test split and the expert-solution conventions."""

from __future__ import annotations

import re

import pytest

from chathpc.tasks import SUITE_DIR, Task, load_task

BLAS_DIR = SUITE_DIR / "blas"
TRAIN = {"dot", "axpy", "gemv", "trmv", "gemm", "trmm"}
TEST = {"scal", "copy", "swap", "nrm2", "asum", "iamax", "rot", "symv", "ger", "syr", "trsv", "symm", "syrk", "syr2k", "trsm"}
BLAS_TASKS = [load_task(p) for p in sorted(BLAS_DIR.iterdir()) if p.is_dir()]
ROOT_INIT_PATTERNS = ("MPI_Scatter", "MPI_Barrier", "MPI_Allgather")


def test_blas_split_follows_the_published_split():
    assert {t.id for t in BLAS_TASKS if t.split == "train"} == TRAIN
    assert {t.id for t in BLAS_TASKS if t.split == "test"} == TEST
    assert all(t.domain == "blas" for t in BLAS_TASKS)


def test_blas_variants_in_the_chat_model_style():
    variants = {t.id: set(t.variants) for t in BLAS_TASKS if t.variants}
    assert {"gemm", "dot", "gemv"} <= set(variants) and len(variants) >= 4
    assert len(variants["dot"]) >= 2
    for task in BLAS_TASKS:
        assert all(source != task.mpi_source for source in task.variants.values()), task.id


@pytest.mark.parametrize("task", BLAS_TASKS, ids=[t.id for t in BLAS_TASKS])
def test_blas_expert_conventions(task: Task):
    sizes = [int(a[0]) for a in task.args]
    assert all(n >= 4 for n in sizes), "every rank owns at least one row or element at 4 ranks"
    assert any(n % 2 and n % 3 and n % 4 for n in sizes), "a size not divisible by 2, 3 or 4"
    assert not any(p in task.mpi_source for p in ROOT_INIT_PATTERNS), "expert: each rank initializes its own data"
    assert re.search(r"static int (block_lo|tri_lo)\(int r, int n, int size\)", task.mpi_source)
    assert "if (rank == 0)" in task.mpi_source, "only rank 0 prints"
    assert 10 <= task.seq_source.count("\n") <= 50 and 20 <= task.mpi_source.count("\n") <= 90

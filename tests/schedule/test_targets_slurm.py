"""The hybrid target on the local Slurm cluster (scripts/slurm-local.sh): inside an allocation `chathpc check
--target hybrid` runs each check as a Slurm job step (the Slurm backend, `--cpus-per-task` sized for the
layouts) under the mpirun sandbox, and passes a hybrid reference at every layout; the direct srun launcher
is refused (see test_slurm.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import REPO, program

pytestmark = [pytest.mark.slow, pytest.mark.mpi]


def test_hybrid_in_slurm_job_steps_at_every_layout(slurm_cluster, tmp_path):
    (tmp_path / "seq.c").write_text(program("seq_vector_sum.c"))
    (tmp_path / "hybrid.c").write_text(program("hybrid_vector_sum.c"))
    proc = subprocess.run(
        ["salloc", "-Q", "-n", "2", sys.executable, "-m", "chathpc", "check", str(tmp_path / "seq.c"), str(tmp_path / "hybrid.c"),
         "--target", "hybrid", "--args", "1000", "--json", "--set", "harness.repeats=1",
         "--set", "schedule.backend=slurm"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["passed"] and result["target"] == "hybrid" and result["isolation"] == "bwrap"
    assert [(r["ranks"], r["threads"]) for r in result["runs"]] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2)]

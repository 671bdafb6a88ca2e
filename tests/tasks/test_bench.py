"""``chathpc bench`` and ``run_bench`` with real mpicc/mpirun through the harness."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest

from chathpc.cli import main
from chathpc.config import HarnessConfig
from chathpc.tasks import get_task
from chathpc.report.bench import table_rows
from chathpc.tasks.bench import run_bench



def test_selection_errors_are_one_line(tmp_path, capsys):
    assert main(["bench", "--task", "spmv_cssr", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "unknown task 'spmv_cssr'" in capsys.readouterr().err
    assert main(["bench", "--suite", str(tmp_path / "none"), "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert "task suite directory not found" in capsys.readouterr().err
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "bench.csv").write_text("keep me\n")
    assert main(["bench", "--task", "cg", "--out", str(tmp_path / "o"), "--no-progress"]) == 2
    assert (tmp_path / "o" / "bench.csv").read_text() == "keep me\n"
    assert not (tmp_path / "o" / "bench.json").exists()


def _suite_copy(tmp_path, task_id):
    source = get_task(task_id).path
    target = tmp_path / "suite" / source.parent.name / source.name
    shutil.copytree(source, target)
    return target


@pytest.mark.mpi
@pytest.mark.slow
def test_reference_and_variant_pass_at_every_rank_count():
    report = run_bench(task_ids=["tridiag_matvec"], solutions="all", jobs=2)
    assert [(r.solution, r.verdict) for r in report.rows] == [("reference", "pass"), ("root_scatter", "pass")]
    assert all(r.verdict_by_ranks == {1: "pass", 2: "pass", 3: "pass", 4: "pass"} for r in report.rows)
    assert report.reference_failures() == [] and not report.perf


@pytest.mark.mpi
@pytest.mark.slow
def test_cli_writes_json_csv_markdown_and_never_overwrites(tmp_path, capsys):
    out = tmp_path / "results"
    assert main(["bench", "--task", "heat1d_gatherv", "--out", str(out), "--no-progress", "--jobs", "2"]) == 0
    printed = capsys.readouterr().out
    assert "heat1d_gatherv" in printed and "1/1 solutions pass" in printed
    data = json.loads((out / "bench.json").read_text())
    assert data["rows"][0]["task"] == "heat1d_gatherv" and data["rows"][0]["passed"] is True
    rows = list(csv.DictReader((out / "bench.csv").open()))
    assert rows[0]["verdict"] == "pass" and rows[0]["np4"] == "pass"
    assert "| heat1d_gatherv | stencil | refine | reference | pass |" in (out / "bench.md").read_text()
    before = (out / "bench.json").read_text()
    assert main(["bench", "--task", "heat1d_gatherv", "--out", str(out), "--no-progress"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "bench.json").read_text() == before


@pytest.mark.mpi
@pytest.mark.slow
def test_a_broken_reference_fails_the_bench(tmp_path, capsys):
    folder = _suite_copy(tmp_path, "jacobi1d_3pt")
    mpi = folder / "mpi.c"
    mpi.write_text(mpi.read_text().replace("/ 3.0;", "/ 3.0 + 1e-3;"))
    code = main(["bench", "--suite", str(tmp_path / "suite"), "--out", str(tmp_path / "out"), "--no-progress", "--jobs", "2"])
    assert code == 1
    out = capsys.readouterr().out
    assert "BROKEN TASK: jacobi1d_3pt reference wrong_output" in out


@pytest.mark.mpi
@pytest.mark.slow
def test_perf_reports_speedup_bytes_and_variant_cost(tmp_path):
    folder = _suite_copy(tmp_path, "jacobi3d_7pt")
    spec = folder / "task.yaml"
    spec.write_text(re.sub(r"(?m)^perf_args: .*$", 'perf_args: ["48", "4"]', spec.read_text()))
    config = HarnessConfig(perf_repeats=1, perf_warmup=0, perf_ranks=[1, 2])
    report = run_bench(solutions="all", perf=True, config=config, root=tmp_path / "suite", jobs=2)
    reference, variant = report.rows
    assert reference.sequential_seconds and reference.sequential_seconds > 0
    assert [t.ranks for t in reference.timings] == [1, 2] and [t.ranks for t in variant.timings] == [1, 2]
    assert reference.timings[0].bytes_sent < reference.timings[1].bytes_sent
    assert variant.timings[1].bytes_sent > 2 * reference.timings[1].bytes_sent, "the variant scatters and gathers the grid"
    assert reference.slowdown is None and variant.slowdown is not None and variant.slowdown_ranks == 2
    assert reference.sequential_rss_mib and all(t.max_rss_mib and t.max_rss_mib > 1 for t in reference.timings)
    header, rows = table_rows(report)
    assert header.index("mib_np2") == header.index("speedup_np2") + 1 and rows[0][header.index("mib_np2")]
    timeable = reference.sequential_seconds >= 0.01  # below the timing floor no speedup is quoted
    assert reference.timeable == timeable
    assert bool(rows[0][header.index("speedup_np2")]) == timeable


@pytest.mark.mpi
def test_the_report_states_the_isolation_the_runs_had():
    """A launcher that is neither mpirun nor srun (a site wrapper) runs under rlimits with sandbox auto; the report says so."""
    import os
    import tempfile

    folder = tempfile.mkdtemp(prefix="chathpc-launcher-")
    try:
        os.chmod(folder, 0o755)  # the harness may run the launcher under a private uid
        wrapper = os.path.join(folder, "site-launch")
        with open(wrapper, "w") as stream:
            stream.write('#!/bin/sh\nexec mpirun --oversubscribe --allow-run-as-root --mca pml ob1 --mca btl self,vader "$@"\n')
        os.chmod(wrapper, 0o755)
        config = HarnessConfig(ranks=[1, 2], launcher=f"{wrapper} -np {{n}}")
        report = run_bench(task_ids=["axpy"], config=config, jobs=1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert report.rows[0].passed, report.rows[0].summary
    assert report.rows[0].isolation == "rlimits" and report.isolation == "rlimits"

"""``chathpc check``: exit statuses, text and JSON output, options."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from chathpc.cli import main

pytestmark = pytest.mark.mpi

PROGRAMS = Path(__file__).parent / "programs"
SEQ = str(PROGRAMS / "seq_sum.c")


def test_verified_candidate_exits_0_with_a_run_table(work_root, capsys):
    code = main(["check", SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--ranks", "1,3", "--args", "7", "--args", "37"])
    out = capsys.readouterr().out
    assert code == 0
    assert "mpi_sum_correct.c: pass (4 runs)" in out and "isolation:" in out
    assert out.count(" pass ") >= 4


def test_failed_candidate_exits_1_and_json_is_a_check_result(work_root, capsys):
    code = main(["check", SEQ, str(PROGRAMS / "mpi_sum_wrong_op.c"), "--ranks", "2", "--args", "7", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert data["verdict"] == "wrong_output" and data["passed"] is False
    assert data["runs"][0]["mismatch"]["expected"].startswith("2.0092")


def test_several_candidates_with_jobs_give_a_json_list(work_root, capsys):
    candidates = [str(PROGRAMS / "mpi_sum_correct.c"), str(PROGRAMS / "sum_in_disguise.c")]
    code = main(["check", SEQ, *candidates, "--ranks", "2", "--args", "7", "--jobs", "2", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(d["candidate"], d["result"]["verdict"]) for d in data] == [(candidates[0], "pass"), (candidates[1], "not_mpi")]


def test_tolerance_option_reaches_the_comparison(work_root, capsys, tmp_path):
    perturbed = tmp_path / "perturbed.c"
    perturbed.write_text((PROGRAMS / "mpi_sum_correct.c").read_text().replace("global[0], global[1]);", "global[0] * (1 + 1e-6), global[1]);"))
    assert main(["check", SEQ, str(perturbed), "--ranks", "1", "--args", "7"]) == 1
    assert main(["check", SEQ, str(perturbed), "--ranks", "1", "--args", "7", "--rtol", "1e-5"]) == 0
    assert "rtol 1e-05" in capsys.readouterr().out


def test_keep_prints_the_work_dir(work_root, capsys):
    assert main(["check", SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--ranks", "1", "--keep"]) == 0
    out = capsys.readouterr().out
    kept = Path(out.split("work dir kept: ")[1].split()[0])
    assert (kept / "candidate.c").is_file()
    shutil.rmtree(kept)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.c", "also-missing.c"], "missing.c: file not found"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--ranks", "0"], "--ranks"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--args", "'unclosed"], "--args"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--rtol", "-1"], "--rtol must be a finite number >= 0"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--rtol", "nan"], "--rtol must be a finite number >= 0, got nan"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--atol", "inf"], "--atol must be a finite number >= 0, got inf"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--timeout", "inf"], "--timeout: Input should be a finite number"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--perf-args", "'unclosed"], "--perf-args"),
        ([SEQ, "/dev/null"], "/dev/null: empty file"),
        (["/dev/null", str(PROGRAMS / "mpi_sum_correct.c")], "/dev/null: empty file"),
        ([SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--set", "harness.launcher=mpirun"], "must contain {n}"),
    ],
)
def test_usage_errors_exit_2_in_one_line(argv, message, capsys):
    assert main(["check", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_failing_reference_exits_2(work_root, capsys, tmp_path):
    broken = tmp_path / "seq.c"
    broken.write_text("int main(void) { return 4; }\n")
    assert main(["check", str(broken), str(PROGRAMS / "mpi_sum_correct.c"), "--ranks", "1"]) == 2
    assert "the sequential program failed" in capsys.readouterr().err


def test_missing_mpi_exits_2(work_root, capsys):
    assert main(["check", SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--set", "harness.cc=no-such-mpicc"]) == 2
    assert "'no-such-mpicc' not found on PATH" in capsys.readouterr().err


@pytest.mark.slow
def test_perf_prints_timing_and_profile(work_root, capsys):
    code = main([
        "check", SEQ, str(PROGRAMS / "mpi_sum_correct.c"), "--ranks", "2", "--args", "7", "--perf", "--perf-args", "2000000",
        "--set", "harness.perf_ranks=1,2", "--set", "harness.perf_repeats=1", "--set", "harness.perf_warmup=0",
    ])
    out = capsys.readouterr().out
    assert code == 0
    assert "timing (args 2000000): sequential" in out
    # ranks, seconds, speedup, efficiency, then no messages and 2 collective calls of 16 bytes in all, then MiB per rank
    rows = re.findall(r"^\s+(\d+)\s+[\d.]+\s+[\d.]+x\s+[\d.]+\s+0\s+0\s+2\s+16\s+\d+(?: \d+)*$", out, re.M)
    assert rows == ["1", "2"], out


def test_env_reports_the_isolation_level(capsys):
    assert main(["env", "--json"]) == 0  # exit 1 would mean MPI is missing, which these tests rule out
    report = json.loads(capsys.readouterr().out)
    assert report["sandbox"]["isolation"] in ("bwrap", "rlimits")

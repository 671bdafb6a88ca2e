"""check(): every verdict proven with real mpicc/mpirun, with nothing left running afterwards."""

from __future__ import annotations

import importlib
import json
import shutil
import time
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig
from chathpc.harness import CheckResult, ReferenceProgramError, Verdict, check
from chathpc.harness.runs import describe_failure
from chathpc.harness.sandbox import ProcessOutcome
from chathpc.schedule import check_many
from chathpc.system import clang_tidy_path


def program(name: str) -> str:
    return (Path(__file__).parent / "programs" / name).read_text()

pytestmark = pytest.mark.mpi

SEQ = program("seq_sum.c")
ARGS = [["7"], ["37"]]
FAST_TIMEOUT = HarnessConfig(timeout=4.0)


def test_correct_decomposition_passes_at_every_rank_count(work_root):
    result = check(SEQ, program("mpi_sum_correct.c"), args=ARGS)
    assert result.verdict == Verdict.PASS and result.passed
    assert [(r.args, r.ranks) for r in result.runs] == [(a, n) for a in ARGS for n in (1, 2, 3, 4)]
    assert all(r.verdict == Verdict.PASS and r.exit_code == 0 for r in result.runs)
    assert result.isolation in ("bwrap", "rlimits")
    assert result.warnings == []
    restored = CheckResult.model_validate_json(result.model_dump_json())
    assert restored == result
    assert result.summary().startswith("pass (8 runs)")


def test_wrong_only_when_size_not_divisible(work_root):
    candidate = program("mpi_sum_no_remainder.c")
    assert check(SEQ, candidate, args=[["12"]]).passed
    result = check(SEQ, candidate, args=[["12"], ["7"]])
    assert result.verdict == Verdict.WRONG_OUTPUT
    failure = result.first_failure()
    assert failure is not None and failure.args == ["7"] and failure.ranks == 2
    assert failure.mismatch is not None and failure.mismatch.line == 2 and failure.mismatch.expected.startswith("2.0092")
    assert "with 2 MPI ranks and arguments 7" in result.feedback()


@pytest.mark.slow
def test_missing_halo_exchange(work_root):
    heat = program("seq_heat.c")
    assert check(heat, program("mpi_heat_correct.c"), args=[["37"]]).passed
    result = check(heat, program("mpi_heat_no_halo.c"), args=[["37"]])
    assert result.verdict == Verdict.WRONG_OUTPUT
    assert [r.verdict for r in result.runs] == [Verdict.PASS, Verdict.WRONG_OUTPUT]


def test_parallel_runs_report_the_first_failure_in_plan_order(work_root):
    result = check(SEQ, program("mpi_sum_no_remainder.c"), args=[["12"], ["7"]], config=HarnessConfig(jobs=3))
    assert result.verdict == Verdict.WRONG_OUTPUT
    plan = [(a, n) for a in (["12"], ["7"]) for n in (1, 2, 3, 4)]
    assert [(r.args, r.ranks) for r in result.runs] == plan[: len(result.runs)]
    assert (result.first_failure().args, result.first_failure().ranks) == (["7"], 2)


@pytest.mark.parametrize(
    ("failure", "details"),
    [
        # Open MPI 4.1 sometimes loses its MPI_ABORT message in a race; the exit status remains
        ("MPI_Abort(MPI_COMM_WORLD, 3);", ("MPI_Abort called on rank 1", "exit status 3")),
        ("exit(5);", ("rank 1 exited with status 5",)),
    ],
)
def test_abort_and_exit_status_are_runtime_errors(work_root, failure, details):
    candidate = program("mpi_sum_correct.c").replace("    double local[2]", f"    if (rank == 1) {failure}\n    double local[2]")
    result = check(SEQ, candidate, args=[["7"]], config=HarnessConfig(ranks=[2]))
    assert result.verdict == Verdict.RUNTIME_ERROR
    failure_run = result.first_failure()
    assert any(failure_run.detail.startswith(d) for d in details), failure_run.detail
    if failure_run.detail.startswith("MPI_Abort") or failure_run.detail.startswith("rank"):
        assert failure_run.failed_rank == 1


@pytest.mark.parametrize(
    ("stderr", "said"),
    [
        ("-" * 74 + "\nmpirun was unable to launch the specified application as it could not access\nor execute an executable:\n\n"
         "Executable: ./candidate\n\nwhile attempting to start process rank 0.\n" + "-" * 74 + "\n",
         "mpirun was unable to launch the specified application as it could not access"),
        ("bwrap: setting up uid map: Permission denied\n", "bwrap: setting up uid map: Permission denied"),
        ("E" * 3000, ""),  # one flooded line is the program's output, carried by feedback's stderr tail, not the launcher's
        ("", ""),
    ],
)
def test_a_launch_failure_without_a_rank_report_names_what_the_launcher_said(stderr, said):
    """mpirun's own failure (no rank reported) keeps the line that says why in the run's one-line detail."""
    failure = describe_failure(ProcessOutcome(1, "", stderr, 0.1, False, False))
    assert failure.kind == "status"
    assert failure.text == ("exit status 1: " + said if said else "exit status 1")


def test_a_run_mpirun_failed_to_launch_is_tried_once_more(work_root, monkeypatch):
    """The first candidate start fails inside mpirun (exit 1, no rank reported): the run is repeated and passes;
    a candidate's own exit status is never repeated (see test_abort_and_exit_status_are_runtime_errors)."""
    check_module = importlib.import_module("chathpc.harness.check")  # the package exports the function under this name
    real, calls = check_module.run_sandboxed, []

    def first_launch_fails(command, run_dir, **kw):
        calls.append(command)
        if len(calls) == 1 and "mpirun" in " ".join(command):
            return ProcessOutcome(1, "", "-" * 20 + "\nmpirun could not launch\n" + "-" * 20 + "\n", 0.1, False, False)
        return real(command, run_dir, **kw)

    monkeypatch.setattr(check_module, "run_sandboxed", first_launch_fails)
    result = check(SEQ, program("mpi_sum_correct.c"), args=[["7"]], config=HarnessConfig(ranks=[1], jobs=1))
    assert result.passed, result.runs
    assert len(calls) == 2 and len(result.runs) == 1


def test_wrong_reduction_operator(work_root):
    result = check(SEQ, program("mpi_sum_wrong_op.c"), args=[["7"]])
    assert result.verdict == Verdict.WRONG_OUTPUT
    assert [r.verdict for r in result.runs] == [Verdict.PASS, Verdict.WRONG_OUTPUT]


def test_every_rank_printing_is_wrong_output(work_root):
    result = check(SEQ, program("mpi_sum_every_rank_prints.c"), args=[["7"]])
    assert result.verdict == Verdict.WRONG_OUTPUT
    assert result.first_failure().ranks == 2


def test_segfault_names_the_rank(work_root):
    result = check(SEQ, program("mpi_sum_segfault.c"), args=[["7"]])
    assert result.verdict == Verdict.RUNTIME_ERROR
    failure = result.first_failure()
    assert failure.ranks == 2 and failure.failed_rank == 1
    assert failure.signal == "Segmentation fault"
    assert "rank 1" in result.feedback()


@pytest.mark.slow
def test_deadlock_times_out_and_ranks_are_killed(work_root):
    started = time.monotonic()
    result = check(SEQ, program("mpi_sum_deadlock.c"), args=[["7"]], config=FAST_TIMEOUT)
    assert result.verdict == Verdict.TIMEOUT
    assert result.first_failure().ranks == 2 and result.first_failure().exit_code is None
    assert time.monotonic() - started < 30
    assert "did not finish with 2 MPI ranks" in result.feedback()


@pytest.mark.slow
def test_infinite_loop_times_out(work_root):
    result = check(SEQ, program("mpi_sum_infinite_loop.c"), args=[["7"]], config=FAST_TIMEOUT)
    assert result.verdict == Verdict.TIMEOUT
    assert len(result.runs) == 1


@pytest.mark.slow
def test_fork_bomb_is_contained(work_root, fork_bomb_survivors):
    token, survivors = fork_bomb_survivors
    result = check(SEQ, program("mpi_sum_fork_bomb.c"), args=[["7", token]], config=FAST_TIMEOUT)
    assert result.verdict in (Verdict.TIMEOUT, Verdict.RUNTIME_ERROR)
    assert survivors() == []  # no forked copy outlived the check


def test_memory_hog_hits_the_limit(work_root):
    result = check(SEQ, program("mpi_sum_memory_hog.c"), args=[["7"]], config=HarnessConfig(memory_mb=512, timeout=20))
    assert result.verdict == Verdict.RUNTIME_ERROR
    assert result.first_failure().ranks == 1


def test_output_flood_is_cut(work_root):
    cap = 64 * 1024
    result = check(SEQ, program("mpi_sum_output_flood.c"), args=[["7"]], config=HarnessConfig(max_output_bytes=cap, timeout=20))
    assert result.verdict == Verdict.WRONG_OUTPUT
    failure = result.first_failure()
    assert failure.output_truncated and "output flood" in failure.detail
    assert len(result.model_dump_json()) < cap


def test_sequential_program_in_disguise_is_not_mpi(work_root):
    result = check(SEQ, program("sum_in_disguise.c"), args=[["7"]])
    assert result.verdict == Verdict.NOT_MPI and not result.passed and result.runs == []
    assert "MPI_Init" in result.feedback()


def test_build_error_keeps_compiler_output(work_root):
    broken = program("mpi_sum_correct.c").replace("MPI_Finalize();", "MPI_Finalize()")
    result = check(SEQ, broken, args=[["7"]])
    assert result.verdict == Verdict.BUILD_ERROR and result.runs == []
    assert "error" in result.build_log and "expected" in result.build_log
    assert result.feedback().startswith("The program does not compile")


def test_broken_reference_is_the_references_fault(work_root):
    with pytest.raises(ReferenceProgramError, match="sequential program does not compile"):
        check("int main( {", program("mpi_sum_correct.c"), args=[["7"]])
    crashing = SEQ.replace("return 0;", "return 3;")
    with pytest.raises(ReferenceProgramError, match="exit status 3"):
        check(crashing, program("mpi_sum_correct.c"), args=[["7"]])


@pytest.mark.skipif(clang_tidy_path() is None, reason="clang-tidy is not installed (scripts/setup.sh installs it where it runs as root with apt)")
def test_static_screen_warns_without_changing_the_verdict(work_root):
    result = check(SEQ, program("mpi_sum_type_mismatch.c"), args=[["7"]], config=HarnessConfig(ranks=[1, 2]))
    assert result.verdict == Verdict.PASS
    assert any("MPI_LONG_LONG" in w and "mpi-type-mismatch" in w for w in result.warnings), result.warnings


def test_tolerance_override_per_call(work_root):
    perturbed = program("mpi_sum_correct.c").replace("global[0], global[1]);", "global[0] * (1 + 1e-6), global[1]);")
    config = HarnessConfig(ranks=[1])
    assert check(SEQ, perturbed, args=[["7"]], config=config).verdict == Verdict.WRONG_OUTPUT
    loose = check(SEQ, perturbed, args=[["7"]], config=config, rtol=1e-5)
    assert loose.passed and loose.rtol == 1e-5


def test_keep_leaves_the_work_dir(work_root):
    result = check(SEQ, program("mpi_sum_correct.c"), args=[["7"]], config=HarnessConfig(ranks=[2]), keep=True)
    assert result.passed and result.work_dir is not None
    assert (work_root / result.work_dir).joinpath("candidate.c").read_text() == program("mpi_sum_correct.c")
    shutil.rmtree(result.work_dir)


def test_check_many_keeps_order_and_runs_in_parallel(work_root, monkeypatch):
    import importlib
    import threading

    check_module = importlib.import_module("chathpc.schedule.local")  # where check_many's scheduler calls check

    active, most, lock = [0], [0], threading.Lock()
    real_check = check_module.check

    def counted_check(*args, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        try:
            return real_check(*args, **kwargs)
        finally:
            with lock:
                active[0] -= 1

    monkeypatch.setattr(check_module, "check", counted_check)
    pairs = [(SEQ, program(name)) for name in ("mpi_sum_correct.c", "mpi_sum_wrong_op.c", "sum_in_disguise.c")]
    results = check_many(pairs, jobs=2, args=[["7"]], config=HarnessConfig(ranks=[1, 3]))
    assert [r.verdict for r in results] == [Verdict.PASS, Verdict.WRONG_OUTPUT, Verdict.NOT_MPI]
    assert json.loads(results[0].model_dump_json())["verdict"] == "pass"
    assert most[0] == 2, "two checks should have been in progress at once with jobs=2"


def test_extraction_failed_result():
    result = CheckResult.extraction_failed("no ```c block in the answer")
    assert result.verdict == Verdict.EXTRACT_ERROR and not result.passed
    assert "no ```c block" in result.feedback() and result.summary().startswith("extract_error")


def test_a_compilation_that_timed_out_is_not_cached_as_a_failure(work_root):
    from chathpc.harness.build import build
    from chathpc.harness.sandbox import Limits, isolation_level

    source = program("mpi_sum_correct.c").replace("int main", "/* timed-out build probe */ int main")
    common = dict(cc="mpicc", cflags=["-O2"], ldflags=[], isolation=isolation_level("auto"),
                  limits=Limits(memory_mb=4096, cpu_seconds=60, processes=256, max_output_bytes=1 << 20))
    slow = build(source, timeout=0.001, **common)
    assert not slow.ok and "did not finish within" in slow.log
    again = build(source, timeout=120, **common)
    assert again.ok and not again.cached and again.binary.is_file()
    assert build(source, timeout=120, **common).cached

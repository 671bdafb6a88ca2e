"""--explore, --sanitize, memory per rank and the diagnosis, on the project's own buggy programs (real mpicc/mpirun).

Each buggy program passes the plain check at the given inputs and is caught by exploration or the
sanitizer build with the diagnosis its bug deserves; correct programs pass both.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chathpc.cli import main as cli_main
from chathpc.config import HarnessConfig
from chathpc.harness import CheckResult, Verdict, check
from chathpc.harness.diagnose import diagnose, every_rank_printed
from chathpc.harness.explore import integer_positions
from chathpc.harness.results import RunResult
from chathpc.harness.sanitize import parse_report
from chathpc.tasks import get_task

PROGRAMS = Path(__file__).parent / "programs"
ARGS = [["7"], ["37"], ["61"]]
EXPLORE = HarnessConfig(explore=True, explore_ranks=[5], explore_budget=60)
SANITIZE = HarnessConfig(sanitize=True)


def program(name: str) -> str:
    return (PROGRAMS / name).read_text()


SEQ = program("seq_sum.c")


def test_integer_positions_are_those_holding_an_integer_in_every_set():
    assert integer_positions([["7", "1e-6", "1000"], ["37", "1e-5", "5000"]]) == [0, 2]
    assert integer_positions([["7", "x"], ["8", "9"]]) == [0]
    assert integer_positions([["7"], ["8", "9"]]) == []
    assert integer_positions([[]]) == []


def test_every_rank_printed_compares_line_shapes_not_values():
    expected = "n 7\nsum 1.5e+01\nmax 2.0e+00\n"
    assert every_rank_printed(expected, expected + "n 7\nsum 0.0e+00\nmax 9.9e+00\n", 2)
    assert not every_rank_printed(expected, expected, 1)
    assert not every_rank_printed(expected, expected + "n 7\n", 2)


def test_asan_report_first_frame_in_the_program():
    stderr = (
        "==81==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x6 at pc 0x5 bp 0x7 sp 0x7\n"
        "READ of size 16 at 0x6 thread T0\n"
        "    #0 0x7f in __interceptor_memcpy ../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827\n"
        "    #1 0x55 in main /tmp/chathpc-build-x/src/prog.c:23\n"
    )
    report = parse_report(stderr)
    assert report is not None and report.kind == "heap-buffer-overflow" and report.out_of_bounds
    assert report.location == "prog.c:23" and report.function == "main" and report.access == "READ of size 16"
    ubsan = parse_report("prog.c:12:9: runtime error: index 5 out of bounds for type 'double [4]'\n")
    assert ubsan is not None and ubsan.tool == "UndefinedBehaviorSanitizer" and ubsan.location == "prog.c:12" and ubsan.out_of_bounds
    assert parse_report("ordinary stderr\n") is None


def test_diagnosis_names_a_remainder_bug_from_runs_alone():
    runs = [
        RunResult(args=["12"], ranks=2, verdict=Verdict.PASS),
        RunResult(args=["7"], ranks=1, verdict=Verdict.PASS),
        RunResult(args=["7"], ranks=2, verdict=Verdict.WRONG_OUTPUT),
        RunResult(args=["8"], ranks=2, verdict=Verdict.PASS, role="diagnosis"),
    ]
    assert "remainder is not distributed" in diagnose(runs[2], runs, [["12"], ["7"]], [1, 2, 3, 4])
    assert diagnose(None, runs, [["7"]], [1, 2]) == ""


@pytest.mark.mpi
def test_every_run_records_peak_memory(work_root):
    result = check(SEQ, program("mpi_sum_correct.c"), args=[["7"]], config=HarnessConfig(ranks=[1, 2]))
    assert result.passed and all(r.max_rss_mib is not None and r.max_rss_mib > 1 for r in result.runs)


@pytest.mark.mpi
def test_ceil_blocks_pass_the_given_inputs_and_fail_when_n_is_small_next_to_p(work_root):
    candidate = program("mpi_sum_ceil_blocks.c")
    assert check(SEQ, candidate, args=ARGS).passed
    result = check(SEQ, candidate, args=ARGS, config=EXPLORE)
    assert result.verdict == Verdict.WRONG_OUTPUT and not result.passed
    explored = result.explore
    assert explored is not None and explored.failed_at is not None and explored.shrunk_to is not None
    assert explored.failed_at.ranks > 4 and explored.failed_at.role == "probe"
    small = explored.shrunk_to
    assert int(small.args[0]) <= int(explored.failed_at.args[0]) and small.ranks <= explored.failed_at.ranks
    assert result.first_failure() == small
    assert "ceil(n/p)" in result.diagnosis
    assert "Diagnosis: fails when n is small next to the rank count" in result.feedback()
    assert "derived by exploration" in result.feedback()
    assert explored.tried == len([p for p in result.probes if p.role == "probe"])
    restored = CheckResult.model_validate_json(result.model_dump_json())
    assert restored.diagnosis == result.diagnosis and restored.explore == result.explore


@pytest.mark.mpi
def test_table_sized_for_four_ranks_fails_only_above_four(work_root):
    candidate = program("mpi_sum_table_for_4.c")
    assert check(SEQ, candidate, args=ARGS).passed
    result = check(SEQ, candidate, args=ARGS, config=EXPLORE)
    assert not result.passed and result.first_failure().ranks == 5
    assert result.diagnosis.startswith("fails only above 4 ranks")


@pytest.mark.mpi
def test_empty_blocks_fail_when_n_is_below_the_rank_count(work_root):
    candidate = program("mpi_sum_empty_block.c")
    assert check(SEQ, candidate, args=ARGS).passed
    result = check(SEQ, candidate, args=ARGS, config=EXPLORE)
    failure = result.first_failure()
    assert not result.passed and int(failure.args[0]) < failure.ranks
    assert result.diagnosis.startswith("fails when n < ranks: empty blocks")


@pytest.mark.mpi
def test_one_element_short_buffer_is_caught_by_the_sanitizer_only(work_root):
    candidate = program("mpi_sum_one_short.c")
    assert check(SEQ, candidate, args=ARGS).passed
    result = check(SEQ, candidate, args=ARGS, config=SANITIZE)
    assert result.verdict == Verdict.MEMORY_ERROR and result.sanitized
    failure = result.first_failure()
    assert failure.role == "sanitize" and failure.sanitizer is not None
    assert failure.sanitizer.kind == "heap-buffer-overflow" and failure.sanitizer.function == "main"
    assert failure.sanitizer.location.startswith("prog.c:")
    assert result.diagnosis.startswith("output right, sanitizer error: out-of-bounds access")
    assert "AddressSanitizer: heap-buffer-overflow" in result.feedback()


@pytest.mark.mpi
@pytest.mark.slow
def test_correct_program_passes_explore_and_sanitize(work_root):
    result = check(SEQ, program("mpi_sum_correct.c"), args=ARGS, config=HarnessConfig(explore=True, sanitize=True, explore_ranks=[5, 8]))
    assert result.passed and result.verdict == Verdict.PASS and result.diagnosis == ""
    assert result.explore is not None and result.explore.tried > 0 and result.explore.failed_at is None
    sanitized = [p for p in result.probes if p.role == "sanitize"]
    assert len(sanitized) == len(ARGS) * 4 and all(p.verdict == Verdict.PASS for p in sanitized)
    assert {p.ranks for p in result.probes if p.role == "probe"} >= {5, 8}


@pytest.mark.mpi
def test_probe_the_sequential_program_rejects_is_skipped(work_root):
    seq = program("seq_squares.c")
    config = HarnessConfig(ranks=[1, 2], explore=True, explore_ranks=[5])
    result = check(seq, program("mpi_squares_small_only.c"), args=[["7"], ["37"]], config=config)
    assert result.passed, result.summary()
    explored = result.explore
    assert explored is not None and sorted(explored.rejected) == [["1"], ["2"], ["3"]]
    assert not any(p.args in (["1"], ["2"], ["3"]) for p in result.probes)
    assert explored.tried == len([p for p in result.probes if p.role == "probe"])


@pytest.mark.mpi
@pytest.mark.slow
def test_reference_that_declines_small_inputs_is_not_flagged(work_root):
    task = get_task("jacobi1d_3pt")
    result = check(task.seq_source, task.mpi_source, args=task.args, config=HarnessConfig(explore=True, explore_ranks=[5]), rtol=task.rtol, atol=task.atol)
    assert result.passed, result.summary()
    assert result.explore is not None and result.explore.declined
    assert all(int(d.args[0]) < d.ranks for d in result.explore.declined)


@pytest.mark.mpi
@pytest.mark.slow
def test_candidate_refusing_inputs_the_sequential_program_accepts_fails(work_root):
    seq, candidate = program("seq_histogram16.c"), program("mpi_histogram_refuses_small.c")
    config = HarnessConfig(ranks=[1, 2], timeout=10.0)
    assert check(seq, candidate, args=[["1001"], ["4099"]], config=config).passed  # it takes the given sizes
    result = check(seq, candidate, args=[["1001"], ["4099"]],
                   config=config.model_copy(update={"explore": True, "explore_ranks": [5], "explore_budget": 60}))
    assert not result.passed and result.verdict == Verdict.RUNTIME_ERROR
    small = result.first_failure()
    assert small.ranks == 1 and small.args == ["4"]  # n = 1..3 at 1 rank lie below 4 x ranks: a rank-count precondition
    assert result.diagnosis.startswith("refuses n = 4 at 1 ranks"), result.diagnosis
    assert "which the sequential program accepts" in result.diagnosis
    assert all(int(d.args[0]) < 4 * d.ranks for d in result.explore.declined)


@pytest.mark.mpi
@pytest.mark.slow
def test_shrinking_reaches_the_smallest_failing_size(work_root):
    seq = program("seq_squares.c")
    candidate = program("mpi_squares_wraps.c")
    assert check(seq, candidate, args=ARGS).passed
    result = check(seq, candidate, args=ARGS, config=HarnessConfig(explore=True, explore_ranks=[5], explore_budget=120))
    explored = result.explore
    assert explored is not None and explored.failed_at is not None and int(explored.failed_at.args[0]) > 65537
    assert explored.shrunk_to.args == ["65537"] and explored.shrunk_to.ranks == 1
    assert result.verdict == Verdict.WRONG_OUTPUT


@pytest.mark.mpi
@pytest.mark.slow
def test_send_before_receive_halo_hangs_whatever_the_iteration_count(work_root):
    """Rows of 37 doubles (296 bytes) fit Open MPI's default ~4 KB eager limit, so this exchange completes in an
    ordinary run; correctness runs lower the limit, and the deadlock shows at the given input."""
    task = get_task("jacobi2d_5pt")
    candidate = program("mpi_jacobi2d_send_first.c")
    config = HarnessConfig(ranks=[1, 2], timeout=5.0)
    result = check(task.seq_source, candidate, args=[["7", "3"], ["37", "100"]], config=config)
    assert result.verdict == Verdict.TIMEOUT, result.summary()
    assert result.first_failure().args == ["37", "100"] and result.first_failure().ranks == 2
    assert result.diagnosis.startswith("hangs only for large messages"), result.diagnosis


@pytest.mark.mpi
@pytest.mark.slow
def test_send_before_receive_halo_is_found_by_explore_from_rows_below_the_limit(work_root):
    task = get_task("jacobi2d_5pt")
    candidate = program("mpi_jacobi2d_send_first.c")
    config = HarnessConfig(ranks=[1, 2], timeout=5.0)
    assert check(task.seq_source, candidate, args=[["7", "100"]], config=config).passed  # rows of 56 bytes pass
    result = check(task.seq_source, candidate, args=[["7", "100"]],
                   config=config.model_copy(update={"explore": True, "explore_ranks": [3], "explore_budget": 60}))
    assert result.verdict == Verdict.TIMEOUT, result.summary()
    small = result.first_failure()
    assert small.ranks == 2 and 8 * int(small.args[0]) > 256  # a row longer than what correctness runs buffer
    assert result.diagnosis.startswith("hangs only for large messages"), result.diagnosis


@pytest.mark.mpi
@pytest.mark.slow
def test_replicated_data_is_flagged_by_memory_per_rank(work_root):
    seq = program("seq_vector_sum.c")
    config = HarnessConfig(perf_ranks=[1, 2], perf_repeats=1, perf_warmup=0)
    flagged = check(seq, program("mpi_vector_sum_replicated.c"), args=ARGS, config=config, perf=True, perf_args=["8000000"])
    divided = check(seq, program("mpi_vector_sum_correct.c"), args=ARGS, config=config, perf=True, perf_args=["8000000"])
    assert flagged.passed and divided.passed
    assert flagged.perf.sequential_rss_mib > 60
    assert any(f.startswith("memory per rank does not shrink") for f in flagged.perf.flags), flagged.perf.flags
    assert not any(f.startswith("memory per rank") for f in divided.perf.flags), divided.perf.flags
    two = {t.ranks: t for t in divided.perf.timings}[2]
    assert len(two.rss_mib) == 2 and max(two.rss_mib) < flagged.perf.sequential_rss_mib


@pytest.mark.mpi
def test_cli_check_explore_json_carries_the_diagnosis(work_root, capsys):
    code = cli_main(["check", str(PROGRAMS / "seq_sum.c"), str(PROGRAMS / "mpi_sum_table_for_4.c"),
                     "--args", "7", "--ranks", "1,2", "--explore", "--explore-budget", "40", "--explore-seed", "3", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1 and payload["verdict"] == "wrong_output"
    assert payload["explore"]["seed"] == 3 and payload["explore"]["budget_seconds"] == 40
    assert payload["diagnosis"].startswith("fails only above")
    assert all(p["max_rss_mib"] for p in payload["probes"] if p["verdict"] == "pass")


@pytest.mark.parametrize("argv", [
    ["verify", "--explore", "--explore-budget", "12", "--sanitize"],
    ["test", "--explore", "--explore-budget", "12", "--sanitize"],
    ["compare", "-m", "reference", "--explore", "--explore-budget", "12", "--sanitize"],
    ["parallelize", "seq.c", "--explore", "--explore-budget", "12", "--sanitize"],
    ["bench", "--explore", "--explore-budget", "12", "--sanitize"],
])
def test_every_checking_verb_passes_explore_and_sanitize_to_the_harness(argv):
    from chathpc.cli import build_parser
    from chathpc.cli.options import config_from_args

    harness = config_from_args(build_parser().parse_args(argv)).config.harness
    assert harness.explore and harness.sanitize and harness.explore_budget == 12
    without = [a for a in argv if a not in ("--explore", "--explore-budget", "12", "--sanitize")]
    plain = config_from_args(build_parser().parse_args(without)).config.harness
    assert not plain.explore and not plain.sanitize

"""Timing runs: PMPI-measured time, speedup, efficiency, communication profile, no-speedup flag."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig
from chathpc.harness import RankTiming, check, measure_performance
from chathpc.harness.check import scaling_flags
from chathpc.harness.profile import read_profile

pytestmark = [pytest.mark.mpi, pytest.mark.slow]

PROGRAMS = Path(__file__).parent / "programs"
SEQ = (PROGRAMS / "seq_sum.c").read_text()
CONFIG = HarnessConfig(ranks=[1, 2], perf_ranks=[1, 2], perf_repeats=3, perf_warmup=0)
PERF_ARGS = ["10000000"]  # about 15 ms sequentially: long enough to time, short for the suite


def test_perf_reports_times_speedup_and_comm_profile(work_root):
    result = check(SEQ, (PROGRAMS / "mpi_sum_correct.c").read_text(), args=[["7"]], config=CONFIG, perf=True, perf_args=PERF_ARGS)
    assert result.passed and result.perf is not None and result.perf.error is None
    perf = result.perf
    assert perf.args == PERF_ARGS and perf.sequential_seconds > 0 and len(perf.sequential_samples) == 3
    assert [t.ranks for t in perf.timings] == [1, 2]
    # every figure derives from the raw repeats: medians, then ratios of medians
    assert perf.sequential_seconds == pytest.approx(statistics.median(perf.sequential_samples), rel=1e-3)
    for timing in perf.timings:
        assert timing.seconds > 0 and len(timing.samples) == 3
        assert timing.seconds == pytest.approx(statistics.median(timing.samples), rel=1e-3)
        expected = statistics.median(perf.sequential_samples) / statistics.median(timing.samples)
        assert timing.speedup == pytest.approx(expected, rel=1e-2)
        assert timing.efficiency == pytest.approx(expected / timing.ranks, rel=1e-2)
        # two MPI_Reduce calls of one double each, no point-to-point messages, on every rank
        assert [(c.rank, c.p2p_messages, c.collective_calls, c.collective_bytes) for c in timing.comm] == [
            (r, 0, 2, 16) for r in range(timing.ranks)
        ]
    assert "speedup" in result.summary()


def timing(ranks: int, samples: list[float], sequential: float) -> RankTiming:
    seconds = sorted(samples)[len(samples) // 2]
    return RankTiming(ranks=ranks, seconds=seconds, samples=samples, speedup=sequential / seconds, efficiency=sequential / seconds / ranks)


def test_work_not_divided_is_flagged():
    # rank 0 alone: 2 ranks take as long as 1, even in their best run
    flags = scaling_flags(0.10, [timing(1, [0.10, 0.12, 0.11], 0.10), timing(2, [0.10, 0.13, 0.10], 0.10)])
    assert [f.split(" (")[0].split(":")[0] for f in flags] == ["no speedup", "no scaling"]
    # a candidate faster than the sequential program on 1 rank still shows no scaling
    flags = scaling_flags(0.20, [timing(1, [0.10, 0.10, 0.10], 0.20), timing(2, [0.10, 0.11, 0.10], 0.20)])
    assert [f.split(":")[0] for f in flags] == ["no scaling"]
    # a divided workload: no flag, even with one slow sample from load on the machine
    assert scaling_flags(0.10, [timing(1, [0.10, 0.30, 0.10], 0.10), timing(2, [0.052, 0.051, 0.2], 0.10)]) == []
    assert scaling_flags(0.10, [timing(1, [0.10], 0.10)]) == []


def test_point_to_point_bytes_are_counted(work_root):
    ring = (PROGRAMS / "mpi_sum_correct.c").read_text().replace(
        "    double local[2]",
        "    double token[3] = {1, 2, 3};\n"
        "    if (size > 1) MPI_Sendrecv_replace(token, 3, MPI_DOUBLE, (rank + 1) % size, 0, (rank + size - 1) % size, 0,"
        " MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
        "    double local[2]",
    )
    perf = measure_performance(SEQ, ring, config=CONFIG.model_copy(update={"perf_ranks": [2], "perf_repeats": 1}), perf_args=["1000"])
    assert [(c.p2p_messages, c.p2p_bytes) for c in perf.timings[0].comm] == [(1, 24), (1, 24)]


def test_proc_null_sends_are_free_and_in_place_gathers_count_their_block(work_root):
    halo = (PROGRAMS / "mpi_sum_correct.c").read_text().replace(
        "    double local[2]",
        "    double edge = rank, ghost[2], blocks[8] = {0};\n"
        "    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;\n"
        "    MPI_Sendrecv(&edge, 1, MPI_DOUBLE, left, 0, &ghost[1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
        "    MPI_Sendrecv(&edge, 1, MPI_DOUBLE, right, 1, &ghost[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
        "    int counts[4] = {2, 2, 2, 2}, displs[4] = {0, 2, 4, 6};\n"
        "    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, blocks, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);\n"
        "    double local[2]",
    )
    perf = measure_performance(SEQ, halo, config=CONFIG.model_copy(update={"perf_ranks": [1, 2], "perf_repeats": 1}), perf_args=["1000"])
    one, two = perf.timings
    # 1 rank: both neighbours are MPI_PROC_NULL, nothing is sent; the in-place block is 2 doubles
    assert [(c.p2p_messages, c.p2p_bytes, c.collective_calls, c.collective_bytes) for c in one.comm] == [(0, 0, 3, 32)]
    # 2 ranks: each rank has exactly one real neighbour
    assert [(c.p2p_messages, c.p2p_bytes, c.collective_bytes) for c in two.comm] == [(1, 8, 32), (1, 8, 32)]


def test_ranks_above_the_core_count_are_not_timed(work_root):
    perf = measure_performance(
        SEQ, (PROGRAMS / "mpi_sum_correct.c").read_text(),
        config=CONFIG.model_copy(update={"perf_ranks": [1, 4096], "perf_repeats": 1}), perf_args=["1000"],
    )
    assert [t.ranks for t in perf.timings] == [1]
    assert any("4096" in flag and "cores" in flag for flag in perf.flags)
    assert any("timing floor" in flag for flag in perf.flags)


def test_untimeable_run_quotes_no_speedup_and_names_larger_perf_args(work_root):
    result = check(SEQ, (PROGRAMS / "mpi_sum_correct.c").read_text(), args=[["7"]], config=CONFIG, perf=True, perf_args=["1000"])
    perf = result.perf
    assert result.passed and perf.timings and perf.sequential_seconds < 0.01 and not perf.timeable
    assert perf.speedups == {}
    summary = result.summary()
    assert "x at" not in summary and "no speedup quoted" in summary, summary
    flag = next(f for f in perf.flags if "timing floor" in f)
    suggested = int(flag.split("--perf-args '")[1].split("'")[0])
    assert suggested > 1000 * 0.1 / max(perf.sequential_seconds, 1e-4) * 0.9  # aims at ~0.1 s of sequential time


def test_read_profile_parses_the_shim_format(tmp_path):
    path = tmp_path / "profile.txt"
    path.write_text("elapsed 0.250000000\nrank 0 3 24 2 16\nrank 1 1 8 2 16\n")
    profile = read_profile(path)
    assert profile is not None and profile.seconds == 0.25
    assert [(c.rank, c.p2p_messages, c.p2p_bytes) for c in profile.comm] == [(0, 3, 24), (1, 1, 8)]
    assert read_profile(tmp_path / "missing.txt") is None

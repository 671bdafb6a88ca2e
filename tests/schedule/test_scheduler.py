"""The scheduler's local backend: same results as check(), each distinct job checked once, timing alone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.harness import CheckResult, ReferenceProgramError, Verdict, check
from chathpc.schedule import check_many
from chathpc.schedule import CheckJob, Scheduler

from .conftest import program

pytestmark = pytest.mark.mpi

SEQ = program("seq_sum.c")
GOOD = program("mpi_sum_correct.c")
BAD = program("mpi_sum_no_remainder.c")
CFG = HarnessConfig(ranks=[1, 2, 3])
LOCAL = ScheduleConfig(backend="local")


def verdicts(result: CheckResult) -> list[tuple]:
    return [(r.args, r.ranks, r.verdict, r.stdout) for r in result.runs]


def test_results_match_check_and_keep_job_order():
    jobs = [CheckJob(sequential=SEQ, candidate=c, args=[["7"], ["10"]]) for c in (BAD, GOOD)]
    results = Scheduler(CFG, LOCAL, jobs=2).check_all(jobs)
    direct = [check(SEQ, c, args=[["7"], ["10"]], config=CFG) for c in (BAD, GOOD)]
    assert [r.verdict for r in results] == [Verdict.WRONG_OUTPUT, Verdict.PASS]
    assert [verdicts(r) for r in results] == [verdicts(r) for r in direct]


def test_identical_jobs_are_checked_once_and_share_the_result(monkeypatch):
    import tempfile

    tmp_path = Path(tempfile.mkdtemp(prefix="chathpc-schedule-test-"))
    tmp_path.chmod(0o711)  # the runs' private uids must reach their work dirs
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    same = CheckJob(sequential=SEQ, candidate=GOOD, args=[["9"]], keep=True)
    other = CheckJob(sequential=SEQ, candidate=GOOD + "\n/* another program text */\n", args=[["9"]], keep=True)
    seen = []
    results = Scheduler(CFG, LOCAL, jobs=2).check_all([same, other, same, same], progress=lambda i, o, stage: seen.append(i))
    kept = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("chathpc-check-"))
    assert len(kept) == 2, kept  # one work dir per distinct job: the three copies of `same` ran once
    assert results[0] == results[2] == results[3] and results[0] is not results[2]
    assert results[0].work_dir == results[2].work_dir != results[1].work_dir
    assert sorted(seen) == [0, 1, 2, 3]
    shutil.rmtree(tmp_path)


def test_settings_are_part_of_the_identity():
    job = CheckJob(sequential=SEQ, candidate=GOOD)
    assert job.key(CFG) == job.key(CFG.model_copy(update={"jobs": 4}))  # how runs are spread is not what is checked
    assert job.key(CFG) != job.key(CFG.model_copy(update={"rtol": 1e-3}))
    assert job.key(CFG) != CheckJob(sequential=SEQ, candidate=GOOD, args=[["3"]]).key(CFG)


def test_failing_sequential_program_is_an_outcome_and_check_many_raises():
    broken = "int main(void) { return 3; }\n"
    outcomes = Scheduler(CFG, LOCAL, jobs=2).map([CheckJob(sequential=broken, candidate=GOOD), CheckJob(sequential=SEQ, candidate=GOOD)])
    assert isinstance(outcomes[0], ReferenceProgramError) and outcomes[1].passed
    with pytest.raises(ReferenceProgramError):
        check_many([(broken, GOOD)], config=CFG)


def test_timing_runs_after_every_check_and_only_for_passing_jobs():
    cfg = CFG.model_copy(update={"perf_ranks": [1], "perf_repeats": 1, "perf_warmup": 0})
    stages = []
    jobs = [CheckJob(sequential=SEQ, candidate=c, args=[["7"]], perf=True, perf_args=["2000"]) for c in (GOOD, BAD)]
    results = Scheduler(cfg, LOCAL, jobs=2).map(jobs, progress=lambda i, o, stage: stages.append((stage, i)))
    assert results[0].perf is not None and results[0].perf.args == ["2000"] and results[0].perf.timings
    assert results[1].perf is None
    assert stages[-1] == ("time", 0) and [s for s, _ in stages[:2]] == ["check", "check"]


def test_bad_jobs_count_and_slurm_outside_an_allocation_are_one_line_errors(monkeypatch):
    from chathpc.errors import ChathpcError

    with pytest.raises(ChathpcError, match="jobs must be at least 1"):
        Scheduler(CFG, LOCAL, jobs=0)
    monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with pytest.raises(ChathpcError, match="not inside a Slurm allocation"):
        Scheduler(CFG, ScheduleConfig(backend="slurm"))
    assert Scheduler(CFG, ScheduleConfig()).backend_name == "local"

"""The queue: deduplicate jobs by content hash, check them in parallel, then time the passing ones alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Callable, Sequence

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.errors import ChathpcError
from chathpc.harness import CheckResult, require_improvement
from chathpc.schedule.jobs import CheckJob, Outcome
from chathpc.schedule.local import LocalBackend, raise_first_error
from chathpc.schedule.slurm import SlurmBackend, allocation_cpus, in_allocation
from chathpc.system import core_count

LOCAL_CHECKS_PER_CORE = 2
"""Default local checks in flight per core: a correctness check spends much of its time starting processes and
waiting on them (benchmarks/check_throughput.py on 2 cores: 2.4x one-at-a-time with 4 workers, 1.5x with 2)."""

Progress = Callable[[int, Outcome, str], None]
"""Called with (job index, outcome, stage) as each job finishes a stage: ``check``, then ``time`` (timed jobs)."""


def backend_name(schedule: ScheduleConfig) -> str:
    """The backend ``schedule.backend`` resolves to here: ``auto`` is slurm inside an allocation."""
    if schedule.backend == "auto":
        return "slurm" if in_allocation() else "local"
    return schedule.backend


def _copy(outcome: Outcome) -> Outcome:
    return outcome.model_copy(deep=True) if isinstance(outcome, CheckResult) else outcome


class Scheduler:
    """The one way to check many candidates (see the package docs)."""

    def __init__(self, config: HarnessConfig | None = None, schedule: ScheduleConfig | None = None, *, jobs: int | None = None) -> None:
        self.config = config or HarnessConfig()
        schedule = schedule or ScheduleConfig()
        if jobs is not None and jobs < 1:
            raise ChathpcError(f"jobs must be at least 1, got {jobs}")
        self.backend_name = backend_name(schedule)
        if self.backend_name == "slurm":
            self.backend: LocalBackend | SlurmBackend = SlurmBackend(self.config, schedule)
            default = allocation_cpus()
        else:
            self.backend = LocalBackend(self.config)
            default = LOCAL_CHECKS_PER_CORE * core_count()
        self.workers = jobs or schedule.jobs or default

    def map(self, jobs: Sequence[CheckJob], progress: Progress | None = None) -> list[Outcome]:
        """The outcome of every job, in order: correctness checks in parallel (up to ``workers``), each
        distinct job once (duplicates get a copy of its outcome), then timing of the passing ``perf``
        jobs (and optimization jobs, ``baseline``: then ``require_improvement``) one at a time with no check beside them."""
        keys = [job.key(self.config) for job in jobs]
        first: dict[str, int] = {}
        for index, key in enumerate(keys):
            first.setdefault(key, index)
        sharing: dict[str, list[int]] = {key: [] for key in first}
        for index, key in enumerate(keys):
            sharing[key].append(index)
        outcomes: dict[str, Outcome] = {}
        # one distinct job: its own runs use the workers; several: each job's runs in sequence
        per_job = self.workers if len(first) == 1 else 1
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(first)))) as pool:
            futures = {pool.submit(self.backend.check, jobs[index], per_job): key for key, index in first.items()}
            for future in as_completed(futures):
                key = futures[future]
                outcomes[key] = future.result()
                if progress is not None:
                    for index in sharing[key]:
                        progress(index, outcomes[key], "check")
        for key, index in first.items():
            outcome = outcomes[key]
            if (jobs[index].perf or jobs[index].baseline is not None) and isinstance(outcome, CheckResult) and outcome.passed:
                outcome.perf = self.backend.time(jobs[index], outcome)
                if jobs[index].baseline is not None:
                    require_improvement(outcome, self.config.optimize_margin)
                if progress is not None:
                    for shared in sharing[key]:
                        progress(shared, outcome, "time")
        return [outcomes[key] if index == first[key] else _copy(outcomes[key]) for index, key in enumerate(keys)]

    def check_all(self, jobs: Sequence[CheckJob], progress: Progress | None = None) -> list[CheckResult]:
        """Like ``map``, raising the first error (a failing sequential program) instead of returning it."""
        return raise_first_error(self.map(jobs, progress))


def check_many(pairs: list[tuple[str, str]], *, jobs: int | None = None, schedule=None, **kwargs) -> list[CheckResult]:
    """``chathpc.harness.check`` for many (sequential, candidate) pairs through ``Scheduler``
    (correctness in parallel, identical pairs once, timing alone), with the local or Slurm backend
    that ``schedule`` (a ``ScheduleConfig``; default: auto) picks and ``jobs`` workers (default: ``schedule.jobs``).

    Takes the keyword arguments of ``chathpc.harness.check``. A pair whose sequential program fails raises
    ``ReferenceProgramError`` like ``chathpc.harness.check``.
    """
    cfg = kwargs.pop("config", None) or HarnessConfig()
    checks = [CheckJob(sequential=seq, candidate=cand, **kwargs) for seq, cand in pairs]
    return Scheduler(cfg, schedule, jobs=jobs).check_all(checks)

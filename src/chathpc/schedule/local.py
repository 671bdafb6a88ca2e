"""The local backend: checks run in this process's threads, timing runs one at a time."""

from __future__ import annotations

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.harness import CheckResult, PerfResult, ReferenceProgramError, check, measure_performance
from chathpc.schedule.jobs import CheckJob, Outcome


def run_check(job: CheckJob, config: HarnessConfig) -> Outcome:
    """The correctness check of one job (no timing); a failing sequential program is returned, not raised."""
    try:
        return check(
            job.sequential, job.candidate, args=job.args, config=config, rtol=job.rtol, atol=job.atol, keep=job.keep,
            options=job.options,
        )
    except ReferenceProgramError as exc:
        return exc


def run_timing(job: CheckJob, result: CheckResult, config: HarnessConfig) -> PerfResult:
    """The timing of a passing job; a sequential program that fails at the timing arguments is the timing's error."""
    args = job.timing_args()
    try:
        return measure_performance(job.sequential, job.candidate, config=config, perf_args=args, rtol=result.rtol, atol=result.atol,
                                   options=job.options, baseline_source=job.baseline)
    except ReferenceProgramError as exc:
        return PerfResult(args=args, sequential_seconds=0.0, sequential_samples=[], error=f"the sequential program failed with the timing arguments: {exc}")


class LocalBackend:
    """Runs checks on this machine: ``check`` in a thread per job, ``measure_performance`` in the caller."""

    name = "local"

    def __init__(self, config: HarnessConfig) -> None:
        self.config = config

    def check(self, job: CheckJob, runs_in_parallel: int) -> Outcome:
        """Check one job; its runs use ``runs_in_parallel`` workers."""
        return run_check(job, self.config.model_copy(update={"jobs": runs_in_parallel}))

    def time(self, job: CheckJob, result: CheckResult) -> PerfResult:
        """Time one passing job (the caller runs no other check meanwhile)."""
        return run_timing(job, result, self.config)

    def close(self) -> None:
        """Nothing to release."""


def raise_first_error(outcomes: list[Outcome]) -> list[CheckResult]:
    """The results, or the first error among them raised."""
    for outcome in outcomes:
        if isinstance(outcome, ChathpcError):
            raise outcome
    return outcomes  # type: ignore[return-value]

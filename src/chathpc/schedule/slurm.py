"""The Slurm backend: inside an allocation each check is an ``srun --exclusive`` job step.

A step runs ``python -m chathpc.schedule.worker``, which checks the job with the local harness on
the step's node (``mpirun`` inside ``bubblewrap``, the same sandbox as on a laptop) and prints the
outcome as JSON: results are the same whichever backend ran them. Steps of correctness checks ask
for one CPU each (their ranks oversubscribe it, as locally); a timing step asks for as many CPUs as
its largest timed rank count (at most the allocation's), and no correctness step runs beside it.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.errors import ChathpcError
from chathpc.harness import CheckResult, PerfResult
from chathpc.harness.targets import get_target
from chathpc.schedule.jobs import CheckJob, Outcome, outcome_from_json
from chathpc.system import core_count

STEP_SLACK_SECONDS = 120.0  # a step may take this much longer than its runs' own limits (queueing, start-up)


def in_allocation() -> bool:
    """True inside a Slurm job (``SLURM_JOB_ID`` set) with ``srun`` on PATH."""
    return bool(os.environ.get("SLURM_JOB_ID")) and shutil.which("srun") is not None


def allocation_cpus() -> int:
    """CPUs of this allocation (tasks, or CPUs on the node), else the cores here."""
    for name in ("SLURM_NTASKS", "SLURM_CPUS_ON_NODE"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return core_count()


class SlurmBackend:
    """Runs each check as a job step of the current allocation."""

    name = "slurm"

    def __init__(self, config: HarnessConfig, schedule: ScheduleConfig) -> None:
        if not in_allocation():
            raise ChathpcError("schedule.backend is 'slurm' but this is not inside a Slurm allocation (SLURM_JOB_ID unset or no srun): use salloc/sbatch or --submit")
        self.config = config
        try:
            self.step = shlex.split(schedule.srun)
        except ValueError as exc:
            raise ChathpcError(f"schedule.srun {schedule.srun!r}: {exc}") from None
        if not self.step:
            raise ChathpcError("schedule.srun is empty; use e.g. 'srun --exclusive -N 1 -n 1'")

    def _step(self, payload: dict, cpus: int, limit: float) -> dict:
        command = [*self.step, f"--cpus-per-task={cpus}", "--job-name=chathpc-check", sys.executable, "-m", "chathpc.schedule.worker"]
        try:
            proc = subprocess.run(command, input=json.dumps(payload), capture_output=True, text=True, timeout=limit)
        except subprocess.TimeoutExpired:
            raise ChathpcError(f"a Slurm job step did not finish within {limit:.0f} s: {' '.join(command[:6])} ...") from None
        except OSError as exc:
            raise ChathpcError(f"cannot start {command[0]}: {exc.strerror}") from None
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            said = (proc.stderr.strip() or proc.stdout.strip())[-800:]
            raise ChathpcError(f"a Slurm job step failed (exit status {proc.returncode}): {said}")
        return json.loads(lines[-1])

    def _limit(self, runs: int) -> float:
        return runs * (self.config.timeout + self.config.build_timeout) + STEP_SLACK_SECONDS

    def check(self, job: CheckJob, runs_in_parallel: int) -> Outcome:
        """Check one job in a step of ``runs_in_parallel`` CPUs."""
        cfg = self.config.model_copy(update={"jobs": runs_in_parallel})
        target = get_target(cfg.target)
        runs = len(job.args or [[]]) * len(target.configurations(cfg)) * target.repeats(cfg)
        payload = {"mode": "check", "job": job.model_dump(mode="json"), "config": cfg.model_dump(mode="json")}
        return outcome_from_json(self._step(payload, runs_in_parallel, self._limit(runs)))

    def time(self, job: CheckJob, result: CheckResult) -> PerfResult:
        """Time one passing job in a step with a CPU per worker (rank x thread) of its largest timed configuration."""
        payload = {"mode": "time", "job": job.model_dump(mode="json"), "config": self.config.model_dump(mode="json"),
                   "result": result.model_dump(mode="json")}
        timed = get_target(self.config.target).perf_configurations(self.config)
        cpus = min(max(p.workers for p in timed), allocation_cpus())  # configurations above the step's cores are skipped there
        runs = (1 + len(timed) * (2 if job.baseline else 1)) * (self.config.perf_warmup + self.config.perf_repeats)
        return PerfResult.model_validate(self._step(payload, cpus, self._limit(runs))["perf"])

    def close(self) -> None:
        """Nothing to release (steps end with their check)."""

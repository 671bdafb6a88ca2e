"""The one way to check many candidates: a queue of check jobs run by a backend.

``Scheduler(harness, schedule).map(jobs)`` checks every ``CheckJob`` and returns its outcome in order:

- identical jobs (same sequential program, candidate, arguments and harness settings, by content
  hash) are checked once and share the result;
- correctness checks run in parallel, up to ``schedule.jobs`` (default: twice the core count, or the
  allocation's CPUs under Slurm); one distinct job runs its own runs in parallel instead;
- timing runs come after every correctness check, one job at a time, never beside another check.

Backends: ``local`` (threads on this machine) and ``slurm`` (inside an allocation each check is an
``srun --exclusive`` job step; see ``chathpc.schedule.slurm``). ``schedule.backend=auto`` picks
slurm where ``SLURM_JOB_ID`` is set. Outside an allocation, ``chathpc.schedule.submit`` turns a
command into an sbatch job that runs it there. Every verb that checks many candidates (bench,
verify/test, compare, parallelize, GRPO's reward, ``check_many``) goes through here.
"""

from chathpc.schedule.jobs import CheckJob, Outcome
from chathpc.schedule.queue import Scheduler, backend_name, check_many

__all__ = ["CheckJob", "Outcome", "Scheduler", "backend_name", "check_many"]

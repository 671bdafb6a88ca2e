"""Check throughput: candidates checked per minute one at a time vs. through the scheduler, and the
per-check overhead of the Slurm path (a job step per check) against plain ``mpirun``.

Candidates are distinct programs (the same correct MPI sum with a different comment each, so that
neither the build cache nor deduplication hides work), checked at ranks 1-4 on two argument sets:

- one-at-a-time: ``harness.check`` on each candidate in turn, its runs in sequence (``jobs=1``), the
  way the evaluation runner checked before the scheduler;
- scheduler: ``Scheduler(backend=local)`` with ``--jobs`` workers (default: the scheduler's own default,
  twice the core count);
- slurm (when ``sinfo`` answers, e.g. after ``scripts/slurm-local.sh up``): inside ``salloc -n 1``,
  ``Scheduler(backend=slurm, jobs=1)`` vs ``Scheduler(backend=local, jobs=1)`` on fresh candidates;
  the difference per check is the job-step overhead.

Prints one JSON object; ``speedup_scheduler`` is scheduler / one-at-a-time (target >= 1.7 on 2 cores).
Usage: python benchmarks/check_throughput.py [--candidates 8] [--jobs N] [--slurm-candidates 4]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.harness import check
from chathpc.schedule import CheckJob, Scheduler
from chathpc.system import core_count

PROGRAMS = Path(__file__).resolve().parents[1] / "tests" / "harness" / "programs"
SEQ = (PROGRAMS / "seq_sum.c").read_text()
GOOD = (PROGRAMS / "mpi_sum_correct.c").read_text()
ARGS = [["7"], ["1000"]]
CFG = HarnessConfig(ranks=[1, 2, 3, 4])


def candidates(count: int) -> list[str]:
    """``count`` distinct correct programs (never built before: a random tag in a comment)."""
    tag = secrets.token_hex(6)
    return [GOOD + f"\n/* candidate {tag}-{i} */\n" for i in range(count)]


def one_at_a_time(sources: list[str]) -> float:
    start = time.perf_counter()
    for source in sources:
        assert check(SEQ, source, args=ARGS, config=CFG.model_copy(update={"jobs": 1})).passed
    return time.perf_counter() - start


def scheduled(sources: list[str], jobs: int, backend: str = "local") -> float:
    start = time.perf_counter()
    results = Scheduler(CFG, ScheduleConfig(backend=backend), jobs=jobs).check_all(
        [CheckJob(sequential=SEQ, candidate=s, args=ARGS) for s in sources])
    assert all(r.passed for r in results)
    return time.perf_counter() - start


def slurm_overhead(count: int) -> dict | None:
    """Seconds per check: job steps vs local, both one at a time, inside one allocation."""
    if shutil.which("salloc") is None or subprocess.run(["sinfo", "-h"], capture_output=True).returncode != 0:
        return None
    code = (
        "import json, sys; sys.path.insert(0, %r); import check_throughput as b; "
        "local = b.scheduled(b.candidates(%d), 1, 'local'); slurm = b.scheduled(b.candidates(%d), 1, 'slurm'); "
        "print(json.dumps({'local_s': local, 'slurm_s': slurm}))"
    ) % (str(Path(__file__).parent), count, count)
    proc = subprocess.run(["salloc", "-Q", "-n", "1", sys.executable, "-c", code], capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-500:]}
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "checks": count,
        "local_s_per_check": round(found["local_s"] / count, 3),
        "slurm_s_per_check": round(found["slurm_s"] / count, 3),
        "overhead_s_per_check": round((found["slurm_s"] - found["local_s"]) / count, 3),
        "ratio_slurm_vs_mpirun": round(found["slurm_s"] / found["local_s"], 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=None, help="scheduler workers (default: the scheduler's default)")
    parser.add_argument("--slurm-candidates", type=int, default=4, help="0 skips the Slurm measurement")
    options = parser.parse_args()
    cache = tempfile.mkdtemp(prefix="chathpc-bench-cache-")
    os.environ["CHATHPC_CACHE_DIR"] = cache
    try:
        check(SEQ, GOOD, args=ARGS, config=CFG)  # warm: the sequential program and its outputs are cached for both
        serial = one_at_a_time(candidates(options.candidates))
        parallel = scheduled(candidates(options.candidates), options.jobs)
        slurm = slurm_overhead(options.slurm_candidates) if options.slurm_candidates else None
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    per_minute = lambda seconds: round(60 * options.candidates / seconds, 2)  # noqa: E731
    print(json.dumps({
        "speedup_scheduler": round(serial / parallel, 3),
        "cores": core_count(),
        "jobs": Scheduler(CFG, ScheduleConfig(backend="local"), jobs=options.jobs).workers,
        "candidates": options.candidates,
        "runs_per_candidate": len(ARGS) * len(CFG.ranks),
        "one_at_a_time_per_minute": per_minute(serial),
        "scheduler_per_minute": per_minute(parallel),
        "slurm": slurm,
        "load_average": os.getloadavg()[0],
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

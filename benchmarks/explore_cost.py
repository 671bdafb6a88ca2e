"""Cost of ``--explore`` and ``--sanitize`` per candidate: seconds on top of the plain check.

For each chosen task's reference solution (a passing candidate: exploration runs its whole plan or
its budget, the worst case for a correct program), the check runs three ways with a warm build
cache (one untimed check first): plain, with ``harness.explore``, with ``harness.sanitize``.
Reports per task the seconds of each and the extra seconds of explore and sanitize, then the
medians over the tasks, as one JSON object. Runs are sequential; on a shared machine the absolute
figures move with the load, the ratios less.

Usage: python benchmarks/explore_cost.py [--tasks gemm,spmv_csr,jacobi2d_5pt,cg] [--budget 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from chathpc.config import HarnessConfig
from chathpc.harness import check
from chathpc.tasks import get_task

DEFAULT_TASKS = "axpy,gemm,spmv_csr,jacobi2d_5pt,heat2d_isend,cg"


def timed(task, config: HarnessConfig) -> tuple[float, object]:
    """Seconds of one check of the task's reference solution, and its result."""
    start = time.perf_counter()
    result = check(task.seq_source, task.mpi_source, args=task.args, config=config, rtol=task.rtol, atol=task.atol)
    return time.perf_counter() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=DEFAULT_TASKS, help=f"comma-separated task ids (default {DEFAULT_TASKS})")
    parser.add_argument("--budget", type=float, default=60.0, help="harness.explore_budget in seconds (default 60)")
    options = parser.parse_args()
    plain = HarnessConfig()
    settings = {
        "plain": plain,
        "explore": plain.model_copy(update={"explore": True, "explore_budget": options.budget}),
        "sanitize": plain.model_copy(update={"sanitize": True}),
    }
    rows = []
    for task_id in options.tasks.split(","):
        task = get_task(task_id)
        timed(task, plain)  # warm the build cache: the figures below are checks, not compilations
        row = {"task": task_id}
        for name, config in settings.items():
            seconds, result = timed(task, config)
            if not result.passed:
                sys.exit(f"{task_id} reference did not pass with {name}: {result.summary()}")
            row[f"{name}_s"] = round(seconds, 2)
            if name == "explore":
                row["probes"] = result.explore.tried
                row["budget_used_up"] = result.explore.budget_exhausted
        row["explore_extra_s"] = round(row["explore_s"] - row["plain_s"], 2)
        row["sanitize_extra_s"] = round(row["sanitize_s"] - row["plain_s"], 2)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    summary = {
        "tasks": rows,
        "median_plain_s": statistics.median(r["plain_s"] for r in rows),
        "median_explore_extra_s": statistics.median(r["explore_extra_s"] for r in rows),
        "median_sanitize_extra_s": statistics.median(r["sanitize_extra_s"] for r in rows),
        "median_explore_over_plain": round(statistics.median(r["explore_s"] / r["plain_s"] for r in rows), 2),
        "median_sanitize_over_plain": round(statistics.median(r["sanitize_s"] / r["plain_s"] for r in rows), 2),
    }
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

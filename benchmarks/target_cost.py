"""Per-target cost of one check: a reference program of each target (mpi, openmp, hybrid, kokkos) checked cold
(empty build cache: the sequential program and the candidate are built) and warm (cache filled), with the
target's default configurations and repeats.

The programs are the harness tests' vector sum (tests/harness/programs: seq_vector_sum.c against
mpi_vector_sum_correct.c, omp_vector_sum_correct.c, hybrid_vector_sum.c, kokkos_vector_sum.cpp) at two
argument sets. Each measurement is the median of ``--repeats``; the load average at start and end is printed
with the result, since timings on a shared machine are noisy. Prints a Markdown table (``--json``: JSON).
Usage: python benchmarks/target_cost.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from chathpc.config import HarnessConfig
from chathpc.harness import check
from chathpc.harness.targets import get_target
from chathpc.report import markdown_table

PROGRAMS = Path(__file__).resolve().parent.parent / "tests" / "harness" / "programs"
CANDIDATES = {"mpi": "mpi_vector_sum_correct.c", "openmp": "omp_vector_sum_correct.c",
              "hybrid": "hybrid_vector_sum.c", "kokkos": "kokkos_vector_sum.cpp"}
ARGS = [["1000"], ["7"]]


def timed_check(target: str, cache: Path) -> tuple[float, int]:
    """Seconds of one check of the target's reference with the cache at ``cache``, and its number of runs."""
    os.environ["CHATHPC_CACHE_DIR"] = str(cache)
    started = time.perf_counter()
    result = check((PROGRAMS / "seq_vector_sum.c").read_text(), (PROGRAMS / CANDIDATES[target]).read_text(), args=ARGS,
                   config=HarnessConfig(target=target))
    seconds = time.perf_counter() - started
    if not result.passed:
        raise SystemExit(f"{target}: the reference did not pass: {result.summary()}")
    return seconds, len(result.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    load_start = os.getloadavg()[0]
    rows = []
    for target in CANDIDATES:
        cold, warm, runs = [], [], 0
        for _ in range(options.repeats):
            with tempfile.TemporaryDirectory(prefix="chathpc-target-cost-") as cache:
                seconds, runs = timed_check(target, Path(cache))
                cold.append(seconds)
                warm.append(timed_check(target, Path(cache))[0])
        configs = len(get_target(target).configurations(HarnessConfig()))
        rows.append({"target": target, "configurations": configs, "runs": runs, "cold_s": round(statistics.median(cold), 2),
                     "warm_s": round(statistics.median(warm), 2), "warm_s_per_run": round(statistics.median(warm) / runs, 3)})
    load = {"start": round(load_start, 1), "end": round(os.getloadavg()[0], 1), "cores": os.cpu_count()}
    if options.json:
        print(json.dumps({"rows": rows, "load_average": load}, indent=2))
        return
    header = ["target", "configurations", "runs", "cold s", "warm s", "warm s/run"]
    print("\n".join(markdown_table(header, [[str(v) for v in r.values()] for r in rows])))
    print(f"\nmedian of {options.repeats}; load average {load['start']} at start, {load['end']} at end, {load['cores']} cores")


if __name__ == "__main__":
    main()

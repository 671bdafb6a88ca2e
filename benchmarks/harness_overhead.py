"""Harness overhead: ``check`` at 4 rank counts vs. the bare ``mpicc`` + ``mpirun`` of the same program.

Measured in one run, each variant repeated and the median taken:

- bare: ``mpicc`` of the candidate, then ``mpirun -np N`` for N = 1..4 (plus only the flags it
  needs to start here: ``--oversubscribe``, ``--allow-run-as-root`` as root);
- bare-tuned: the same with the one-node transport settings the harness uses (pml ob1, btl self,vader);
- check-cold: one candidate checked the way ``chathpc check`` checks it (``chathpc.schedule.check_many``:
  a single check's runs use the scheduler's workers, twice the core count) with an empty build cache
  (builds the sequential program and the candidate, runs the static screen and the sequential program,
  four sandboxed MPI runs, comparison);
- check-warm: the same again with the cache filled (the common case when re-checking);
- check-cold-serial: ``chathpc.harness.check`` with its default ``harness.jobs`` (1: the four runs one
  after the other, as the bare variants run them), empty cache.

Prints one JSON object with the medians and the ratios check/bare (target: cold at most 1.0x of bare-tuned).
Usage: python benchmarks/harness_overhead.py [--repeats 3] [--size 37]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chathpc.config import HarnessConfig
from chathpc.harness import check
from chathpc.schedule import check_many

PROGRAMS = Path(__file__).resolve().parent.parent / "tests" / "harness" / "programs"
RANKS = [1, 2, 3, 4]


def bare(source: str, size: str, tuned: bool) -> float:
    """Seconds for mpicc plus one mpirun per rank count, no harness."""
    flags = ["--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    if tuned:
        flags += ["--mca", "pml", "ob1", "--mca", "btl", "self,vader", "--bind-to", "none"]
    with tempfile.TemporaryDirectory(prefix="chathpc-bench-") as tmp:
        (Path(tmp) / "prog.c").write_text(source)
        start = time.perf_counter()
        subprocess.run(["mpicc", "-O2", "-Wall", "prog.c", "-o", "prog", "-lm"], cwd=tmp, check=True, capture_output=True)
        for n in RANKS:
            subprocess.run(["mpirun", *flags, "-np", str(n), "./prog", size], cwd=tmp, check=True, capture_output=True)
        return time.perf_counter() - start


def harness(sequential: str, candidate: str, size: str, cache: Path | None, serial: bool = False) -> float:
    """Seconds for one check at the four rank counts (cold when ``cache`` is a fresh directory): as
    ``chathpc check`` runs it, or with ``serial`` the bare ``check`` call, one run after the other."""
    if cache is not None:
        os.environ["CHATHPC_CACHE_DIR"] = str(cache)
    config = HarnessConfig(ranks=RANKS)
    start = time.perf_counter()
    if serial:
        result = check(sequential, candidate, args=[[size]], config=config)
    else:
        result = check_many([(sequential, candidate)], args=[[size]], config=config)[0]
    elapsed = time.perf_counter() - start
    if not result.passed:
        sys.exit(f"benchmark candidate did not pass: {result.summary()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="37")
    opts = parser.parse_args()
    sequential = (PROGRAMS / "seq_sum.c").read_text()
    candidate = (PROGRAMS / "mpi_sum_correct.c").read_text()
    times: dict[str, list[float]] = {"bare": [], "bare_tuned": [], "check_cold": [], "check_warm": [], "check_cold_serial": []}
    with tempfile.TemporaryDirectory(prefix="chathpc-bench-cache-") as caches:
        for i in range(opts.repeats):  # interleaved, so that load on a shared machine hits all alike
            times["bare"].append(bare(candidate, opts.size, tuned=False))
            times["bare_tuned"].append(bare(candidate, opts.size, tuned=True))
            times["check_cold"].append(harness(sequential, candidate, opts.size, Path(caches) / f"cold{i}"))
            times["check_warm"].append(harness(sequential, candidate, opts.size, None))
            times["check_cold_serial"].append(harness(sequential, candidate, opts.size, Path(caches) / f"serial{i}", serial=True))
    medians = {name: round(statistics.median(values), 3) for name, values in times.items()}
    report = {
        "seconds_median": medians,
        "ratio_cold_vs_bare": round(medians["check_cold"] / medians["bare"], 2),
        "ratio_warm_vs_bare": round(medians["check_warm"] / medians["bare"], 2),
        "ratio_cold_vs_bare_tuned": round(medians["check_cold"] / medians["bare_tuned"], 2),
        "ratio_warm_vs_bare_tuned": round(medians["check_warm"] / medians["bare_tuned"], 2),
        "ratio_cold_serial_vs_bare_tuned": round(medians["check_cold_serial"] / medians["bare_tuned"], 2),
        "cores": os.cpu_count(),
        "target": "ratio_cold_vs_bare_tuned <= 1.0",
        "repeats": opts.repeats,
        "ranks": RANKS,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

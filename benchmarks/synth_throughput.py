"""synth throughput: verified sequential -> MPI (or --target) pairs per minute, and the time 1,000 pairs would take.

Runs ``chathpc.synth.synthesize`` for ``--count`` pairs (every family, ``--explore-rate`` of them explored)
with a fresh seed (so that the build cache holds none of the programs) and reports pairs and candidates
per minute of wall time, the CPU time of this process and its children, and the load average before and
after (other work on the machine slows the checks: report it with the figure). The extrapolation to
1,000 pairs is linear: generation and decontamination are negligible beside the checks, which are
independent of one another.

Prints one JSON object. Usage: python benchmarks/synth_throughput.py [--count 100] [--jobs N] [--explore-rate 0.1] [--sizes 2]
[--target mpi|openmp|kokkos|hybrid]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import tempfile
import time

from chathpc.synth.engine import SynthOptions, synthesize
from chathpc.system import core_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--explore-rate", type=float, default=0.1)
    parser.add_argument("--sizes", type=int, default=2, choices=(1, 2))
    parser.add_argument("--seed", type=int, help="default: a fresh random seed (no build-cache hits)")
    parser.add_argument("--target", default="mpi", choices=("mpi", "openmp", "kokkos", "hybrid"), help="the answers' target (default mpi)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(10**9)
    load_before = os.getloadavg()
    cpu_before = os.times()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="synth-bench-") as out:
        stats = synthesize(out, SynthOptions(count=args.count, seed=seed, explore_rate=args.explore_rate, sizes=args.sizes,
                                                 target=args.target), jobs=args.jobs)
    wall = time.monotonic() - started
    cpu_after = os.times()
    cpu = sum(cpu_after[i] - cpu_before[i] for i in range(4))
    per_minute = stats["kept"] / wall * 60
    print(json.dumps({
        "seed": seed, "target": args.target, "cores": core_count(), "jobs": args.jobs, "explore_rate": args.explore_rate, "sizes": args.sizes,
        "pairs": stats["kept"], "candidates": stats["candidates"], "families": stats["families"],
        "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "pairs_per_minute": round(per_minute, 1), "candidates_per_minute": round(stats["candidates"] / wall * 60, 1),
        "minutes_for_1000_pairs": round(1000 / per_minute, 1),
        "load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }, indent=2))


if __name__ == "__main__":
    main()

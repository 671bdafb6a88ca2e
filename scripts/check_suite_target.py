#!/usr/bin/env python3
"""Dev aid (not part of chathpc): check the suite's Kokkos programs against seq.c by execution.

For each task, builds seq.c (gcc -O2) and kokkos.cpp plus variants/kokkos/*.cpp (g++ with the static
Kokkos at --kokkos), runs every `args` set of task.yaml at each thread count --repeats times and compares
the output token by token with seq's (numbers within the task's rtol/atol). With --perf it also times
seq and each program once on perf_args (at 2 threads unless --perf-threads says otherwise) and prints
wall and CPU seconds and the speedups; on a loaded machine set OMP_WAIT_POLICY=passive, or spinning
threads that lose their core make iterative kernels many times slower.

    python scripts/check_suite_target.py [--task ID ...] [--threads 1,2,3,4] [--repeats 3] [--perf]

Until the harness has `--target kokkos` (issue #22), this is how the suite's Kokkos files were checked.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SUITE = Path(__file__).resolve().parents[1] / "src" / "chathpc" / "tasks" / "suite"


def build(cmd, out):
    r = subprocess.run(cmd + ["-o", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        return r.stderr.strip().splitlines()[:5]
    return None


def run(exe, args, threads, timeout=120):
    env = dict(os.environ, OMP_PROC_BIND="false", OMP_NUM_THREADS=str(threads), KOKKOS_NUM_THREADS=str(threads))
    cpu0, t0 = _children_cpu(), time.perf_counter()
    r = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, timeout=timeout)
    return r.returncode, r.stdout, r.stderr, time.perf_counter() - t0, _children_cpu() - cpu0


def _children_cpu():
    """CPU seconds (user + system) used so far by finished child processes."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def as_float(tok):
    try:
        return float(tok)
    except ValueError:
        return None


def compare(got, want, rtol, atol):
    """Return None when got matches want token by token, else a one-line reason."""
    g, w = got.split(), want.split()
    if len(g) != len(w):
        return f"{len(g)} tokens, expected {len(w)}"
    for k, (a, b) in enumerate(zip(g, w)):
        if a == b:
            continue
        fa, fb = as_float(a), as_float(b)
        if fa is None or fb is None or abs(fa - fb) > atol + rtol * abs(fb):
            return f"token {k}: {a!r} != {b!r}"
    return None


def programs(task_dir, which):
    progs = []
    if which in ("reference", "all") and (task_dir / "kokkos.cpp").exists():
        progs.append(("reference", task_dir / "kokkos.cpp"))
    if which in ("variants", "all"):
        progs += [(p.stem, p) for p in sorted((task_dir / "variants" / "kokkos").glob("*.cpp"))]
    return progs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--task", nargs="*", help="task ids (default: all)")
    ap.add_argument("--threads", default="1,2,3,4")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--solutions", choices=["reference", "variants", "all"], default="all")
    ap.add_argument("--perf", action="store_true", help="time seq and each passing program once on perf_args")
    ap.add_argument("--perf-threads", default="2", help="thread counts for --perf (default 2)")
    ap.add_argument("--kokkos", default="/opt/kokkos-3.4")
    ap.add_argument("--build-dir", default=None, help="where binaries go (default: a temporary directory)")
    a = ap.parse_args()
    threads = [int(t) for t in a.threads.split(",")]
    kk = Path(a.kokkos)
    kcmd = ["g++", "-O2", "-std=c++17", "-fopenmp", f"-I{kk / 'include'}"]
    bdir = Path(a.build_dir or tempfile.mkdtemp(prefix="chk-kokkos-"))
    bdir.mkdir(parents=True, exist_ok=True)
    failures = 0
    rows = []
    for task_dir in sorted(p.parent for p in SUITE.glob("*/*/task.yaml")):
        tid = task_dir.name
        if a.task and tid not in a.task:
            continue
        spec = yaml.safe_load((task_dir / "task.yaml").read_text())
        rtol, atol = float(spec.get("rtol", 1e-7)), float(spec.get("atol", 1e-10))
        seq = bdir / f"{tid}.seq"
        err = build(["gcc", "-O2", str(task_dir / "seq.c"), "-lm"], seq)
        if err:
            print(f"{tid}: seq.c does not build: {err}")
            failures += 1
            continue
        want, ref_times = {}, {}
        for args in spec["args"]:
            want[tuple(args)] = run(seq, args, 1)[1]
        for name, src in programs(task_dir, a.solutions):
            exe = bdir / f"{tid}.{name}"
            if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
                err = build(kcmd + [str(src), str(kk / "lib" / "libkokkoscore.a"), "-ldl"], exe)
                if err:
                    print(f"{tid}/{name}: BUILD FAILED: {err}")
                    rows.append((tid, name, "build failed", ""))
                    failures += 1
                    continue
            bad = []
            for t in threads:
                for args, ref in want.items():
                    for rep in range(a.repeats):
                        rc, out, errout, _, _ = run(exe, args, t)
                        why = f"rc {rc}: {errout.strip()[:200]}" if rc else compare(out, ref, rtol, atol)
                        if why:
                            bad.append(f"T={t} args={' '.join(args)} run {rep + 1}: {why}")
            perf = ""
            if a.perf and not bad and spec.get("perf_args"):
                _, seq_out, _, ts, cs = run(seq, spec["perf_args"], 1, timeout=600)
                perf = f"seq {ts:.2f}s cpu {cs:.2f}s"
                for t in (int(x) for x in a.perf_threads.split(",")):
                    rc, out, _, tt, ct = run(exe, spec["perf_args"], t, timeout=600)
                    if rc or compare(out, seq_out, rtol, atol):
                        bad.append(f"perf_args output differs at {t} threads")
                    perf += f" T{t} {tt:.2f}s cpu {ct:.2f}s (x{ts / tt:.2f})"
                    if name == "reference":
                        ref_times[t] = tt
                    elif t in ref_times:
                        perf += f" {tt / ref_times[t]:.2f}x the reference's time"
            status = "PASS" if not bad else f"FAIL ({len(bad)} runs)"
            failures += bool(bad)
            rows.append((tid, name, status, perf))
            print(f"{tid:20s} {name:22s} {status} {perf}", flush=True)
            for b in bad[:5]:
                print("    " + b)
    print(f"\n{len(rows)} programs, {failures} failing (threads {a.threads}, {a.repeats} repeats)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

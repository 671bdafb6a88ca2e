#!/usr/bin/env python3
"""Dev aid (not part of the package): check the suite's OpenMP / hybrid programs against seq.c.

For each task: build seq.c (gcc -O2) and the target's programs (omp.c and variants/openmp/*.c with
gcc -O2 -fopenmp; hybrid.c and variants/hybrid/*.c with mpicc -O2 -fopenmp), run every argument set of
task.yaml at each thread (or ranks x threads) configuration REPEATS times and compare the output with
seq's token by token (numbers within the task's rtol/atol). --perf times perf_args once (seq, and each
program at 2 threads / 1x2 ranks x threads). Used while the harness's own --target support is built.

    python scripts/check_suite_target.py --target openmp [--tasks dot,gemm] [--repeats 3] [--perf]
    python scripts/check_suite_target.py --target hybrid
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SUITE = Path(__file__).resolve().parent.parent / "src" / "chathpc" / "tasks" / "suite"
MPIRUN = ["mpirun", "--oversubscribe", "--bind-to", "none", "--mca", "pml", "ob1", "--mca", "btl", "self,vader"]
if os.geteuid() == 0:
    MPIRUN.append("--allow-run-as-root")


def same_output(got, want, rtol, atol):
    """True when the outputs have the same words and numbers within rtol/atol."""
    a, b = got.split(), want.split()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            return False
        if abs(fx - fy) > atol + rtol * abs(fy):
            return False
    return True


def build(cc, flags, src, exe):
    r = subprocess.run([cc, *flags, str(src), "-o", str(exe), "-lm"], capture_output=True, text=True)
    return r.returncode == 0, r.stderr


def run(exe, args, config, target, timeout=60):
    env = dict(os.environ)
    if target == "openmp":
        env["OMP_NUM_THREADS"] = str(config)
        cmd = [str(exe), *args]
    else:
        ranks, threads = config
        env["OMP_NUM_THREADS"] = str(threads)
        # 3x2 puts 6 threads on this 2-core machine: with libgomp's default (spinning) waits, a
        # barrier-per-sweep program took >100 s instead of 0.2 s; passive waits keep it honest
        env["OMP_WAIT_POLICY"] = "passive"
        cmd = [*MPIRUN, "-x", "OMP_NUM_THREADS", "-x", "OMP_WAIT_POLICY", "-n", str(ranks), str(exe), *args]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return 124, "", time.perf_counter() - t0
    return proc.returncode, out, time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--target", choices=["openmp", "hybrid"], default="openmp")
    p.add_argument("--tasks", default="", help="comma-separated task ids (default: all with the target's file)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-variants", action="store_true")
    p.add_argument("--perf", action="store_true", help="also time perf_args once per program (seq vs 2 threads)")
    opts = p.parse_args()
    main_file, vdir = ("omp.c", "openmp") if opts.target == "openmp" else ("hybrid.c", "hybrid")
    cc = "gcc" if opts.target == "openmp" else "mpicc"
    configs = [1, 2, 3, 4] if opts.target == "openmp" else [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2)]
    wanted = set(filter(None, opts.tasks.split(",")))
    failures = 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for folder in sorted(SUITE.glob("*/*/")):
            if wanted and folder.name not in wanted:
                continue
            programs = []
            if (folder / main_file).exists():
                programs.append(folder / main_file)
            if not opts.no_variants:
                programs += sorted((folder / "variants" / vdir).glob("*.c"))
            if not programs:
                continue
            meta = yaml.safe_load((folder / "task.yaml").read_text())
            rtol, atol = float(meta.get("rtol", 1e-7)), float(meta.get("atol", 1e-10))
            arg_sets = [[str(a) for a in s] for s in meta["args"]]
            seq_exe = tmp / f"{folder.name}_seq"
            ok, err = build("gcc", ["-O2"], folder / "seq.c", seq_exe)
            assert ok, err
            want = {tuple(a): run(seq_exe, a, 1, "openmp")[1] for a in arg_sets}
            seq_perf = None
            for prog in programs:
                name = f"{folder.parent.name}/{folder.name}/" + str(prog.relative_to(folder))
                exe = tmp / (folder.name + "_" + prog.stem)
                ok, err = build(cc, ["-O2", "-fopenmp", "-Wall"], prog, exe)
                if not ok:
                    rows.append((name, "build_error", err.strip().splitlines()[0] if err.strip() else ""))
                    failures += 1
                    continue
                bad = []
                total = 0
                for config in configs:
                    for a in arg_sets:
                        for _ in range(opts.repeats):
                            total += 1
                            rc, out, _t = run(exe, a, config, opts.target)
                            if rc != 0 or not same_output(out, want[tuple(a)], rtol, atol):
                                bad.append(f"{config} {' '.join(a)} rc={rc}")
                perf = ""
                if opts.perf:
                    pa = [str(x) for x in meta["perf_args"]]
                    if seq_perf is None:
                        seq_perf = run(seq_exe, pa, 1, "openmp", timeout=300)
                    _, sout, ts = seq_perf
                    rc, pout, tp = run(exe, pa, 2 if opts.target == "openmp" else (1, 2), opts.target, timeout=300)
                    good = rc == 0 and same_output(pout, sout, rtol, atol)
                    perf = f"perf seq {ts:.2f}s par {tp:.2f}s x{ts / tp:.2f}" + ("" if good else " WRONG")
                    if not good:
                        bad.append("perf_args")
                failures += bool(bad)
                rows.append((name, "pass" if not bad else "FAIL", f"{total - len(bad)}/{total} runs {perf}"
                             + ("" if not bad else " first: " + bad[0])))
                print(f"{rows[-1][0]:<55} {rows[-1][1]:<6} {rows[-1][2]}", flush=True)
    print(f"\n{len(rows) - failures}/{len(rows)} programs passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""``--submit``: run a verb's command as a Slurm batch job that appends to the same resumable results file.

The script re-runs the same ``chathpc`` command line (without ``--submit``/``--sbatch-args``, with
``--resume`` unless ``--force`` was given) from the same directory; inside the job the scheduler's
``auto`` backend packs every check into the allocation as job steps. Submitting again after the job
was interrupted continues the file where it stopped.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text

_DROPPED_WITH_VALUE = ("--sbatch-args",)
_DROPPED = ("--submit",)


def job_command(argv: list[str]) -> list[str]:
    """The command the batch job runs: ``argv`` without the submit options, resuming unless forced."""
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _DROPPED:
            continue
        if arg in _DROPPED_WITH_VALUE:
            skip = True
            continue
        if arg.startswith(tuple(f"{name}=" for name in _DROPPED_WITH_VALUE)):
            continue
        out.append(arg)
    if "--force" not in out and "--resume" not in out:
        out.append("--resume")
    return [sys.executable, "-m", "chathpc", *out]


def batch_script(command: list[str], name: str, log: Path) -> str:
    """The sbatch script: job name, log file, the caller's directory and Python path, then the command."""
    exports = {key: os.environ[key] for key in ("PYTHONPATH", "CHATHPC_CACHE_DIR", "SLURM_CONF") if os.environ.get(key)}
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --output={log}", "set -euo pipefail",
             f"cd {shlex.quote(os.getcwd())}"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in exports.items()]
    lines.append("exec " + shlex.join(command))
    return "\n".join(lines) + "\n"


def submit(argv: list[str], results: Path, *, sbatch_args: str = "", name: str = "chathpc") -> str:
    """Write ``RESULTS.sbatch`` and submit it; returns the lines that say how to follow the job."""
    if shutil.which("sbatch") is None:
        raise ChathpcError("--submit needs Slurm's sbatch on PATH (load your site's Slurm module)")
    try:
        extra = shlex.split(sbatch_args)
    except ValueError as exc:
        raise ChathpcError(f"--sbatch-args {sbatch_args!r}: {exc}") from None
    results = results.resolve()
    script = results.with_name(results.name + ".sbatch")
    log = results.with_name(results.name + ".slurm-%j.log")
    results.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(script, batch_script(job_command(argv), name, log))
    proc = subprocess.run(["sbatch", "--parsable", *extra, str(script)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ChathpcError(f"sbatch refused {script}: {proc.stderr.strip() or proc.stdout.strip()}")
    job = proc.stdout.strip().split(";")[0]
    return (
        f"submitted Slurm job {job} ({script})\n"
        f"follow it: squeue -j {job}; tail -f {str(log).replace('%j', job)}\n"
        f"results: {results} (submit again to resume an interrupted run)"
    )

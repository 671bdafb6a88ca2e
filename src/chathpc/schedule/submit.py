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

_DROPPED_WITH_VALUE = ("--sbatch-args", "--array", "--shard")
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


def batch_script(command: list[str], name: str, log: Path, array: int = 0) -> str:
    """The sbatch script: job name, log file, the caller's directory and Python path, then the command
    (with ``array`` > 1: a job array whose task K runs ``--shard K/ARRAY``)."""
    exports = {key: os.environ[key] for key in ("PYTHONPATH", "CHATHPC_CACHE_DIR", "SLURM_CONF") if os.environ.get(key)}
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --output={log}"]
    lines += [f"#SBATCH --array=0-{array - 1}"] if array > 1 else []
    lines += ["set -euo pipefail", f"cd {shlex.quote(os.getcwd())}"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in exports.items()]
    shard = f' --shard "$SLURM_ARRAY_TASK_ID/{array}"' if array > 1 else ""
    lines.append("exec " + shlex.join(command) + shard)
    return "\n".join(lines) + "\n"


def _sbatch(arguments: list[str], script: Path) -> str:
    proc = subprocess.run(["sbatch", "--parsable", *arguments, str(script)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise ChathpcError(f"sbatch refused {script}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout.strip().split(";")[0]


def submit(argv: list[str], results: Path, *, sbatch_args: str = "", name: str = "chathpc", array: int = 0) -> str:
    """Write ``RESULTS.sbatch`` and submit it; returns the lines that say how to follow the job.

    With ``array`` > 1 the script is a job array of that many tasks, each writing the share of the items
    that ``--shard K/ARRAY`` selects to a shard file, and ``RESULTS.gather.sbatch`` (the same command,
    resuming, which gathers the shards into RESULTS and checks whatever a failed task left) runs after it.
    """
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
    if array > 1:
        log = results.with_name(results.name + ".slurm-%A_%a.log")
    atomic_write_text(script, batch_script(job_command(argv), name, log, array))
    job = _sbatch(extra, script)
    shown = str(log).replace("%j", job).replace("%A", job).replace("%a", "*")
    lines = [f"submitted Slurm job {job} ({script}{f', {array} array tasks' if array > 1 else ''})"]
    if array > 1:
        gather = results.with_name(results.name + ".gather.sbatch")
        gather_log = results.with_name(results.name + ".slurm-%j.log")
        atomic_write_text(gather, batch_script(job_command(argv), f"{name}-gather", gather_log))
        then = _sbatch([*extra, f"--dependency=afterany:{job}"], gather)
        lines.append(f"submitted Slurm job {then} ({gather}: gathers the shards after job {job})")
        job = f"{job},{then}"
    lines += [f"follow it: squeue -j {job}; tail -f {shown}",
              f"results: {results} (submit again to resume an interrupted run)"]
    return "\n".join(lines)

"""One check inside a Slurm job step: a job as JSON on stdin, its outcome as JSON on stdout.

The step's node checks with the local harness (``mpirun``, sandboxed as everywhere); the job's
Slurm settings are dropped first, so that ``mpirun`` starts its ranks on this node only.
"""

from __future__ import annotations

import json
import os
import sys

from chathpc.config import HarnessConfig
from chathpc.harness import CheckResult
from chathpc.schedule.jobs import CheckJob, outcome_to_json
from chathpc.schedule.local import run_check, run_timing


def main() -> int:
    """Read one request, check or time it, print the outcome."""
    request = json.loads(sys.stdin.read())
    for name in [n for n in os.environ if n.startswith(("SLURM_", "PMIX_", "OMPI_"))]:
        del os.environ[name]
    job = CheckJob.model_validate(request["job"])
    config = HarnessConfig.model_validate(request["config"])
    if request["mode"] == "check":
        answer = outcome_to_json(run_check(job, config))
    else:
        answer = {"perf": run_timing(job, CheckResult.model_validate(request["result"]), config).model_dump(mode="json")}
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())

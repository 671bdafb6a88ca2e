"""The ``mpi`` target: an MPI program built with the MPI compiler wrapper and started by ``harness.launcher``.

Also the launch helpers the ``hybrid`` target shares: the launcher template, Open MPI's settings for
one-node runs and the sandbox level a cluster launcher allows.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.errors import ChathpcError
from chathpc.harness.languages import Language
from chathpc.harness.profile import PMPI_SHIM, FORTRAN_PMPI_SHIM, SEQUENTIAL_TIMER
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import Verdict
from chathpc.harness.targets.base import BuildSpec, Placement, Target

if TYPE_CHECKING:
    from chathpc.config import HarnessConfig

LOCAL_LAUNCHERS = {"mpirun", "mpiexec", "orterun"}
MPI_HINT = "install MPI (apt-get install openmpi-bin libopenmpi-dev) or load your site's MPI module"


SRUN_REFUSED = ("harness.launcher srun is refused: ranks that srun starts keep the host's network and pids (PMIx needs "
                "both) and, as root, no process limit; inside an allocation use the Slurm backend (schedule.backend: slurm, "
                "chathpc.schedule.slurm), whose job steps run each check under the mpirun sandbox")
CORRECTNESS_EAGER_LIMIT = 64  # vader btl eager limit of correctness runs (bytes, near its minimum): a send of more than 256 bytes (32 doubles) then waits for its receive


def launcher_command(cfg: HarnessConfig, ranks: int) -> list[str]:
    """``harness.launcher`` for ``ranks`` ({n}); srun is refused (``SRUN_REFUSED``)."""
    try:
        command = shlex.split(cfg.launcher.format(n=ranks))
    except (KeyError, IndexError, ValueError) as exc:
        raise ChathpcError(f"harness.launcher {cfg.launcher!r} is not a valid template ({exc}); use e.g. 'mpirun -np {{n}}'") from None
    if not command:
        raise ChathpcError("harness.launcher is empty; use e.g. 'mpirun -np {n}'")
    if os.path.basename(command[0]) == "srun":
        raise ChathpcError(SRUN_REFUSED)
    return command


def launcher_env(cfg: HarnessConfig, correctness: bool) -> dict[str, str]:
    """Open MPI settings for one-node runs of a local launcher (cheap transports, no binding: a rank's threads get
    every core); correctness runs oversubscribe and send every message above ``CORRECTNESS_EAGER_LIMIT`` bytes by
    rendezvous (a blocking send waits for its receive), so a send-before-receive deadlock shows at any size, not
    only past ~4 KB."""
    launcher = os.path.basename(launcher_command(cfg, 1)[0])
    if launcher not in LOCAL_LAUNCHERS:
        return {}
    env = {
        "OMPI_MCA_pml": "ob1",
        "OMPI_MCA_btl": "self,vader",
        "OMPI_MCA_hwloc_base_binding_policy": "none",
        "OMPI_MCA_rmaps_base_oversubscribe": "1" if correctness else "0",
    }
    if correctness:
        env["OMPI_MCA_btl_vader_eager_limit"] = str(CORRECTNESS_EAGER_LIMIT)
    if os.geteuid() == 0:
        env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    return env


def launcher_isolation(cfg: HarnessConfig) -> str:
    """The sandbox level to ask for: a cluster launcher (a site wrapper) needs the network, so auto means rlimits there."""
    launcher = os.path.basename(launcher_command(cfg, 1)[0])
    return cfg.sandbox if launcher in LOCAL_LAUNCHERS or cfg.sandbox != "auto" else "rlimits"


class MpiTarget(Target):
    """MPI: ranks from ``harness.ranks``, ``not_mpi`` without MPI_Init, PMPI timing."""

    name, title = "mpi", "MPI"
    uses_mpi = True
    unused_verdict = Verdict.NOT_MPI

    def build_spec(self, cfg: HarnessConfig, language: Language, *, sanitize: bool = False) -> BuildSpec:
        return BuildSpec(language.compiler(cfg), list(cfg.sanitize_flags) if sanitize else language.flags(cfg), list(cfg.ldflags))

    def reference_spec(self, cfg: HarnessConfig, language: Language) -> BuildSpec:
        return self.build_spec(cfg, language)

    def required_tools(self, cfg: HarnessConfig, language: Language) -> list[tuple[str, str]]:
        return [(language.compiler(cfg), MPI_HINT), (launcher_command(cfg, 1)[0], MPI_HINT)]

    def configurations(self, cfg: HarnessConfig) -> list[Placement]:
        return [Placement(n) for n in cfg.ranks]

    def perf_configurations(self, cfg: HarnessConfig) -> list[Placement]:
        return [Placement(n) for n in cfg.perf_ranks]

    def widths(self, cfg: HarnessConfig) -> tuple[list[int], list[int]]:
        return list(cfg.ranks), list(cfg.explore_ranks)

    def placement(self, cfg: HarnessConfig, width: int) -> Placement:
        return Placement(width)

    def width(self, placement: Placement) -> int:
        return placement.ranks

    def command(self, cfg: HarnessConfig, placement: Placement, binary: Path, args: list[str]) -> list[str]:
        return [*launcher_command(cfg, placement.ranks), str(binary), *args]

    def environment(self, cfg: HarnessConfig, placement: Placement, *, oversubscribe: bool) -> dict[str, str]:
        return launcher_env(cfg, correctness=oversubscribe)

    def isolation_request(self, cfg: HarnessConfig) -> str:
        return launcher_isolation(cfg)

    def process_limit(self, placement: Placement) -> int:
        return 64 + 32 * placement.ranks

    def uses_model(self, source: str, options: ProgramOptions) -> bool:
        return options.is_mpi(source)

    def unused_reason(self, options: ProgramOptions) -> str:
        return options.not_mpi_reason()

    def timing_sources(self, language: str) -> tuple[dict[str, str], dict[str, str]]:
        candidate = {"chathpc_pmpi.c": PMPI_SHIM}
        if language == "fortran":
            candidate["chathpc_pmpi_fortran.c"] = FORTRAN_PMPI_SHIM
        return {"chathpc_timer.c": SEQUENTIAL_TIMER}, candidate


MPI = MpiTarget()

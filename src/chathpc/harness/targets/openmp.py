"""The ``openmp`` target: C or C++ with OpenMP (``harness.omp_cc``/``omp_cxx`` with ``harness.openmp_flags``),
one process at ``harness.threads`` threads, each configuration run ``harness.repeats`` times to expose races.

Also the base of the other single-process threaded target (``kokkos``): thread environment, thread
configurations and process timing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.harness.languages import Language
from chathpc.harness.profile import SEQUENTIAL_TIMER
from chathpc.harness.program import ProgramOptions
from chathpc.system import core_count
from chathpc.harness.targets.base import BuildSpec, Placement, Target, TargetError, answer_region, has_openmp_parallel

if TYPE_CHECKING:
    from chathpc.config import HarnessConfig


def thread_environment(cfg: HarnessConfig, placement: Placement, *, oversubscribe: bool) -> dict[str, str]:
    """The variables that set an OpenMP (and Kokkos OpenMP-backend) thread count and binding. A correctness run
    (``oversubscribe``) with more workers than cores waits passively: libgomp's default spinning made a 3x2 hybrid
    run on 2 cores take over 100 s instead of 0.2 s. Up to the core count threads keep spinning: passive waits
    let one thread finish its share before the next wakes, and a racy Kokkos scatter then passed 12 of 12 runs."""
    threads = placement.threads or 1
    env = {"OMP_NUM_THREADS": str(threads), "KOKKOS_NUM_THREADS": str(threads), "OMP_PROC_BIND": cfg.omp_proc_bind}
    if oversubscribe and placement.workers > core_count():
        env["OMP_WAIT_POLICY"] = "passive"
    return env


class OpenMPTarget(Target):
    """OpenMP: threads from ``harness.threads``, ``not_parallel`` without a parallel construct, process timing."""

    name, title = "openmp", "OpenMP"
    threaded = True

    def check_language(self, language: Language) -> None:
        if language.name not in ("c", "cxx"):
            raise TargetError(f"the {self.name} target builds C and C++ programs, not {language.title}")

    def _compiler(self, cfg: HarnessConfig, language: Language) -> str:
        return cfg.omp_cxx if language.name == "cxx" else cfg.omp_cc

    def reference_spec(self, cfg: HarnessConfig, language: Language) -> BuildSpec:
        return BuildSpec(self._compiler(cfg, language), language.flags(cfg), list(cfg.ldflags))

    def build_spec(self, cfg: HarnessConfig, language: Language, *, sanitize: bool = False) -> BuildSpec:
        base = list(cfg.sanitize_flags) if sanitize else language.flags(cfg)
        return BuildSpec(self._compiler(cfg, language), [*base, *cfg.openmp_flags], list(cfg.ldflags))

    def configurations(self, cfg: HarnessConfig) -> list[Placement]:
        return [Placement(1, t) for t in cfg.threads]

    def perf_configurations(self, cfg: HarnessConfig) -> list[Placement]:
        return [Placement(1, t) for t in cfg.perf_threads]

    def widths(self, cfg: HarnessConfig) -> tuple[list[int], list[int]]:
        return list(cfg.threads), list(cfg.explore_threads)

    def placement(self, cfg: HarnessConfig, width: int) -> Placement:
        return Placement(1, width)

    def width(self, placement: Placement) -> int:
        return placement.threads or 1

    def command(self, cfg: HarnessConfig, placement: Placement, binary: Path, args: list[str]) -> list[str]:
        return [str(binary), *args]

    def environment(self, cfg: HarnessConfig, placement: Placement, *, oversubscribe: bool) -> dict[str, str]:
        return thread_environment(cfg, placement, oversubscribe=oversubscribe)

    def uses_model(self, source: str, options: ProgramOptions) -> bool:
        return has_openmp_parallel(answer_region(source, options))

    def unused_reason(self, options: ProgramOptions) -> str:
        return ("the candidate has no OpenMP parallel construct (#pragma omp parallel, teams, target or taskloop): "
                "a sequential program is not a parallelization")

    def timing_sources(self, language: str) -> tuple[dict[str, str], dict[str, str]]:
        # the whole process is timed (main's start to exit); the thread pool's start-up counts, as it does for the user
        return {"chathpc_timer.c": SEQUENTIAL_TIMER}, {"chathpc_timer.c": SEQUENTIAL_TIMER}


OPENMP = OpenMPTarget()

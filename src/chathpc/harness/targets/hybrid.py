"""The ``hybrid`` target: MPI + OpenMP C/C++ (the MPI wrapper with ``harness.openmp_flags``) at
``harness.layouts`` (ranks x threads per rank), ranks unbound so that a rank's threads get their own cores."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chathpc.harness.languages import Language
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import Verdict
from chathpc.harness.targets.base import BuildSpec, Placement, TargetError, answer_region, has_openmp_parallel, parse_layout
from chathpc.harness.targets.mpi import MpiTarget
from chathpc.harness.targets.openmp import thread_environment

if TYPE_CHECKING:
    from chathpc.config import HarnessConfig

EXPLORE_THREADS = 2  # threads per rank of the rank counts --explore adds


class HybridTarget(MpiTarget):
    """MPI + OpenMP: the MPI launch with every rank's thread count in its environment."""

    name, title = "hybrid", "MPI + OpenMP"
    threaded = True
    unused_verdict = Verdict.NOT_PARALLEL

    def check_language(self, language: Language) -> None:
        if language.name not in ("c", "cxx"):
            raise TargetError(f"the {self.name} target builds C and C++ programs, not {language.title}")

    def build_spec(self, cfg: HarnessConfig, language: Language, *, sanitize: bool = False) -> BuildSpec:
        spec = super().build_spec(cfg, language, sanitize=sanitize)
        return spec._replace(flags=[*spec.flags, *cfg.openmp_flags])

    def reference_spec(self, cfg: HarnessConfig, language: Language) -> BuildSpec:
        return super().build_spec(cfg, language)

    def configurations(self, cfg: HarnessConfig) -> list[Placement]:
        return [parse_layout(text) for text in cfg.layouts]

    def perf_configurations(self, cfg: HarnessConfig) -> list[Placement]:
        return [parse_layout(text) for text in cfg.perf_layouts]

    def widths(self, cfg: HarnessConfig) -> tuple[list[int], list[int]]:
        return sorted({p.ranks for p in self.configurations(cfg)}), list(cfg.explore_ranks)

    def placement(self, cfg: HarnessConfig, width: int) -> Placement:
        return Placement(width, EXPLORE_THREADS)

    def width(self, placement: Placement) -> int:
        return placement.ranks

    def environment(self, cfg: HarnessConfig, placement: Placement, *, oversubscribe: bool) -> dict[str, str]:
        env = super().environment(cfg, placement, oversubscribe=oversubscribe)
        return {**env, **thread_environment(cfg, placement, oversubscribe=oversubscribe)}

    def process_limit(self, placement: Placement) -> int:
        return 64 + 32 * placement.workers

    def uses_model(self, source: str, options: ProgramOptions) -> bool:
        return options.is_mpi(source) and has_openmp_parallel(answer_region(source, options))

    def unused_reason(self, options: ProgramOptions) -> str:
        return ("a hybrid candidate must both initialize MPI and have an OpenMP parallel construct "
                "(#pragma omp parallel, teams, target or taskloop); this one lacks one of them")


HYBRID = HybridTarget()

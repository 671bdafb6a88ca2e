"""The ``kokkos`` target: C++17 Kokkos (``harness.kokkos_cxx`` against a static Kokkos with the OpenMP backend
under ``harness.kokkos_root``), threaded like ``openmp``; ``not_parallel`` without a Kokkos parallel pattern.

The Kokkos install: ``harness.kokkos_root`` when set, else ``$KOKKOS_ROOT``, else ``kokkos`` in the Python
environment running chathpc (where ``scripts/setup.sh`` builds it). Its static ``libkokkoscore.a`` is linked
(the sandbox's empty ``/tmp`` would hide shared libraries installed there).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.harness.languages import LANGUAGES, Language
from chathpc.harness.languages import strip_c_comments_and_strings
from chathpc.harness.program import ProgramOptions
from chathpc.harness.targets.base import BuildSpec, TargetError, answer_region
from chathpc.harness.targets.openmp import OpenMPTarget

if TYPE_CHECKING:
    from chathpc.config import HarnessConfig

_PATTERN = re.compile(r"\bKokkos\s*::\s*parallel_(?:for|reduce|scan)\s*[(<]")
KOKKOS_HINT = ("build one with scripts/setup.sh (Kokkos 3.4 with the OpenMP backend into .venv/kokkos), or point "
               "harness.kokkos_root (or KOKKOS_ROOT) at your Kokkos install (a module, Spack)")


def kokkos_root(cfg: HarnessConfig) -> Path:
    """The Kokkos install the harness builds against (see the module docs); ``TargetError`` when none is there."""
    named = cfg.kokkos_root or os.environ.get("KOKKOS_ROOT", "")
    root = Path(named) if named else Path(sys.prefix) / "kokkos"
    if not (root / "include" / "Kokkos_Core.hpp").is_file():
        where = f"harness.kokkos_root/KOKKOS_ROOT = {named}" if named else f"{root} (the default)"
        raise TargetError(f"no Kokkos found at {where}: {KOKKOS_HINT}")
    return root


def _library(root: Path) -> Path:
    for lib in ("lib", "lib64"):
        if (root / lib / "libkokkoscore.a").is_file():
            return root / lib / "libkokkoscore.a"
    raise TargetError(f"{root} has no lib/libkokkoscore.a (the harness links Kokkos statically): {KOKKOS_HINT}")


class KokkosTarget(OpenMPTarget):
    """Kokkos on its OpenMP backend: C++ candidates, threads from ``harness.threads``."""

    name, title = "kokkos", "Kokkos"
    candidate_language = "cxx"

    def build_spec(self, cfg: HarnessConfig, language: Language, *, sanitize: bool = False) -> BuildSpec:
        root = kokkos_root(cfg)
        base = list(cfg.sanitize_flags) if sanitize else LANGUAGES["cxx"].flags(cfg)
        return BuildSpec(cfg.kokkos_cxx, [*base, *cfg.kokkos_flags, *cfg.openmp_flags, f"-I{root / 'include'}"],
                         [str(_library(root)), "-ldl", *cfg.ldflags], (root,))

    def required_tools(self, cfg: HarnessConfig, language: Language) -> list[tuple[str, str]]:
        return [(self.build_spec(cfg, language).compiler, "install g++"), (self._compiler(cfg, language), "install gcc")]

    def uses_model(self, source: str, options: ProgramOptions) -> bool:
        return _PATTERN.search(strip_c_comments_and_strings(answer_region(source, options))) is not None

    def unused_reason(self, options: ProgramOptions) -> str:
        return ("the candidate runs no Kokkos parallel pattern (Kokkos::parallel_for, parallel_reduce or parallel_scan): "
                "a sequential program is not a parallelization")


KOKKOS = KokkosTarget()

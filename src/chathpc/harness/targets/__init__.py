"""Targets: the programming models the harness verifies (``mpi``, ``openmp``, ``hybrid``, ``kokkos``).

A target is data plus a few functions (``base.Target``): its build (compiler, flags, libraries; the build
cache key covers them), its parallel configurations (``Placement``: ranks x threads), its launch command and
environment, its "uses the model" rule (``not_mpi`` for mpi, ``not_parallel`` for the others) and its timing
sources. ``check`` and ``measure_performance`` take one by name (``harness.target``, ``--target``).
"""

from __future__ import annotations

from chathpc.harness.targets.base import BuildSpec, Placement, Target, TargetError, configuration_label, parse_layout
from chathpc.harness.targets.hybrid import HYBRID
from chathpc.harness.targets.kokkos import KOKKOS, kokkos_root
from chathpc.harness.targets.mpi import MPI
from chathpc.harness.targets.openmp import OPENMP

TARGETS: dict[str, Target] = {t.name: t for t in (MPI, OPENMP, HYBRID, KOKKOS)}
TARGET_NAMES: tuple[str, ...] = tuple(TARGETS)


def get_target(name: str) -> Target:
    """The target called ``name``; ``TargetError`` (one line) for an unknown one."""
    try:
        return TARGETS[name]
    except KeyError:
        raise TargetError(f"unknown target '{name}' (choose from {', '.join(TARGET_NAMES)})") from None


__all__ = ["TARGETS", "TARGET_NAMES", "BuildSpec", "Placement", "Target", "TargetError", "configuration_label", "get_target", "kokkos_root", "parse_layout"]

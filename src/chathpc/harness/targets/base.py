"""What a target is: a programming model the harness builds, runs, judges and times (see ``targets``)."""

from __future__ import annotations

from abc import ABC, abstractmethod

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from chathpc.errors import ChathpcError
from chathpc.harness.languages import Language, get_language, strip_c_comments_and_strings
from chathpc.harness.program import ANSWER_BEGIN, ANSWER_END, ProgramOptions
from chathpc.harness.results import Verdict

if TYPE_CHECKING:
    from chathpc.config import HarnessConfig

_LAYOUT = re.compile(r"^\s*(\d+)\s*x\s*(\d+)\s*$")


class TargetError(ChathpcError):
    """An unknown target, a target the program's language cannot use, or a target's missing tool."""


class Placement(NamedTuple):
    """One parallel configuration: processes (MPI ranks; 1 without MPI) and threads per process (None: unthreaded)."""

    ranks: int
    threads: int | None = None

    @property
    def workers(self) -> int:
        """Cores the configuration keeps busy: ranks x threads."""
        return self.ranks * (self.threads or 1)

    def label(self) -> str:
        """Short name for run directories: np2 (ranks only) or 1x2 (ranks x threads)."""
        return f"np{self.ranks}" if self.threads is None else f"{self.ranks}x{self.threads}"


def configuration_label(ranks: int, threads: int | None, target: str = "mpi") -> str:
    """A configuration's column name in tables: np2 (mpi), t2 (openmp, kokkos) or 2x2 (hybrid)."""
    if threads is None:
        return f"np{ranks}"
    return f"t{threads}" if target in ("openmp", "kokkos") else f"{ranks}x{threads}"


def parse_layout(text: str) -> Placement:
    """``RxT`` (ranks x threads per rank, e.g. ``2x2``) as a Placement; a bad one raises ``ValueError``."""
    match = _LAYOUT.match(text)
    if not match or int(match[1]) < 1 or int(match[2]) < 1:
        raise ValueError(f"layout {text!r} is not RANKSxTHREADS (e.g. 2x2)")
    return Placement(int(match[1]), int(match[2]))


class BuildSpec(NamedTuple):
    """How one program is compiled for a target: compiler, flags (before the source), link flags (after it),
    and directories outside the system ones the sandboxed compiler must see (a Kokkos install)."""

    compiler: str
    flags: list[str]
    ldflags: list[str]
    read_only_dirs: tuple[Path, ...] = ()


def answer_region(source: str, options: ProgramOptions) -> str:
    """The part of a candidate a "uses the model" rule reads: the whole code, or for a program assembled from
    a function answer (``mpi_rule`` answer_calls_mpi) the lines between the answer markers."""
    if options.mpi_rule == "init":
        return source
    start, end = source.find(ANSWER_BEGIN), source.rfind(ANSWER_END)
    return source[start + len(ANSWER_BEGIN): end] if 0 <= start < end else ""


_OMP_PARALLEL = re.compile(r"^[ \t]*#[ \t]*pragma[ \t]+omp[ \t]+(?:[^\n]*\b)?(?:parallel|teams|target|taskloop)\b", re.M)


def has_openmp_parallel(source: str) -> bool:
    """True when C/C++ code (comments and strings aside) has an OpenMP directive that starts threads
    (``parallel``, ``parallel for``, ``teams``, ``target``, ``taskloop``)."""
    return _OMP_PARALLEL.search(strip_c_comments_and_strings(source)) is not None


class Target(ABC):
    """A programming model: build (compiler, flags, libraries), parallel configurations, launch and
    environment, its "uses the model" rule, and its timing. Subclasses set the class attributes and
    override the methods that differ; ``chathpc.harness.targets`` lists the instances."""

    name = ""
    title = ""
    uses_mpi = False  # started by the MPI launcher (ranks > 1 possible, PMPI timing)
    threaded = False  # has threads per process: configurations are repeated to expose races
    unused_verdict = Verdict.NOT_PARALLEL
    candidate_language: str | None = None  # a language the candidate always has (kokkos: cxx), whatever the sequential program's

    # build ---------------------------------------------------------------------------------------------
    def candidate_options(self, options: ProgramOptions) -> ProgramOptions:
        """The candidate's program options: the sequential program's, in ``candidate_language`` when the target has one."""
        if self.candidate_language is None:
            return options
        suffix = get_language(self.candidate_language).suffix if self.candidate_language != options.language else options.suffix
        return options.model_copy(update={"language": self.candidate_language, "suffix": suffix})

    def check_language(self, language: Language) -> None:
        """Raise ``TargetError`` when the target cannot build programs in ``language``."""

    @abstractmethod
    def build_spec(self, cfg: HarnessConfig, language: Language, *, sanitize: bool = False) -> BuildSpec:
        """Compiler and flags of a candidate (``sanitize``: ``harness.sanitize_flags`` replace the optimisation flags)."""
        ...

    @abstractmethod
    def reference_spec(self, cfg: HarnessConfig, language: Language) -> BuildSpec:
        """Compiler and flags of the sequential program (the candidate's compiler, without the model's flags)."""
        ...

    def required_tools(self, cfg: HarnessConfig, language: Language) -> list[tuple[str, str]]:
        """(command, how to get it) that must be on PATH before anything is built."""
        return [(self.build_spec(cfg, language).compiler, "install gcc/g++")]

    def preflight(self, cfg: HarnessConfig, language: Language) -> None:
        """Raise ``ChathpcError`` (one line) when a tool the target needs is missing."""
        self.check_language(language)
        for tool, hint in self.required_tools(cfg, language):
            if shutil.which(tool) is None:
                raise ChathpcError(f"'{tool}' not found on PATH: {hint}")

    # parallel configurations ---------------------------------------------------------------------------
    @abstractmethod
    def configurations(self, cfg: HarnessConfig) -> list[Placement]:
        """The configurations every argument set runs at."""
        ...

    @abstractmethod
    def perf_configurations(self, cfg: HarnessConfig) -> list[Placement]:
        """The configurations timing runs use (those over the core count are left out by the caller)."""
        ...

    @abstractmethod
    def widths(self, cfg: HarnessConfig) -> tuple[list[int], list[int]]:
        """The one-number view of the configurations that ``--explore`` probes and shrinks along: (checked, extra)."""
        ...

    @abstractmethod
    def placement(self, cfg: HarnessConfig, width: int) -> Placement:
        """The configuration of one explore width."""
        ...

    @abstractmethod
    def width(self, placement: Placement) -> int:
        """The explore width of a configuration."""
        ...

    def repeats(self, cfg: HarnessConfig) -> int:
        """How often each configuration runs (threaded targets: ``harness.repeats``, to expose races)."""
        return cfg.repeats if self.threaded else 1

    # launch ----------------------------------------------------------------------------------------------
    @abstractmethod
    def command(self, cfg: HarnessConfig, placement: Placement, binary: Path, args: list[str]) -> list[str]:
        """The command line of one run."""
        ...

    @abstractmethod
    def environment(self, cfg: HarnessConfig, placement: Placement, *, oversubscribe: bool) -> dict[str, str]:
        """Variables one run gets (thread counts, binding, launcher settings)."""
        ...

    def isolation_request(self, cfg: HarnessConfig) -> str:
        """The sandbox level to ask for (``harness.sandbox``, or rlimits where the launcher needs the network)."""
        return cfg.sandbox

    def process_limit(self, placement: Placement) -> int:
        """Processes (and threads: RLIMIT_NPROC counts them) one run may start."""
        return 64 + 32 * placement.workers

    # uses the model --------------------------------------------------------------------------------------
    @abstractmethod
    def uses_model(self, source: str, options: ProgramOptions) -> bool:
        """Whether the candidate is a program of this model at all (``unused_verdict`` when not)."""
        ...

    @abstractmethod
    def unused_reason(self, options: ProgramOptions) -> str:
        """Why a candidate failed ``uses_model``, for the result's detail."""
        ...

    # timing ----------------------------------------------------------------------------------------------
    @abstractmethod
    def timing_sources(self, language: str) -> tuple[dict[str, str], dict[str, str]]:
        """Extra sources linked into timing builds: (sequential program's, candidate's)."""
        ...

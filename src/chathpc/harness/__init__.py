"""The verification harness: build, run (sandboxed), compare and time candidates of a target (MPI, OpenMP,
hybrid MPI + OpenMP, Kokkos: ``chathpc.harness.targets``, ``harness.target``).

Only this package launches MPI jobs. Public API: ``check``,
``measure_performance``, ``require_improvement`` (the optimization check), ``compare_outputs``, ``isolation_level``, ``ProgramOptions`` /
``program_options`` (language, extra files, filters, time pattern) and the result models. Checking many candidates is ``chathpc.schedule`` (``check_many``).
"""

from chathpc.harness.check import ReferenceProgramError, check, initializes_mpi, measure_performance, preflight, require_improvement
from chathpc.harness.compare import compare_outputs
from chathpc.harness.program import ProgramOptions, ProgramOptionsError, program_options
from chathpc.harness.results import CheckResult, CommProfile, Mismatch, PerfResult, RankTiming, RunResult, Verdict
from chathpc.harness.sandbox import isolation_level

__all__ = [
    "CheckResult",
    "CommProfile",
    "Mismatch",
    "PerfResult",
    "ProgramOptions",
    "ProgramOptionsError",
    "RankTiming",
    "ReferenceProgramError",
    "RunResult",
    "Verdict",
    "check",
    "compare_outputs",
    "initializes_mpi",
    "isolation_level",
    "measure_performance",
    "preflight",
    "program_options",
    "require_improvement",
]

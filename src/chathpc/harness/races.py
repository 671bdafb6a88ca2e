"""Races in threaded targets (openmp, kokkos, hybrid): the diagnosis runs after a failure and the one line
that names a likely data race.

Every configuration of a threaded target runs ``harness.repeats`` times (a race shows up only in some
runs). After a failure the failing input runs ``repeats`` more times at the failing configuration and once
at the smallest one (1 thread; hybrid 1x1). A wrong output that differs between runs at one configuration is
"differs between runs at 2 threads"; one that is the same in every run, where the smallest configuration
passes, is "differs from the sequential output at 2 threads only". No race detector: ThreadSanitizer reports
races on correct reductions with Debian's libgomp (docs/harness.md).
"""

from __future__ import annotations

from chathpc.harness.compare import compare_outputs
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import RunResult, Verdict
from chathpc.harness.targets import Placement


def threaded_diagnosis_plan(failure: RunResult, configurations: list[Placement], repeats: int) -> list[tuple[list[str], Placement]]:
    """The failing input again ``repeats`` times at the failing configuration, and once at the smallest one."""
    failing = Placement(failure.ranks, failure.threads)
    smallest = min(configurations, key=lambda p: (p.workers, p.ranks))
    plan = [(list(failure.args), failing)] * repeats
    if smallest != failing:
        plan.append((list(failure.args), smallest))
    return plan


def _same(a: RunResult, b: RunResult, rtol: float, atol: float, options: ProgramOptions) -> bool:
    left, right = options.filter_output(a.stdout), options.filter_output(b.stdout)
    return a.verdict == b.verdict and compare_outputs(left, right, rtol, atol) is None


def diagnose_threaded(failure: RunResult, runs: list[RunResult], atol: float, rtol: float, options: ProgramOptions, *,
                      mpi: bool) -> str | None:
    """The race line for a failing threaded candidate (see the module docs), or None when no race pattern fits."""
    if failure.verdict not in (Verdict.WRONG_OUTPUT, Verdict.PASS) or failure.role == "sanitize":
        return None
    where = failure.configuration(mpi)
    alike = [r for r in runs if r.args == failure.args and (r.ranks, r.threads) == (failure.ranks, failure.threads)
             and r.role != "sanitize" and not r.output_truncated]
    if any(not _same(r, alike[0], rtol, atol, options) for r in alike[1:]):
        return (f"output differs between runs at {where} ({len(alike)} runs): likely a data race (shared data updated "
                "without a reduction, atomic or private copy)")
    smallest_passed = any(
        r.args == failure.args and r.verdict == Verdict.PASS and (r.threads or 1) == 1 and r.ranks <= failure.ranks for r in runs
    )
    if (failure.threads or 1) > 1 and smallest_passed:
        return (f"differs from the sequential output at {where} only, the same in all {len(alike)} runs (1 thread passes): "
                "likely a race that loses the same updates every time, or a variable that should be private or reduced")
    return None

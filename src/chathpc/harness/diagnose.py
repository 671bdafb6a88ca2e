"""One line naming the likely bug, from the pattern of runs that pass and fail.

After a failure the harness makes a few diagnosis runs (``diagnosis_plan``): the failing input at 1
rank, at 2 ranks and at the largest checked rank count below the failing one, and the failing
input with every integer argument raised to a multiple of the rank count. ``diagnose`` then reads
the verdicts of every run (given, explored, diagnosis, sanitized) and names the first pattern that
fits, in this order: a sanitizer report behind a right output, every rank printing, a refusal of an
input the sequential program accepts (beyond a rank-count precondition), a hang that
needs a large input (eager limit), failing only above the checked rank counts, sizes below the rank
count, sizes small next to the rank count (blocks of ceil(n/p)), sizes not divisible by the rank
count, passing only at 1 rank. "n" is the first integer argument (the problem size, by the program
contract). A failure that fits none gets a plain statement of where it fails.
"""

from __future__ import annotations

import math
import re

from chathpc.harness.explore import RANK_PRECONDITION, declined, integer_positions, refused
from chathpc.harness.results import RunResult, Verdict

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)", re.IGNORECASE)


def _shape(line: str) -> str:
    return _NUMBER.sub("#", " ".join(line.split()))


def every_rank_printed(expected: str, actual: str, ranks: int) -> bool:
    """Whether ``actual`` is ``expected`` printed once per rank (numbers aside, lines in any order)."""
    wanted = [_shape(line) for line in expected.splitlines() if line.strip()]
    got = [_shape(line) for line in actual.splitlines() if line.strip()]
    return ranks > 1 and bool(wanted) and sorted(got) == sorted(wanted * ranks)


def _round_up(value: int, ranks: int) -> int:
    return max(ranks, math.ceil(value / ranks) * ranks)


def diagnosis_plan(failure: RunResult, given: list[list[str]], checked_ranks: list[int]) -> list[tuple[list[str], int]]:
    """The (args, ranks) runs that tell the patterns apart for ``failure`` (see the module docs)."""
    positions = integer_positions([*given, failure.args])
    divisible = list(failure.args)
    for i in positions:
        divisible[i] = str(_round_up(int(failure.args[i]), failure.ranks))
    plan = [(list(failure.args), 1)]
    below = [p for p in checked_ranks if p < failure.ranks]
    if below:
        plan.append((list(failure.args), max(below)))
    if failure.ranks > 2:
        plan.append((list(failure.args), 2))
    if positions and divisible != failure.args:
        plan.append((divisible, failure.ranks))
    seen: set[tuple[tuple[str, ...], int]] = {(tuple(failure.args), failure.ranks)}
    unique = []
    for args, ranks in plan:
        if (tuple(args), ranks) not in seen:
            seen.add((tuple(args), ranks))
            unique.append((args, ranks))
    return unique


def _ints(run: RunResult, positions: list[int]) -> list[int]:
    return [int(run.args[i]) for i in positions]


def diagnose(failure: RunResult | None, runs: list[RunResult], given: list[list[str]], checked_ranks: list[int]) -> str:
    """The one-line diagnosis of ``failure`` given every run made for the candidate (see the module docs)."""
    if failure is None:
        return ""
    if failure.verdict == Verdict.MEMORY_ERROR and failure.sanitizer is not None:
        report = failure.sanitizer
        what = "out-of-bounds access" if report.out_of_bounds else report.kind
        return f"output right, sanitizer error: {what} ({report.line()})"
    if failure.every_rank_printed:
        return "every rank prints: only one rank (e.g. rank 0) may print the result"
    positions = integer_positions([*given, *(r.args for r in runs)])
    if refused(failure) and not declined(failure, positions):
        what = f"n = {failure.args[positions[0]]}" if positions else f"the arguments {' '.join(failure.args) or '(none)'}"
        return (f"refuses {what} at {failure.ranks} ranks (exits with no output), which the sequential program accepts: "
                f"the candidate must take every input the sequential program takes (only n < {RANK_PRECONDITION} x ranks may be refused)")
    passed = [r for r in runs if r.verdict == Verdict.PASS]
    failed = [r for r in runs if r.verdict != Verdict.PASS and r.role != "sanitize" and not declined(r, positions)]
    size = max(_ints(failure, positions), default=0)
    if failure.verdict == Verdict.TIMEOUT and any(r.ranks == failure.ranks and max(_ints(r, positions), default=0) < size for r in passed):
        return ("hangs only for large messages: blocking sends that rely on buffering (eager limit; correctness runs "
                "buffer at most ~256 bytes); pair them with MPI_Sendrecv or use nonblocking calls")
    def n(r: RunResult) -> int:  # the problem size: the first integer argument, by the program contract
        return int(r.args[positions[0]])

    lowest_failing = min((r.ranks for r in failed), default=failure.ranks)
    top = max((r.ranks for r in passed if r.ranks < lowest_failing), default=0)
    if (top > 1 and failure.ranks > max(checked_ranks) and any(r.ranks == top and r.args == failure.args for r in passed)
            and (not positions or any(n(r) >= r.ranks for r in failed))):
        return f"fails only above {top} ranks: something is sized for at most {top} ranks (a fixed-size table or buffer)"
    parallel_failed = [r for r in failed if r.ranks > 1]
    if positions and parallel_failed and failure.ranks > 1:
        def ceil_short(r: RunResult) -> bool:  # ceil(n/p) blocks run past n although n >= p
            return n(r) >= r.ranks and (r.ranks - 1) * math.ceil(n(r) / r.ranks) >= n(r)

        def divisible(r: RunResult) -> bool:
            return n(r) % r.ranks == 0

        parallel_passed = [r for r in passed if r.ranks > 1]
        if any(ceil_short(r) for r in parallel_failed) and any(not divisible(r) for r in parallel_passed):
            return ("fails when n is small next to the rank count: blocks of ceil(n/p) leave the last ranks "
                    "with no or a negative number of elements")
        if all(n(r) < r.ranks for r in parallel_failed) and any(n(r) >= r.ranks for r in parallel_passed):
            return "fails when n < ranks: empty blocks (a rank with no elements) are not handled"
        if all(not divisible(r) for r in parallel_failed) and any(divisible(r) for r in parallel_passed) and all(
            divisible(r) for r in parallel_passed
        ):
            return "fails only when n is not a multiple of the rank count: the remainder is not distributed"
    multi = [r for r in runs if r.ranks > 1 and r.role != "sanitize"]
    if multi and all(r.verdict != Verdict.PASS for r in multi) and any(r.ranks == 1 and r.verdict == Verdict.PASS for r in runs):
        return "only 1 rank passes: the ranks do not combine their parts correctly (decomposition or communication)"
    shown = " ".join(failure.args) or "(none)"
    return f"fails at {failure.ranks} ranks with arguments {shown} ({failure.verdict.value}); no simpler pattern among {len(runs)} runs"

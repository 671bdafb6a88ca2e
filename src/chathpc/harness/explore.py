"""``--explore``: probe inputs the given argument sets miss, then shrink a failure to its smallest form.

After the given runs pass, probes are derived from the given argument sets (the integer arguments:
positions holding an integer in every set), in this order of groups, each group shuffled by the seed:

1. the given sets at the extra rank counts ``harness.explore_ranks`` (oversubscribed, e.g. 5 and 8);
2. tiny sizes: each integer argument set to 1, 2, 3 (the others as given) at every rank count;
3. one large size per integer argument: 10x its largest given value, with the other integer
   arguments at their smallest given values so the probe stays cheap; the first integer argument
   (the problem size, by the program contract) grows on 4x at a time while the sequential program
   stays under ``LARGE_SECONDS`` (growing another argument, e.g. an iteration count, would only
   multiply messages); run at 2 ranks and the largest ``harness.ranks``;
4. sizes around the rank counts: p-1, p, p+1, 2p+1 and 4p+1 (``RANK_PRECONDITION`` p + 1) at p ranks, for every
   rank count p (sizes up to 3 are in group 2 already).

For the openmp and kokkos targets "rank counts" are thread counts (``harness.threads`` and, for group 1,
``harness.explore_threads``, up to 8); for hybrid they are rank counts at 2 threads per rank.

An input the sequential program rejects (non-zero exit, timeout, output flood) is skipped and not
counted: only the sequential program decides which inputs are valid, since the candidate takes the
same arguments. A candidate that refuses an input the sequential program accepts (exits non-zero
before printing anything, without a crash or an MPI error) fails like any other wrong answer, with one
exception: a precondition on the rank count, i.e. a refusal at p ranks of a problem size n (the first
integer argument) below ``RANK_PRECONDITION`` x p (the suite's ``if (n < size) MPI_Abort(...)`` of
stencil codes, ``rows < 3 * size`` of banded matrices) is listed as declined.
Probing stops at the first failure or when ``harness.explore_budget`` seconds are spent;
a failure is then shrunk (keeping its verdict): to the smallest rank count that still fails, then
each integer argument to the smallest failing value (1, 2, 3, then a bisection), then the rank count
once more, within another half budget.
Probe runs get a short timeout; a probe that times out is run again with ``harness.timeout`` before it
counts, so a slow moment of a busy machine is not reported as a hang.
"""

from __future__ import annotations

import random
import re
import time
from typing import Protocol

from chathpc.config import HarnessConfig
from chathpc.harness.results import ExploreSummary, RunResult, Verdict

PROBE_TIMEOUT = 5.0  # seconds a probe no larger than the given inputs may take before it is rerun with harness.timeout
LARGE_SECONDS = 0.25  # the large probe grows until the sequential program takes about this long (never past 4x that)
LARGE_GROWTH_STEPS = 8
LARGE_CAP = 1 << 28  # no integer argument grows past this (C int programs)
TINY = (1, 2, 3)
RANK_PRECONDITION = 4  # a candidate may refuse a problem size below this many elements per rank (n < 4p)
_INTEGER = re.compile(r"[0-9]+")


class ProbeRunner(Protocol):
    """What exploration needs from the harness: the sequential program's verdict on an input and candidate runs."""

    def accepts(self, args: list[str]) -> bool:
        """Whether the sequential program runs cleanly with ``args`` (its output is then the expected one)."""

    def sequential_seconds(self, args: list[str]) -> float | None:
        """Wall time of a fresh sequential run with ``args``; None when the sequential program rejects them."""

    def run(self, args: list[str], ranks: int, role: str, timeout: float) -> RunResult:
        """One judged candidate run (``ranks``: the configuration's width, threads for openmp/kokkos)."""

    def width(self, run: RunResult) -> int:
        """The width of a run's configuration: its ranks, or its threads for a one-process threaded target."""


def integer_positions(arg_sets: list[list[str]]) -> list[int]:
    """Argument positions that hold a non-negative integer in every set (all sets of one length)."""
    if not arg_sets or len({len(a) for a in arg_sets}) != 1:
        return []
    return [i for i in range(len(arg_sets[0])) if all(_INTEGER.fullmatch(a[i]) for a in arg_sets)]


def refused(run: RunResult) -> bool:
    """A run the candidate refused: a non-zero exit (MPI_Abort, exit) without output, signal or MPI error."""
    return run.failure_kind in ("abort", "exit", "status") and run.signal is None and not run.stdout.strip()


def declined(run: RunResult, positions: list[int]) -> bool:
    """A refusal that is a precondition on the rank count: the problem size (the first integer argument of
    ``positions``) is below ``RANK_PRECONDITION`` x the ranks. Any other refusal of an input the sequential
    program accepts is a failure."""
    if not refused(run) or not positions:
        return False
    return int(run.args[positions[0]]) < RANK_PRECONDITION * run.ranks


def _with(args: list[str], position: int, value: int) -> list[str]:
    changed = list(args)
    changed[position] = str(value)
    return changed


class _Explorer:
    def __init__(self, given: list[list[str]], cfg: HarnessConfig, runner: ProbeRunner, done: set[tuple[tuple[str, ...], int]]) -> None:
        self.given, self.cfg, self.runner = given, cfg, runner
        self.positions = integer_positions(given)
        self.rank_counts = sorted(set(cfg.ranks) | set(cfg.explore_ranks))
        self.seen = set(done)
        self.runs: list[RunResult] = []
        self.summary = ExploreSummary(seed=cfg.explore_seed, budget_seconds=cfg.explore_budget)
        self.timeouts: dict[tuple[str, ...], float] = {}
        self.rejected: set[tuple[str, ...]] = set()

    def _accepts(self, args: list[str]) -> bool:
        key = tuple(args)
        if key in self.rejected:
            return False
        if self.runner.accepts(args):
            return True
        self.rejected.add(key)
        self.summary.rejected.append(list(args))
        return False

    def _timeout(self, args: list[str]) -> float:
        return min(self.cfg.timeout, self.timeouts.get(tuple(args), PROBE_TIMEOUT))

    def _run(self, args: list[str], ranks: int, role: str, timeout: float | None = None) -> RunResult:
        timeout = max(self._timeout(args), timeout or 0.0)
        run = self.runner.run(args, ranks, role, timeout)
        self.runs.append(run)
        if role == "probe" and run.verdict == Verdict.TIMEOUT and timeout < self.cfg.timeout:  # confirm a hang
            run = self.runner.run(args, ranks, role, self.cfg.timeout)
            self.runs.append(run)
        return run

    def _large(self, position: int) -> list[str] | None:
        """The large probe for one integer argument, or None when no grown value is accepted."""
        base = list(self.given[-1])
        for other in self.positions:
            if other != position:
                base[other] = str(min(int(a[other]) for a in self.given))
        value = 10 * max(max(int(a[position]) for a in self.given), 1)
        chosen = None
        steps = LARGE_GROWTH_STEPS if position == self.positions[0] else 1  # only the problem size (argv[1]) grows past 10x
        for _ in range(steps):
            if value > LARGE_CAP:
                break
            args = _with(base, position, value)
            seconds = self.runner.sequential_seconds(args)
            if seconds is None or seconds > 4 * LARGE_SECONDS:
                break
            chosen = args
            self.timeouts[tuple(args)] = PROBE_TIMEOUT + 20 * seconds
            if seconds >= LARGE_SECONDS:
                break
            value *= 4
        return chosen

    def plan(self) -> list[tuple[list[str], int]]:
        """The probes in the order they run (see the module docs)."""
        rng = random.Random(self.cfg.explore_seed)
        groups: list[list[tuple[list[str], int]]] = []
        groups.append([(list(a), p) for a in self.given for p in self.cfg.explore_ranks])
        groups.append([(_with(self.given[0], i, v), p) for i in self.positions for v in TINY for p in self.rank_counts])
        large = [self._large(i) for i in self.positions]
        top = max(self.cfg.ranks)
        groups.append([(a, p) for a in large if a is not None for p in sorted({min(2, top), top})])
        around = []
        for i in self.positions:
            for p in self.rank_counts:
                around += [(_with(self.given[0], i, v), p) for v in (p - 1, p, p + 1, 2 * p + 1, RANK_PRECONDITION * p + 1) if v > 3]
        groups.append(around)
        planned: list[tuple[list[str], int]] = []
        for group in groups:
            rng.shuffle(group)
            for args, ranks in group:
                key = (tuple(args), ranks)
                if key not in self.seen:
                    self.seen.add(key)
                    planned.append((args, ranks))
        return planned

    def probe(self, deadline: float) -> RunResult | None:
        """Run the plan until the first failure (returned) or the deadline."""
        planned = self.plan()
        self.summary.planned = len(planned)
        for index, (args, ranks) in enumerate(planned):
            if time.monotonic() >= deadline:
                self.summary.budget_exhausted = True
                return None
            if not self._accepts(args):
                continue
            self.summary.tried += 1
            run = self._run(args, ranks, "probe")
            if declined(run, self.positions):
                self.summary.declined.append(run)
            elif run.verdict != Verdict.PASS:
                return run
        return None

    def shrink(self, failure: RunResult, deadline: float) -> RunResult:
        """The smallest run found from ``failure`` that fails the same way (same verdict): fewest ranks first,
        then each integer argument."""
        best = failure

        def fewer_ranks(best: RunResult) -> RunResult:
            for ranks in [p for p in self.rank_counts if p < self.runner.width(best)]:
                if time.monotonic() >= deadline:
                    break
                if run := fails(best.args, ranks):
                    return run
            return best

        def fails(args: list[str], ranks: int) -> RunResult | None:
            if not self._accepts(args):
                return None
            run = self._run(args, ranks, "shrink", self._timeout(failure.args))
            return run if run.verdict == failure.verdict and not declined(run, self.positions) else None
        best = fewer_ranks(best)
        for position in self.positions:
            high = int(best.args[position])
            candidates = [v for v in TINY if v < high]
            low = max(TINY) + 1
            for value in candidates:  # the tiniest values first: failures are not always monotonic in size
                if time.monotonic() >= deadline:
                    return best
                if run := fails(_with(best.args, position, value), self.runner.width(best)):
                    best, high = run, value
                    break
            while low < high and time.monotonic() < deadline:
                middle = (low + high) // 2
                if run := fails(_with(best.args, position, middle), self.runner.width(best)):
                    best, high = run, middle
                else:
                    low = middle + 1
        return fewer_ranks(best)  # a smaller size may fail at fewer ranks too


def explore(
    given: list[list[str]], cfg: HarnessConfig, runner: ProbeRunner, done: set[tuple[tuple[str, ...], int]],
) -> tuple[list[RunResult], ExploreSummary]:
    """Probe and shrink (see the module docs). ``done`` holds the (args, ranks) already run. Returns every run
    made, in order, and the summary (``failed_at`` / ``shrunk_to`` set when a probe failed)."""
    started = time.monotonic()
    explorer = _Explorer(given, cfg, runner, done)
    failure = explorer.probe(started + cfg.explore_budget)
    if failure is not None:
        explorer.summary.failed_at = failure
        explorer.summary.shrunk_to = explorer.shrink(failure, max(started + cfg.explore_budget, time.monotonic() + cfg.explore_budget / 2))
    explorer.summary.seconds = round(time.monotonic() - started, 3)
    return explorer.runs, explorer.summary

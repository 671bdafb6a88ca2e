"""Typed, JSON-serializable results of a harness check."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


class Verdict(str, Enum):
    """The outcome for one candidate (or one run of it)."""

    PASS = "pass"
    BUILD_ERROR = "build_error"
    RUNTIME_ERROR = "runtime_error"
    TIMEOUT = "timeout"
    WRONG_OUTPUT = "wrong_output"
    NOT_MPI = "not_mpi"
    NOT_PARALLEL = "not_parallel"
    EXTRACT_ERROR = "extract_error"
    MEMORY_ERROR = "memory_error"
    NOT_FASTER = "not_faster"

    @property
    def built(self) -> bool:
        """Whether a program with this verdict compiled (what build@k counts)."""
        return self not in (Verdict.BUILD_ERROR, Verdict.EXTRACT_ERROR)


TIMING_FLOOR_SECONDS = 0.01  # a sequential run shorter than this is noise next to MPI start-up: no speedup is quoted
TIMING_TARGET_SECONDS = 0.1  # the sequential time the suggested perf args aim at
TOKEN_CHARS = 60  # longest token shown in a mismatch: a program cannot smuggle a file into feedback as one token
FEEDBACK_STDERR_CHARS = 800  # tail of a crashing run's stderr that feedback carries


def _short(token: str | None) -> str:
    if token is None:
        return "None"
    return repr(token) if len(token) <= TOKEN_CHARS else repr(token[:TOKEN_CHARS]) + f"[... {len(token) - TOKEN_CHARS} more characters]"


class Mismatch(BaseModel):
    """The first difference between the expected and the actual output."""

    index: int = Field(description="0-based token position")
    line: int = Field(description="1-based line of the token in the expected output (or of the end)")
    expected: str | None = Field(description="Expected token (None past the end)")
    actual: str | None = Field(description="Actual token (None past the end)")
    reason: str = Field(description="Why the tokens differ")

    def describe(self) -> str:
        """One line: where, what was expected, what came (each token cut to ``TOKEN_CHARS``)."""
        return f"token {self.index} (line {self.line}): expected {_short(self.expected)}, got {_short(self.actual)} ({self.reason})"


OUT_OF_BOUNDS_KINDS = ("heap-buffer-overflow", "stack-buffer-overflow", "global-buffer-overflow", "stack-buffer-underflow",
                       "container-overflow", "dynamic-stack-buffer-overflow")


class SanitizerReport(BaseModel):
    """The first report a sanitizer printed."""

    tool: str = Field(description="AddressSanitizer or UndefinedBehaviorSanitizer")
    kind: str = Field(description="ASan's error kind (e.g. heap-buffer-overflow) or UBSan's message")
    location: str = Field("", description="file:line of the first frame in the program, when known")
    function: str = Field("", description="Function of that frame")
    access: str = Field("", description="The faulting access, e.g. 'WRITE of size 8'")

    @property
    def out_of_bounds(self) -> bool:
        """Whether the report is an access outside an object (ASan overflow kinds, UBSan index/bounds errors)."""
        return self.kind in OUT_OF_BOUNDS_KINDS or "out of bounds" in self.kind

    def line(self) -> str:
        """One line for feedback: tool, kind, access and the first frame in the program."""
        text = f"{self.tool}: {self.kind}"
        if self.access:
            text += f" ({self.access})"
        if self.location:
            text += f" at {self.location}" + (f" in {self.function}" if self.function else "")
        return text


class RunResult(BaseModel):
    """One correctness run: one argument set at one rank count (and thread count, for a threaded target)."""

    args: list[str]
    ranks: int
    threads: int | None = Field(None, description="Threads per process (openmp, kokkos, hybrid); None for an MPI-only run")
    verdict: Verdict
    exit_code: int | None = Field(None, description="Launcher exit status; negative for a signal; None when killed on timeout")
    seconds: float = Field(0.0, description="Wall time of the whole job including the launcher")
    failed_rank: int | None = Field(None, description="Rank that crashed or aborted, when the launcher says")
    failure_kind: Literal["abort", "mpi_error", "signal", "exit", "status"] | None = Field(
        None, description="How a run that exited non-zero ended: MPI_Abort, an MPI error (errors are fatal), a signal, "
                          "a rank's exit status, or only the launcher's exit status")
    signal: str | None = Field(None, description="Signal that ended the failing rank, when known")
    mismatch: Mismatch | None = None
    detail: str = Field("", description="Short explanation of a failure")
    stdout: str = Field("", description="Captured stdout (capped)")
    stderr: str = Field("", description="Captured stderr (capped)")
    output_truncated: bool = False
    role: Literal["given", "probe", "shrink", "diagnosis", "sanitize"] = Field(
        "given", description="Why the run was made: a given argument set, an explore probe, a shrinking step, "
                             "a diagnosis run, or a sanitized run")
    max_rss_mib: float | None = Field(None, description="Largest peak resident set over the ranks, MiB (None when no rank reached its end)")
    sanitizer: SanitizerReport | None = Field(None, description="The first sanitizer report (sanitized runs)")
    every_rank_printed: bool = Field(False, description="The output is the expected output once per rank")

    def configuration(self, mpi: bool = True) -> str:
        """The run's configuration in words: '2 ranks', '2 threads' (``mpi`` False) or '2 ranks x 2 threads'."""
        return configuration_words(self.ranks, self.threads, mpi)


class CommProfile(BaseModel):
    """Messages and bytes one rank sent, from the PMPI layer."""

    rank: int
    p2p_messages: int
    p2p_bytes: int
    collective_calls: int
    collective_bytes: int


def configuration_words(ranks: int, threads: int | None, mpi: bool = True) -> str:
    """A configuration in words: '2 ranks', '2 threads' (``mpi`` False) or '2 ranks x 2 threads'."""
    rank_words = f"{ranks} rank{'s' if ranks != 1 else ''}"
    if threads is None:
        return rank_words
    thread_words = f"{threads} thread{'s' if threads != 1 else ''}"
    return f"{rank_words} x {thread_words}" if mpi else thread_words


class RankTiming(BaseModel):
    """Timing at one rank count: median of the repeats, MPI_Init to MPI_Finalize, max over ranks."""

    ranks: int
    threads: int | None = Field(None, description="Threads per process (openmp, kokkos, hybrid)")
    seconds: float
    samples: list[float]
    speedup: float
    efficiency: float
    comm: list[CommProfile] = Field(default_factory=list)
    rss_mib: list[float] = Field(default_factory=list, description="Peak resident set of each rank (by rank) in the last timed run, MiB")

    def configuration(self, mpi: bool = True) -> str:
        """The timed configuration in words (see ``configuration_words``)."""
        return configuration_words(self.ranks, self.threads, mpi)

    @property
    def max_rss_mib(self) -> float | None:
        """The largest peak resident set over the ranks, MiB."""
        return max(self.rss_mib) if self.rss_mib else None

    @property
    def bytes_sent(self) -> int:
        """Point-to-point plus collective bytes sent, summed over the ranks."""
        return sum(c.p2p_bytes + c.collective_bytes for c in self.comm)


class PerfResult(BaseModel):
    """The timing run: sequential time, time/speedup/efficiency per rank count, flags."""

    args: list[str]
    sequential_seconds: float
    sequential_samples: list[float]
    sequential_rss_mib: float | None = Field(None, description="Peak resident set of the sequential program, MiB")
    timings: list[RankTiming] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list, description="Findings such as 'no speedup'")
    error: str | None = Field(None, description="Why the timing run could not complete, if it could not")
    baseline_timings: list[RankTiming] = Field(
        default_factory=list, description="The input program of an optimization, timed in the same rounds at the same configurations")

    @property
    def timeable(self) -> bool:
        """Whether the sequential run is long enough (``TIMING_FLOOR_SECONDS``) for a speedup to mean anything."""
        return self.sequential_seconds >= TIMING_FLOOR_SECONDS

    def improvement(self) -> tuple[float, RankTiming] | None:
        """Speedup over the input program (``baseline_timings``): its fastest timed run over the candidate's (load
        from other jobs only ever adds time, so the best of the samples is the robust estimate) at the largest
        configuration both were timed at, with that timing of the candidate; None when either is missing."""
        baseline = {(t.ranks, t.threads): t for t in self.baseline_timings}
        common = [t for t in self.timings if (t.ranks, t.threads) in baseline and t.samples and min(t.samples) > 0]
        if not common:
            return None
        timing = max(common, key=lambda t: (t.ranks * (t.threads or 1), t.ranks))
        return round(min(baseline[(timing.ranks, timing.threads)].samples) / min(timing.samples), 3), timing

    @property
    def speedups(self) -> dict[int, float]:
        """Workers (ranks x threads: the rank count for MPI, the thread count for openmp/kokkos) -> speedup, the one
        source every table and metric quotes; empty when the run is not ``timeable`` (the timings' seconds and
        communication profile stay in ``timings``)."""
        return {t.ranks * (t.threads or 1): t.speedup for t in self.timings} if self.timeable else {}


def too_short_to_time(sequential_seconds: float, args: list[str]) -> str:
    """The flag of an untimeable run: why no speedup is quoted and which perf args to use instead (the integer
    arguments scaled for ``TIMING_TARGET_SECONDS`` of sequential time, a guess that assumes linear cost)."""
    scale = TIMING_TARGET_SECONDS / max(sequential_seconds, 1e-4)
    suggested = [str(max(int(a) + 1, round(int(a) * scale))) if a.isdigit() and int(a) > 3 else a for a in args[:1]] + args[1:]
    hint = (f"e.g. --perf-args '{' '.join(suggested)}' (the first argument scaled for ~{TIMING_TARGET_SECONDS:g} s if the cost "
            f"is linear)" if suggested != args else "larger perf args")
    return (f"no speedup quoted: the sequential run of {sequential_seconds * 1000:.1f} ms is below the "
            f"{TIMING_FLOOR_SECONDS * 1000:.0f} ms timing floor (start-up noise dominates); time a larger input, {hint}")


class ExploreSummary(BaseModel):
    """What ``--explore`` did: the probes are in ``CheckResult.probes`` (role probe and shrink)."""

    seed: int
    budget_seconds: float
    seconds: float = Field(0.0, description="Wall time spent probing and shrinking")
    planned: int = Field(0, description="Probes derived from the given argument sets")
    tried: int = Field(0, description="Probes run (inputs the sequential program rejected are not counted)")
    rejected: list[list[str]] = Field(default_factory=list, description="Derived inputs the sequential program rejected: skipped")
    declined: list[RunResult] = Field(
        default_factory=list, description="Probes the candidate refused, exiting non-zero without output, signal or MPI error, "
                                          "at a problem size below 4 x ranks (a rank-count precondition such as n >= ranks): "
                                          "not counted as failures; any other refusal is one")
    budget_exhausted: bool = Field(False, description="The budget ran out before every probe was tried")
    failed_at: RunResult | None = Field(None, description="The first failing probe, before shrinking")
    shrunk_to: RunResult | None = Field(None, description="The smallest failing run shrinking found")


class CheckResult(BaseModel):
    """The verdict on one candidate with every detail a user or a repair prompt needs."""

    verdict: Verdict
    passed: bool
    target: str = Field("mpi", description="Programming model checked: mpi, openmp, hybrid or kokkos")
    runs: list[RunResult] = Field(default_factory=list)
    build_log: str = ""
    warnings: list[str] = Field(default_factory=list, description="Static-screen findings (clang-tidy MPI checks)")
    perf: PerfResult | None = None
    isolation: str = Field("none", description="Sandbox level that was active: bwrap, rlimits, or none")
    rtol: float = 0.0
    atol: float = 0.0
    seconds: float = Field(0.0, description="Wall time of the whole check")
    work_dir: str | None = Field(None, description="Kept work directory (keep=True only)")
    detail: str = Field("", description="Explanation of the verdict")
    probes: list[RunResult] = Field(default_factory=list, description="Runs the harness derived (explore, shrink, diagnosis, sanitize), in order")
    explore: ExploreSummary | None = Field(None, description="What --explore tried (None when it did not run)")
    sanitized: bool = Field(False, description="A sanitizer build (ASan + UBSan) ran")
    diagnosis: str = Field("", description="One line naming the likely bug from the pattern of passing and failing runs")

    @property
    def _mpi(self) -> bool:
        return self.target not in ("openmp", "kokkos")

    @classmethod
    def extraction_failed(cls, detail: str) -> CheckResult:
        """The result for an answer that holds no program."""
        return cls(verdict=Verdict.EXTRACT_ERROR, passed=False, detail=detail)

    def first_failure(self) -> RunResult | None:
        """The run that decided a failing verdict: the first given run that failed, else the smallest failing
        explore probe, else the first sanitized run with a report."""
        given = next((r for r in self.runs if r.verdict != Verdict.PASS), None)
        if given is not None:
            return given
        if self.explore is not None and self.explore.shrunk_to is not None:
            return self.explore.shrunk_to
        return next((r for r in self.probes if r.role == "sanitize" and r.verdict != Verdict.PASS), None)

    def sanitizer_report(self) -> RunResult | None:
        """The first sanitized run that produced a sanitizer report (whatever decided the verdict)."""
        return next((r for r in self.probes if r.sanitizer), None)

    def summary(self) -> str:
        """One line: the verdict, where it failed, and the speedup when timed."""
        text = self.verdict.value
        failure = self.first_failure()
        if failure is not None:
            text += f" at {failure.configuration(self._mpi)}, args {' '.join(failure.args) or '(none)'}"
            if failure.role != "given":
                text += f" ({'sanitized run' if failure.role == 'sanitize' else 'explored input'})"
            if failure.detail:
                text += f": {failure.detail}"
        elif self.detail and not self.passed:
            text += f": {self.detail}"
        elif self.passed:
            text += f" ({len(self.runs)} runs)"
        if self.perf is not None and self.perf.timeable and self.perf.timings:
            best = max(self.perf.timings, key=lambda t: t.speedup)
            where = f"{best.ranks} ranks" + (f" x {best.threads} threads" if best.threads else "")
            text += f"; speedup {best.speedup:.2f}x at " + (f"{best.threads} threads" if best.threads and not self._mpi else where)
        if self.perf is not None and self.perf.flags:
            text += f" [{'; '.join(self.perf.flags)}]"
        if self.warnings:
            text += f"; {len(self.warnings)} static warning(s)"
        if self.diagnosis:
            text += f"; diagnosis: {self.diagnosis}"
        return text

    def feedback(self, max_chars: int = 3000) -> str:
        """What a repair prompt needs, and no more: compiler errors, the crashing or hanging run with the
        tail of its stderr, or the first mismatch (never the program's output itself); at most ``max_chars``."""
        if self.verdict == Verdict.PASS:
            text = "The program passed every run."
        elif self.verdict == Verdict.BUILD_ERROR:
            text = "The program does not compile:\n" + self.build_log.strip()
        elif self.verdict in (Verdict.NOT_MPI, Verdict.NOT_PARALLEL, Verdict.EXTRACT_ERROR, Verdict.NOT_FASTER):
            text = self.detail
        else:
            run = self.first_failure()
            assert run is not None
            where = f"with {run.configuration(self._mpi) if run.threads else f'{run.ranks} MPI ranks'} and arguments {' '.join(run.args) or '(none)'}"
            if run.verdict == Verdict.TIMEOUT:
                text = f"The program did not finish {where} (timeout or deadlock)."
            elif run.verdict == Verdict.RUNTIME_ERROR:
                text = f"The program failed {where}: {run.detail}"
                if run.stderr.strip():
                    text += "\nstderr (last lines):\n" + run.stderr.strip()[-FEEDBACK_STDERR_CHARS:]
            elif run.verdict == Verdict.MEMORY_ERROR:
                text = f"A sanitizer (AddressSanitizer/UBSan build) found a memory error {where}: {run.sanitizer.line() if run.sanitizer else run.detail}"
            else:
                text = f"The output is wrong {where}: {run.detail}"
            if run.role in ("probe", "shrink"):
                text += "\n(This input was derived by exploration: the given inputs passed.)"
        report = self.sanitizer_report()
        if report is not None and report is not self.first_failure():
            text += f"\nA sanitized run with {report.configuration(self._mpi)} and arguments {' '.join(report.args) or '(none)'} reported: {report.sanitizer.line()}"
        if self.diagnosis:
            text += f"\nDiagnosis: {self.diagnosis}"
        if self.warnings:
            text += "\nStatic analysis warnings:\n" + "\n".join(self.warnings)
        if self.perf is not None and self.perf.flags:
            text += "\nPerformance: " + "; ".join(self.perf.flags)
        return text[:max_chars]

"""What correctness and timing runs share: work dirs, builds per target, the sequential program, judging a run.

``check`` (correctness) and ``measure_performance`` (timing) are built on these; a target
(``chathpc.harness.targets``) supplies the compiler, flags, command line and environment.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import NamedTuple

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text
from chathpc.harness.build import BuildOutcome, build
from chathpc.harness.compare import compare_outputs
from chathpc.harness.diagnose import every_rank_printed
from chathpc.harness.paths import cache_root
from chathpc.harness.profile import MEMORY_RECORDER, MEMORY_SOURCE
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import RunResult, Verdict
from chathpc.harness.sanitize import parse_report
from chathpc.harness.sandbox import EXEC_LOCK, Limits, ProcessOutcome, isolation_level, reference_outputs_storable, run_sandboxed, warn_if_unprotected
from chathpc.harness.targets import Placement, Target, get_target

KEPT_OUTPUT_CHARS = 2000  # stdout head and stderr tail kept per run in a result
MEMORY_EXTRA = {MEMORY_SOURCE: MEMORY_RECORDER}  # linked into every build the harness runs


class ReferenceProgramError(ChathpcError):
    """The sequential (reference) program failed to build or run: its fault, not the candidate's."""


def preflight(cfg: HarnessConfig, options: ProgramOptions | None = None, target: Target | None = None) -> str:
    """What ``check`` verifies before building anything: the target's compiler (for ``options``' language,
    default C) and launcher are on PATH (Kokkos: its install is found), the launcher template is valid, the
    requested sandbox is available; returns the isolation level runs get."""
    target = target or get_target(cfg.target)
    target.preflight(cfg, target.candidate_options(options or ProgramOptions()).lang)
    isolation = isolation_level(target.isolation_request(cfg))
    warn_if_unprotected(isolation)
    return isolation


def limits(cfg: HarnessConfig, processes: int = 96) -> Limits:
    """The resource limits of one run (or build) that may start ``processes`` processes and threads."""
    return Limits(
        memory_mb=cfg.memory_mb,
        cpu_seconds=cfg.cpu_seconds,
        processes=processes,
        max_output_bytes=cfg.max_output_bytes,
    )


class Workspace:
    """A private work dir holding the binaries, with one fresh sub-dir per run."""

    def __init__(self, keep: bool) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="chathpc-check-"))
        self.path.chmod(0o711)
        self.keep = keep
        self._count = 0
        self._lock = threading.Lock()

    def install(self, binary: Path, name: str) -> Path:
        target = self.path / name
        with EXEC_LOCK:
            shutil.copyfile(binary, target)
        target.chmod(0o755)
        return target

    def run_dir(self, label: str) -> Path:
        with self._lock:
            self._count += 1
            path = self.path / f"run{self._count:03d}-{label}"
        path.mkdir(mode=0o700)
        return path

    def close(self) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def tail(text: str, chars: int = KEPT_OUTPUT_CHARS) -> str:
    return text if len(text) <= chars else "[...]" + text[-chars:]


def head(text: str, chars: int = KEPT_OUTPUT_CHARS) -> str:
    return text if len(text) <= chars else text[:chars] + "[...]"


_FAILED_RANK_PATTERNS = [  # (kind, pattern), most specific first: after an abort the launcher also reports ranks it killed
    ("mpi_error", re.compile(r"\*\*\* An error occurred in (?P<call>MPI_\w+)(?:.*?\*\*\* reported by process \[\d+,(?P<rank>\d+)\])?"
                             r"(?:.*?\*\*\* (?P<error>MPI_ERR_\w+))?", re.S)),
    ("abort", re.compile(r"MPI_ABORT was invoked on rank (?P<rank>\d+)")),
    ("signal", re.compile(r"process rank (?P<rank>\d+) with PID \S+ on node \S+ exited on signal (?P<signal>\d+) \((?P<name>[^)]+)\)")),
    ("exit", re.compile(r"Process name: \[\[\d+,\d+\],(?P<rank>\d+)\]\s+Exit code:\s+(?P<status>\d+)")),
    ("signal", re.compile(r"RANK (?P<rank>\d+) PID \d+ RUNNING AT \S+\s*=\s*KILLED BY SIGNAL: (?P<signal>\d+) \((?P<name>[^)]+)\)")),
]


class Failure(NamedTuple):
    """How a run failed, from what the launcher reported: kind is abort, mpi_error, signal, exit or status."""

    kind: str
    rank: int | None
    signal: str | None
    text: str


def describe_failure(outcome: ProcessOutcome) -> Failure:
    """The failed rank, signal and a one-line description of a failed run."""
    for kind, pattern in _FAILED_RANK_PATTERNS:
        match = pattern.search(outcome.stderr)
        if not match:
            continue
        rank = int(match["rank"]) if match["rank"] is not None else None
        if kind == "mpi_error":
            where = f" on rank {rank}" if rank is not None else ""
            return Failure(kind, rank, None, f"MPI error in {match['call']}{where}" + (f": {match['error']}" if match["error"] else ""))
        if kind == "abort":
            return Failure(kind, rank, None, f"MPI_Abort called on rank {rank}")
        if kind == "exit":
            return Failure(kind, rank, None, f"rank {rank} exited with status {match['status']}")
        return Failure("signal", rank, match["name"], f"rank {rank} killed by signal {match['signal']} ({match['name']})")
    code = outcome.exit_code
    if code is not None and code < 0:
        return Failure("signal", None, str(-code), f"the launcher was killed by signal {-code}")
    said = launcher_message(outcome.stderr)
    return Failure("status", None, None, f"exit status {code}" + (f": {said}" if said else ""))


def launcher_message(stderr: str) -> str:
    """The line that says why a run failed when no rank was reported: the opening line of Open MPI's last
    boxed message (between lines of dashes), else the last line with words short enough to be a launcher's
    (a longer line is the program's own output, which feedback already carries as the stderr tail); at most
    200 characters."""
    lines = [line.strip() for line in stderr.splitlines()]
    worded = [i for i, line in enumerate(lines) if re.search(r"[A-Za-z]", line) and len(line) <= 200]
    if not worded:
        return ""
    rules = [i for i, line in enumerate(lines) if line and set(line) == {"-"}]
    opened = rules[0:-1:2]  # a box opens at every other rule and is closed by the next
    box = next((i for i in worded if opened and i > opened[-1]), None)
    return lines[box if box is not None else worded[-1]][:200]


def judge(outcome: ProcessOutcome, args: list[str], placement: Placement, expected: str, rtol: float, atol: float, cap: int,
           options: ProgramOptions, *, role: str = "given", sanitized: bool = False) -> RunResult:
    run = RunResult(
        args=args,
        ranks=placement.ranks,
        threads=placement.threads,
        verdict=Verdict.PASS,
        exit_code=outcome.exit_code,
        seconds=round(outcome.seconds, 4),
        stdout=head(outcome.stdout),
        stderr=tail(outcome.stderr),
        output_truncated=outcome.truncated,
        role=role,
    )
    report = parse_report(outcome.stderr) if sanitized else None
    if report is not None:
        run.verdict, run.sanitizer, run.detail = Verdict.MEMORY_ERROR, report, report.line()
    elif outcome.truncated:
        run.verdict, run.detail = Verdict.WRONG_OUTPUT, f"output flood: more than {cap} bytes, the run was stopped"
    elif outcome.timed_out:
        run.verdict, run.detail = Verdict.TIMEOUT, f"no result after {outcome.seconds:.1f} s (deadlock or endless loop); all ranks killed"
    elif outcome.exit_code != 0:
        failure = describe_failure(outcome)
        run.failed_rank, run.signal, run.detail = failure.rank, failure.signal, failure.text
        run.verdict, run.failure_kind = Verdict.RUNTIME_ERROR, failure.kind
    else:
        mismatch = compare(expected, outcome.stdout, rtol, atol, options)
        if mismatch is not None:
            run.verdict, run.mismatch, run.detail = Verdict.WRONG_OUTPUT, mismatch, mismatch.describe()
            run.every_rank_printed = every_rank_printed(expected, outcome.stdout, placement.ranks)
    return run


def compare(expected: str, actual: str, rtol: float, atol: float, options: ProgramOptions):
    """The first mismatch of the filtered outputs (``ProgramOptions.filter_output``), or None."""
    expected, actual = options.filter_output(expected), options.filter_output(actual)
    return options.empty_after_filters(expected, actual) or compare_outputs(expected, actual, rtol, atol)


def build_program(source: str, cfg: HarnessConfig, target: Target, isolation: str, extra: dict[str, str] | None = None,
                  options: ProgramOptions | None = None, *, sanitize: bool = False, reference: bool = False) -> BuildOutcome:
    """Build with the target's compiler and flags for the options' language (``sanitize``: with
    ``harness.sanitize_flags``; ``reference``: the sequential program's build), the options' extra files,
    include dirs and defines, and ``extra`` sources."""
    opts = options or ProgramOptions()
    spec = target.reference_spec(cfg, opts.lang) if reference else target.build_spec(cfg, opts.lang, sanitize=sanitize)
    flags = [*spec.flags, *(f"-I{d}" for d in opts.include_dirs), *(f"-D{d}" for d in opts.defines)]
    return build(
        source, cc=spec.compiler, cflags=flags, ldflags=spec.ldflags, timeout=cfg.build_timeout,
        isolation=isolation, limits=limits(cfg), extra_sources={**opts.sources, **(extra or {})},
        source_name=opts.source_name, headers=opts.headers, read_only_dirs=list(spec.read_only_dirs),
    )


def build_reference(source: str, cfg: HarnessConfig, target: Target, isolation: str, extra: dict[str, str] | None = None,
                    options: ProgramOptions | None = None) -> BuildOutcome:
    """The sequential program's build; ``ReferenceProgramError`` when it does not compile."""
    outcome = build_program(source, cfg, target, isolation, extra, options, reference=True)
    if not outcome.ok:
        raise ReferenceProgramError(f"the sequential program does not compile: {outcome.log.strip()[:2000]}")
    return outcome


_outputs_in_memory: dict[tuple[str, str], str] = {}


class Reference:
    """The sequential program installed in a work dir of its own: expected outputs and fresh timed runs."""

    def __init__(self, outcome: BuildOutcome, cfg: HarnessConfig, isolation: str) -> None:
        self.cfg, self.isolation, self.key = cfg, isolation, outcome.key
        self.space = Workspace(keep=False)
        self.binary = self.space.install(outcome.binary, "sequential")

    def _run(self, args: list[str], timeout: float) -> ProcessOutcome:
        return run_sandboxed(
            [str(self.binary), *args], self.space.run_dir("reference"), timeout=timeout,
            limits=limits(self.cfg), isolation=self.isolation, read_only_dirs=[self.space.path],
        )

    def _failure(self, outcome: ProcessOutcome, args: list[str], timeout: float) -> str | None:
        shown = " ".join(args) or "(no arguments)"
        if outcome.truncated:
            return f"the sequential program printed more than {self.cfg.max_output_bytes} bytes with arguments {shown}"
        if outcome.timed_out:
            return f"the sequential program did not finish within {timeout:g} s with arguments {shown}"
        if outcome.exit_code != 0:
            return f"the sequential program failed with arguments {shown} (exit status {outcome.exit_code}): {tail(outcome.stderr, 500).strip()}"
        return None

    def output(self, args: list[str]) -> str:
        """The sequential program's stdout for ``args``, cached by build key and args: on disk as root
        (see ``reference_outputs_storable``), else in this process's memory only."""
        digest = hashlib.sha256(json.dumps(args).encode()).hexdigest()[:24]
        on_disk = reference_outputs_storable()
        stored = cache_root() / "builds" / self.key / f"out-{digest}.txt"
        if on_disk and stored.is_file():
            return stored.read_text()
        if not on_disk and (self.key, digest) in _outputs_in_memory:
            return _outputs_in_memory[(self.key, digest)]
        outcome = self._run(args, self.cfg.timeout)
        problem = self._failure(outcome, args, self.cfg.timeout)
        if problem:
            raise ReferenceProgramError(problem)
        if on_disk:
            atomic_write_text(stored, outcome.stdout)
        else:
            _outputs_in_memory[(self.key, digest)] = outcome.stdout
        return outcome.stdout

    def accepts(self, args: list[str]) -> bool:
        """Whether the sequential program runs cleanly with ``args`` (an explored input it rejects is no probe)."""
        try:
            self.output(args)
        except ReferenceProgramError:
            return False
        return True

    def sequential_seconds(self, args: list[str]) -> float | None:
        """Wall time of a fresh run with ``args`` (None when it fails or takes longer than 4 s)."""
        timeout = min(self.cfg.timeout, 4.0)
        outcome = self._run(args, timeout)
        return None if self._failure(outcome, args, timeout) else outcome.seconds

    def close(self) -> None:
        self.space.close()

"""``check()`` and ``check_many()``: prove an MPI candidate against its sequential program."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text
from chathpc.harness.build import BuildOutcome, build
from chathpc.harness.paths import cache_root
from chathpc.harness.compare import compare_outputs
from chathpc.harness.diagnose import diagnose, diagnosis_plan, every_rank_printed
from chathpc.harness.explore import PROBE_TIMEOUT, explore
from chathpc.harness.languages import get_language
from chathpc.harness.profile import (
    MEMORY_RECORDER,
    MEMORY_SOURCE,
    MEMORY_VARIABLE,
    PROFILE_VARIABLE,
    Profile,
    read_memory,
    read_profile,
    timing_sources,
)
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import CheckResult, PerfResult, RankTiming, RunResult, Verdict, too_short_to_time
from chathpc.harness.sanitize import parse_report, sanitizer_environment
from chathpc.harness.sandbox import (
    Limits,
    ProcessOutcome,
    isolation_level,
    reference_outputs_storable,
    run_sandboxed,
    warn_if_unprotected,
)
from chathpc.harness.screen import static_screen
from chathpc.system import core_count

KEPT_OUTPUT_CHARS = 2000  # stdout head and stderr tail kept per run in a result
NO_SPEEDUP_THRESHOLD = 1.1  # best speedup below this at more than one rank is flagged
REPLICATION_MIN_MIB = 32.0  # sequential peak memory below which memory per rank is not judged (MPI's own share dominates)
_LOCAL_LAUNCHERS = {"mpirun", "mpiexec", "orterun"}
SRUN_REFUSED = ("harness.launcher srun is refused: ranks that srun starts keep the host's network and pids (PMIx needs "
                "both) and, as root, no process limit; inside an allocation use the Slurm backend (schedule.backend: slurm, "
                "chathpc.schedule.slurm), whose job steps run each check under the mpirun sandbox")
CORRECTNESS_EAGER_LIMIT = 64  # vader btl eager limit of correctness runs (bytes, near its minimum): a send of more than 256 bytes (32 doubles) then waits for its receive
_perf_thread_lock = threading.Lock()


class ReferenceProgramError(ChathpcError):
    """The sequential (reference) program failed to build or run: its fault, not the candidate's."""


def initializes_mpi(source: str, language: str = "c") -> bool:
    """True when the code (comments and strings aside) initializes MPI (see ``Language.initializes_mpi``)."""
    return get_language(language).initializes_mpi(source)


def _launcher_command(cfg: HarnessConfig, ranks: int) -> list[str]:
    try:
        command = shlex.split(cfg.launcher.format(n=ranks))
    except (KeyError, IndexError, ValueError) as exc:
        raise ChathpcError(f"harness.launcher {cfg.launcher!r} is not a valid template ({exc}); use e.g. 'mpirun -np {{n}}'") from None
    if not command:
        raise ChathpcError("harness.launcher is empty; use e.g. 'mpirun -np {n}'")
    if os.path.basename(command[0]) == "srun":
        raise ChathpcError(SRUN_REFUSED)
    return command


def _launcher_env(cfg: HarnessConfig, correctness: bool) -> dict[str, str]:
    """Open MPI settings for one-node runs of a local launcher (cheap transports, no binding); correctness runs
    oversubscribe and send every message above ``CORRECTNESS_EAGER_LIMIT`` bytes by rendezvous (a blocking send
    waits for its receive), so a send-before-receive deadlock shows at any size, not only past ~4 KB."""
    launcher = os.path.basename(_launcher_command(cfg, 1)[0])
    if launcher not in _LOCAL_LAUNCHERS:
        return {}
    env = {
        "OMPI_MCA_pml": "ob1",
        "OMPI_MCA_btl": "self,vader",
        "OMPI_MCA_hwloc_base_binding_policy": "none",
        "OMPI_MCA_rmaps_base_oversubscribe": "1" if correctness else "0",
    }
    if correctness:
        env["OMPI_MCA_btl_vader_eager_limit"] = str(CORRECTNESS_EAGER_LIMIT)
    if os.geteuid() == 0:
        env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    return env


def _isolation(cfg: HarnessConfig) -> str:
    """The sandbox level for this config: a cluster launcher (a site wrapper) needs the network, so auto
    means rlimits there."""
    launcher = os.path.basename(_launcher_command(cfg, 1)[0])
    return isolation_level(cfg.sandbox if launcher in _LOCAL_LAUNCHERS or cfg.sandbox != "auto" else "rlimits")


def _require_mpi(cfg: HarnessConfig, compiler: str) -> None:
    launcher = _launcher_command(cfg, 1)[0]
    for tool in (compiler, launcher):
        if shutil.which(tool) is None:
            raise ChathpcError(
                f"'{tool}' not found on PATH: install MPI (apt-get install openmpi-bin libopenmpi-dev) "
                "or load your site's MPI module"
            )


def preflight(cfg: HarnessConfig, options: ProgramOptions | None = None) -> str:
    """What ``check`` verifies before building anything: the compiler (of ``options``' language, default C)
    and launcher are on PATH, the launcher template is valid, the requested sandbox is available; returns
    the isolation level runs get."""
    _require_mpi(cfg, (options or ProgramOptions()).lang.compiler(cfg))
    isolation = _isolation(cfg)
    warn_if_unprotected(isolation)
    return isolation


def _limits(cfg: HarnessConfig, ranks: int) -> Limits:
    return Limits(
        memory_mb=cfg.memory_mb,
        cpu_seconds=cfg.cpu_seconds,
        processes=64 + 32 * ranks,
        max_output_bytes=cfg.max_output_bytes,
    )


class _Workspace:
    """A private work dir holding the binaries, with one fresh sub-dir per run."""

    def __init__(self, keep: bool) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="chathpc-check-"))
        self.path.chmod(0o711)
        self.keep = keep
        self._count = 0
        self._lock = threading.Lock()

    def install(self, binary: Path, name: str) -> Path:
        target = self.path / name
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


def _tail(text: str, chars: int = KEPT_OUTPUT_CHARS) -> str:
    return text if len(text) <= chars else "[...]" + text[-chars:]


def _head(text: str, chars: int = KEPT_OUTPUT_CHARS) -> str:
    return text if len(text) <= chars else text[:chars] + "[...]"


_FAILED_RANK_PATTERNS = [  # (kind, pattern), most specific first: after an abort the launcher also reports ranks it killed
    ("mpi_error", re.compile(r"\*\*\* An error occurred in (?P<call>MPI_\w+)(?:.*?\*\*\* reported by process \[\d+,(?P<rank>\d+)\])?"
                             r"(?:.*?\*\*\* (?P<error>MPI_ERR_\w+))?", re.S)),
    ("abort", re.compile(r"MPI_ABORT was invoked on rank (?P<rank>\d+)")),
    ("signal", re.compile(r"process rank (?P<rank>\d+) with PID \S+ on node \S+ exited on signal (?P<signal>\d+) \((?P<name>[^)]+)\)")),
    ("exit", re.compile(r"Process name: \[\[\d+,\d+\],(?P<rank>\d+)\]\s+Exit code:\s+(?P<status>\d+)")),
    ("signal", re.compile(r"RANK (?P<rank>\d+) PID \d+ RUNNING AT \S+\s*=\s*KILLED BY SIGNAL: (?P<signal>\d+) \((?P<name>[^)]+)\)")),
]


class _Failure(NamedTuple):
    """How a run failed, from what the launcher reported: kind is abort, mpi_error, signal, exit or status."""

    kind: str
    rank: int | None
    signal: str | None
    text: str


def _describe_failure(outcome: ProcessOutcome) -> _Failure:
    """The failed rank, signal and a one-line description of a failed run."""
    for kind, pattern in _FAILED_RANK_PATTERNS:
        match = pattern.search(outcome.stderr)
        if not match:
            continue
        rank = int(match["rank"]) if match["rank"] is not None else None
        if kind == "mpi_error":
            where = f" on rank {rank}" if rank is not None else ""
            return _Failure(kind, rank, None, f"MPI error in {match['call']}{where}" + (f": {match['error']}" if match["error"] else ""))
        if kind == "abort":
            return _Failure(kind, rank, None, f"MPI_Abort called on rank {rank}")
        if kind == "exit":
            return _Failure(kind, rank, None, f"rank {rank} exited with status {match['status']}")
        return _Failure("signal", rank, match["name"], f"rank {rank} killed by signal {match['signal']} ({match['name']})")
    code = outcome.exit_code
    if code is not None and code < 0:
        return _Failure("signal", None, str(-code), f"the launcher was killed by signal {-code}")
    return _Failure("status", None, None, f"exit status {code}")


def _judge(outcome: ProcessOutcome, args: list[str], ranks: int, expected: str, rtol: float, atol: float, cap: int,
           options: ProgramOptions, *, role: str = "given", sanitized: bool = False) -> RunResult:
    run = RunResult(
        args=args,
        ranks=ranks,
        verdict=Verdict.PASS,
        exit_code=outcome.exit_code,
        seconds=round(outcome.seconds, 4),
        stdout=_head(outcome.stdout),
        stderr=_tail(outcome.stderr),
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
        failure = _describe_failure(outcome)
        run.failed_rank, run.signal, run.detail = failure.rank, failure.signal, failure.text
        run.verdict, run.failure_kind = Verdict.RUNTIME_ERROR, failure.kind
    else:
        mismatch = _compare(expected, outcome.stdout, rtol, atol, options)
        if mismatch is not None:
            run.verdict, run.mismatch, run.detail = Verdict.WRONG_OUTPUT, mismatch, mismatch.describe()
            run.every_rank_printed = every_rank_printed(expected, outcome.stdout, ranks)
    return run


def _compare(expected: str, actual: str, rtol: float, atol: float, options: ProgramOptions):
    """The first mismatch of the filtered outputs (``ProgramOptions.filter_output``), or None."""
    expected, actual = options.filter_output(expected), options.filter_output(actual)
    return options.empty_after_filters(expected, actual) or compare_outputs(expected, actual, rtol, atol)


def _build(source: str, cfg: HarnessConfig, isolation: str, extra: dict[str, str] | None = None,
           options: ProgramOptions | None = None, *, sanitize: bool = False) -> BuildOutcome:
    """Build with the language's compiler and flags (``sanitize``: ``harness.sanitize_flags`` instead),
    the options' extra files, include dirs and defines, and ``extra`` sources."""
    opts = options or ProgramOptions()
    base = cfg.sanitize_flags if sanitize else opts.lang.flags(cfg)
    flags = [*base, *(f"-I{d}" for d in opts.include_dirs), *(f"-D{d}" for d in opts.defines)]
    return build(
        source, cc=opts.lang.compiler(cfg), cflags=flags, ldflags=cfg.ldflags, timeout=cfg.build_timeout,
        isolation=isolation, limits=_limits(cfg, 1), extra_sources={**opts.sources, **(extra or {})},
        source_name=opts.source_name, headers=opts.headers,
    )


def _build_reference(source: str, cfg: HarnessConfig, isolation: str, extra: dict[str, str] | None = None,
                     options: ProgramOptions | None = None) -> BuildOutcome:
    outcome = _build(source, cfg, isolation, extra, options)
    if not outcome.ok:
        raise ReferenceProgramError(f"the sequential program does not compile: {outcome.log.strip()[:2000]}")
    return outcome


_outputs_in_memory: dict[tuple[str, str], str] = {}
_MEMORY_EXTRA = {MEMORY_SOURCE: MEMORY_RECORDER}


class _Reference:
    """The sequential program installed in a work dir of its own: expected outputs and fresh timed runs."""

    def __init__(self, outcome: BuildOutcome, cfg: HarnessConfig, isolation: str) -> None:
        self.cfg, self.isolation, self.key = cfg, isolation, outcome.key
        self.space = _Workspace(keep=False)
        self.binary = self.space.install(outcome.binary, "sequential")

    def _run(self, args: list[str], timeout: float) -> ProcessOutcome:
        return run_sandboxed(
            [str(self.binary), *args], self.space.run_dir("reference"), timeout=timeout,
            limits=_limits(self.cfg, 1), isolation=self.isolation, read_only_dirs=[self.space.path],
        )

    def _failure(self, outcome: ProcessOutcome, args: list[str], timeout: float) -> str | None:
        shown = " ".join(args) or "(no arguments)"
        if outcome.truncated:
            return f"the sequential program printed more than {self.cfg.max_output_bytes} bytes with arguments {shown}"
        if outcome.timed_out:
            return f"the sequential program did not finish within {timeout:g} s with arguments {shown}"
        if outcome.exit_code != 0:
            return f"the sequential program failed with arguments {shown} (exit status {outcome.exit_code}): {_tail(outcome.stderr, 500).strip()}"
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


class _CandidateRunner:
    """Runs one installed candidate build at (args, ranks) and judges each run against the reference."""

    def __init__(self, binary: Path, workspace: _Workspace, reference: _Reference, cfg: HarnessConfig, isolation: str,
                 rtol: float, atol: float, options: ProgramOptions, *, sanitized: bool = False) -> None:
        self.binary, self.workspace, self.reference, self.options = binary, workspace, reference, options
        self.cfg, self.isolation, self.rtol, self.atol, self.sanitized = cfg, isolation, rtol, atol, sanitized
        self.env = _launcher_env(cfg, correctness=True)
        if sanitized:
            self.env.update(sanitizer_environment(cfg.memory_mb))

    def accepts(self, args: list[str]) -> bool:
        return self.reference.accepts(args)

    def sequential_seconds(self, args: list[str]) -> float | None:
        return self.reference.sequential_seconds(args)

    def run(self, args: list[str], ranks: int, role: str = "given", timeout: float | None = None) -> RunResult:
        expected = self.reference.output(args)
        run_dir = self.workspace.run_dir(f"np{ranks}")
        limits = _limits(self.cfg, ranks)
        if self.sanitized:  # ASan's shadow memory needs the address space; ASAN_OPTIONS limits the RSS instead
            limits = replace(limits, memory_mb=0)
        outcome = run_sandboxed(
            [*_launcher_command(self.cfg, ranks), str(self.binary), *args], run_dir,
            timeout=timeout or self.cfg.timeout, limits=limits, isolation=self.isolation,
            read_only_dirs=[self.workspace.path], extra_env={**self.env, MEMORY_VARIABLE: str(run_dir)},
        )
        run = _judge(outcome, args, ranks, expected, self.rtol, self.atol, self.cfg.max_output_bytes, self.options,
                     role=role, sanitized=self.sanitized)
        memory = read_memory(run_dir)
        run.max_rss_mib = max(memory) if memory else None
        return run


def _correctness_runs(runner: _CandidateRunner, plan: list[tuple[list[str], int]], jobs: int, role: str = "given") -> list[RunResult]:
    """Run every (args, ranks) pair in order; after the first failure no new run starts."""
    failed = threading.Event()

    def one(args: list[str], ranks: int) -> RunResult | None:
        if failed.is_set():
            return None
        run = runner.run(args, ranks, role)
        if run.verdict != Verdict.PASS:
            failed.set()
        return run

    if jobs == 1:
        runs = [one(a, n) for a, n in plan]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            runs = list(pool.map(lambda item: one(*item), plan))
    return [r for r in runs if r is not None]


def _sanitized_runs(candidate_source: str, result: CheckResult, arg_sets: list[list[str]], reference: _Reference,
                    cfg: HarnessConfig, isolation: str, options: ProgramOptions) -> list[RunResult]:
    """The sanitizer build run at the given inputs (when they passed) and at the failing input, if any."""
    build_outcome = _build(candidate_source, cfg, isolation, options=options, sanitize=True)
    if not build_outcome.ok:
        raise ChathpcError(
            "the sanitizer build failed although the plain build succeeded (is libasan/libubsan installed? "
            f"harness.sanitize_flags={' '.join(cfg.sanitize_flags)}): {build_outcome.log.strip()[:500]}"
        )
    failure = result.first_failure()
    plan = [(failure.args, failure.ranks)] if failure else [(a, n) for a in arg_sets for n in cfg.ranks]
    workspace = _Workspace(keep=False)
    try:
        runner = _CandidateRunner(workspace.install(build_outcome.binary, "candidate-sanitized"), workspace, reference, cfg,
                                  isolation, result.rtol, result.atol, options, sanitized=True)
        return _correctness_runs(runner, plan, cfg.jobs, role="sanitize")
    finally:
        workspace.close()


def _decide(result: CheckResult) -> None:
    """Verdict and passed from the given runs, then the explored failure, then the sanitized runs."""
    failure = result.first_failure()
    result.verdict = failure.verdict if failure else Verdict.PASS
    result.passed = failure is None


def check(
    sequential_source: str,
    candidate_source: str,
    *,
    args: list[list[str]] | None = None,
    config: HarnessConfig | None = None,
    perf: bool = False,
    perf_args: list[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    keep: bool = False,
    options: ProgramOptions | None = None,
) -> CheckResult:
    """Build, run, compare (and with ``perf`` time) a candidate MPI program against its sequential program.

    ``options`` gives the language, extra files, defines, output filters and time pattern (default: one
    C file each). Every argument set runs at every rank count of ``config.ranks``; with ``config.explore`` derived
    inputs and rank counts are probed after that, with ``config.sanitize`` a sanitizer build runs too.
    A failure gets a few diagnosis runs and a one-line ``diagnosis``. Raises ``ReferenceProgramError``
    when the sequential program fails at a given input, ``ChathpcError`` when MPI is missing.
    """
    cfg = config or HarnessConfig()
    rtol = cfg.rtol if rtol is None else rtol
    atol = cfg.atol if atol is None else atol
    arg_sets = [list(a) for a in args] if args else [[]]
    started = time.monotonic()
    opts = options or ProgramOptions()
    isolation = preflight(cfg, opts)
    result = CheckResult(verdict=Verdict.PASS, passed=False, isolation=isolation, rtol=rtol, atol=atol)
    # the static screen and the reference's build run beside the candidate's build; the screen's warnings
    # are collected after the correctness runs (a cold check's critical path: the two builds, then the runs)
    pool = ThreadPoolExecutor(max_workers=2)
    screened = opts.language == "c" and not opts.headers and not opts.sources  # clang-tidy screens one C file
    screening = pool.submit(static_screen, candidate_source, cc=cfg.cc, isolation=isolation, limits=_limits(cfg, 1)) if screened else None
    reference_building = pool.submit(_build_reference, sequential_source, cfg, isolation, options=opts)
    pool.shutdown(wait=False)  # what was submitted still runs to its end
    candidate = _build(candidate_source, cfg, isolation, _MEMORY_EXTRA, opts)
    reference_build = reference_building.result()
    result.build_log = candidate.log
    if not candidate.ok:
        result.verdict, result.detail = Verdict.BUILD_ERROR, "the candidate does not compile"
    elif not opts.is_mpi(candidate_source):
        result.verdict = Verdict.NOT_MPI
        result.detail = opts.not_mpi_reason()
    if result.verdict != Verdict.PASS:
        result.warnings = screening.result() if screening is not None else []
        result.seconds = round(time.monotonic() - started, 3)
        return result
    # the reference runs in a work dir of its own: the candidate's holds nothing but the candidate
    reference, workspace = _Reference(reference_build, cfg, isolation), _Workspace(keep)
    try:
        for a in arg_sets:
            reference.output(a)
        suffix = opts.source_name.removeprefix("prog")
        (workspace.path / f"candidate{suffix}").write_text(candidate_source)
        (workspace.path / f"candidate{suffix}").chmod(0o644)
        runner = _CandidateRunner(workspace.install(candidate.binary, "candidate"), workspace, reference, cfg, isolation, rtol, atol, opts)
        result.runs = _correctness_runs(runner, [(a, n) for a in arg_sets for n in cfg.ranks], cfg.jobs)
        result.warnings = screening.result() if screening is not None else []
        if cfg.explore and result.first_failure() is None:
            probes, result.explore = explore(arg_sets, cfg, runner, {(tuple(r.args), r.ranks) for r in result.runs})
            result.probes += probes
        if cfg.sanitize:
            result.sanitized = True
            result.probes += _sanitized_runs(candidate_source, result, arg_sets, reference, cfg, isolation, opts)
        _decide(result)
        if not result.passed:
            failure = result.first_failure()
            if failure.role != "sanitize":
                done = {(tuple(r.args), r.ranks) for r in [*result.runs, *result.probes]}
                timeout = min(cfg.timeout, PROBE_TIMEOUT)
                result.probes += [
                    runner.run(a, n, "diagnosis", timeout)
                    for a, n in diagnosis_plan(failure, arg_sets, cfg.ranks)
                    if (tuple(a), n) not in done and reference.accepts(a)
                ]
            result.diagnosis = diagnose(failure, [*result.runs, *result.probes], arg_sets, cfg.ranks)
        if keep:
            (workspace.path / f"sequential{suffix}").write_text(sequential_source)
    finally:
        reference.close()
        workspace.close()
    if keep:
        result.work_dir = str(workspace.path)
    if result.passed and perf:
        _add_performance(result, sequential_source, candidate_source, cfg, perf_args, arg_sets, opts)
    result.seconds = round(time.monotonic() - started, 3)
    return result


def _add_performance(result: CheckResult, sequential_source: str, candidate_source: str, cfg: HarnessConfig,
                     perf_args: list[str] | None, arg_sets: list[list[str]] | None, options: ProgramOptions) -> None:
    """Time a passing candidate at ``perf_args`` (default: the last correctness argument set)."""
    chosen = perf_args if perf_args is not None else (list(arg_sets[-1]) if arg_sets else [])
    result.perf = measure_performance(sequential_source, candidate_source, config=cfg, perf_args=chosen, rtol=result.rtol,
                                      atol=result.atol, options=options)


def check_many(pairs: list[tuple[str, str]], *, jobs: int | None = None, schedule=None, **kwargs) -> list[CheckResult]:
    """``check`` for many (sequential, candidate) pairs through ``chathpc.schedule.Scheduler``
    (correctness in parallel, identical pairs once, timing alone), with the local or Slurm backend
    that ``schedule`` (a ``ScheduleConfig``; default: auto) picks and ``jobs`` workers (default: ``schedule.jobs``).

    Takes the keyword arguments of ``check``. A pair whose sequential program fails raises
    ``ReferenceProgramError`` like ``check``.
    """
    from chathpc.schedule import CheckJob, Scheduler

    cfg: HarnessConfig = kwargs.pop("config", None) or HarnessConfig()
    checks = [CheckJob(sequential=seq, candidate=cand, **kwargs) for seq, cand in pairs]
    return Scheduler(cfg, schedule, jobs=jobs).check_all(checks)


class _PerfLock:
    """Serializes timing runs across threads and processes (a lock file in the cache)."""

    def __enter__(self) -> None:
        _perf_thread_lock.acquire()
        self._file = open(cache_root() / "perf.lock", "w")  # noqa: SIM115 - held for the block
        fcntl.flock(self._file, fcntl.LOCK_EX)

    def __exit__(self, *exc) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()
        _perf_thread_lock.release()


@dataclass
class _Timed:
    """What one successful timing run left: its profile, output and per-rank peak memory."""

    profile: Profile
    outcome: ProcessOutcome
    rss_mib: list[float]


@dataclass
class _TimingJob:
    """One program timed at one rank count, and what its runs gave so far."""

    label: str
    ranks: int
    command: list[str]
    env: dict[str, str]
    space: _Workspace
    run_dir: Path
    samples: list[float] = field(default_factory=list)
    last: _Timed | None = None
    error: str | None = None


def _timed_once(job: _TimingJob, cfg: HarnessConfig, isolation: str, options: ProgramOptions) -> _Timed | str:
    """One timing run of ``job``; the reason it failed when it did. With a time pattern the profile's
    seconds are those the program printed."""
    profile_path = job.run_dir / "profile.txt"
    profile_path.unlink(missing_ok=True)
    outcome = run_sandboxed(
        job.command, job.run_dir, timeout=cfg.timeout, limits=_limits(cfg, job.ranks), isolation=isolation,
        read_only_dirs=[job.space.path],
        extra_env={**job.env, PROFILE_VARIABLE: str(profile_path), MEMORY_VARIABLE: str(job.run_dir)},
    )
    memory = read_memory(job.run_dir)
    if outcome.timed_out or outcome.truncated or outcome.exit_code != 0:
        return f"{job.label} timing run failed: " + (
            "timeout" if outcome.timed_out else "output flood" if outcome.truncated else _describe_failure(outcome).text
        )
    profile = read_profile(profile_path)
    if options.time_pattern is not None:
        printed = options.reported_seconds(outcome.stdout)
        if printed is None:
            return f"{job.label} timing run printed no time matching --time-pattern {options.time_pattern!r}"
        profile = Profile(seconds=printed, comm=profile.comm if profile else [])
    if profile is None:
        return f"{job.label} timing run wrote no profile (did it reach MPI_Finalize / the end of main?)"
    return _Timed(profile, outcome, memory)


def scaling_flags(sequential_seconds: float, timings: list[RankTiming]) -> list[str]:
    """Flags for a candidate that does not divide its work: no speedup, no scaling over 1 rank."""
    flags = []
    parallel = [t for t in timings if t.ranks > 1]
    if parallel and max(t.speedup for t in parallel) < NO_SPEEDUP_THRESHOLD:
        best = max(parallel, key=lambda t: t.speedup)
        flags.append(
            f"no speedup ({best.speedup:.2f}x at {best.ranks} ranks): the work may not be divided "
            "(every rank computes everything, or rank 0 alone)"
        )
    single = next((t for t in timings if t.ranks == 1), None)
    # best-of samples: load from other jobs only ever adds time, so the minimum is the robust estimate here
    if single is not None and parallel and max(min(single.samples) / min(t.samples) for t in parallel) < NO_SPEEDUP_THRESHOLD:
        flags.append(
            f"no scaling: more ranks are not faster than 1 rank ({min(single.samples):.4f} s): the work may not be "
            "divided (every rank computes everything, or rank 0 alone)"
        )
    return flags


def memory_flags(sequential_rss_mib: float | None, timings: list[RankTiming]) -> list[str]:
    """A flag when memory per rank does not shrink with the rank count (replicated data).

    The sequential program's peak resident set stands for the data; with the data divided, the
    smallest rank at p ranks should hold about 1/p of it less than one rank alone holds (the largest
    rank may gather results). Flagged when it saves less than half of that, for data of at least
    ``REPLICATION_MIN_MIB``.
    """
    single = next((t for t in timings if t.ranks == 1 and t.rss_mib), None)
    if sequential_rss_mib is None or single is None or sequential_rss_mib < REPLICATION_MIN_MIB:
        return []
    for t in timings:
        if t.ranks > 1 and t.rss_mib:
            saved = max(single.rss_mib) - min(t.rss_mib)
            if saved < 0.5 * sequential_rss_mib * (1 - 1 / t.ranks):
                return [
                    f"memory per rank does not shrink: {max(single.rss_mib):.0f} MiB at 1 rank, at least {min(t.rss_mib):.0f} MiB "
                    f"on every rank at {t.ranks} ranks (sequential {sequential_rss_mib:.0f} MiB): the data may be replicated on every rank"
                ]
    return []


def measure_performance(
    sequential_source: str,
    candidate_source: str,
    *,
    config: HarnessConfig | None = None,
    perf_args: list[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    options: ProgramOptions | None = None,
) -> PerfResult:
    """Time the sequential program and the candidate at each ``perf_ranks`` count (never oversubscribed).

    Times are medians of ``perf_repeats`` runs after ``perf_warmup``; the MPI time is MPI_Init to
    MPI_Finalize (max over ranks) from a PMPI layer that also counts messages and bytes per rank (for
    Fortran the time only), or with ``options.time_pattern`` the time both programs print;
    every rank's peak memory (last run) is reported and flagged when it does not shrink (``memory_flags``).
    """
    opts = options or ProgramOptions()
    cfg = config or HarnessConfig()
    args = list(perf_args or [])
    rtol = cfg.rtol if rtol is None else rtol
    atol = cfg.atol if atol is None else atol
    isolation = preflight(cfg, opts)
    cores = core_count()
    flags: list[str] = []
    usable = [n for n in cfg.perf_ranks if n <= cores]
    if len(usable) < len(cfg.perf_ranks):
        skipped = ", ".join(str(n) for n in cfg.perf_ranks if n > cores)
        flags.append(f"rank counts {skipped} not timed: more than the {cores} cores")
    timer, shim = timing_sources(opts.language)
    reference = _build_reference(sequential_source, cfg, isolation, {**timer, **_MEMORY_EXTRA}, opts)
    candidate = _build(candidate_source, cfg, isolation, {**shim, **_MEMORY_EXTRA}, opts)
    result = PerfResult(args=args, sequential_seconds=0.0, sequential_samples=[], flags=flags)
    if not candidate.ok:
        result.error = "the candidate does not build with the PMPI timing layer: " + candidate.log.strip()[:500]
        return result
    reference_space, workspace = _Workspace(keep=False), _Workspace(keep=False)  # apart, as in check()
    try:
        ref_binary = reference_space.install(reference.binary, "sequential")
        cand_binary = workspace.install(candidate.binary, "candidate")
        env = _launcher_env(cfg, correctness=False)
        jobs = [_TimingJob("sequential", 1, [str(ref_binary), *args], {}, reference_space, reference_space.run_dir("sequential"))]
        jobs += [_TimingJob(f"np{n}", n, [*_launcher_command(cfg, n), str(cand_binary), *args], env, workspace, workspace.run_dir(f"np{n}"))
                 for n in usable]
        with _PerfLock():
            # rounds interleave the programs, so that load drifting on a shared machine hits all alike
            for round_index in range(cfg.perf_warmup + cfg.perf_repeats):
                for job in jobs:
                    if job.error is not None:
                        continue
                    timed = _timed_once(job, cfg, isolation, opts)
                    if isinstance(timed, str):
                        if job.label == "sequential":
                            raise ReferenceProgramError(timed)
                        job.error = timed
                        result.error = result.error or timed
                        continue
                    job.last = timed
                    if round_index >= cfg.perf_warmup:
                        job.samples.append(timed.profile.seconds)
        sequential = jobs[0]
        assert sequential.last is not None
        result.sequential_samples = [round(x, 6) for x in sequential.samples]
        result.sequential_seconds = round(statistics.median(sequential.samples), 6)
        result.sequential_rss_mib = max(sequential.last.rss_mib) if sequential.last.rss_mib else None
        for job in jobs[1:]:
            if job.error is not None or job.last is None:
                continue
            seconds = statistics.median(job.samples)
            speedup = result.sequential_seconds / seconds if seconds > 0 else 0.0
            result.timings.append(RankTiming(
                ranks=job.ranks, seconds=round(seconds, 6), samples=[round(x, 6) for x in job.samples],
                speedup=round(speedup, 3), efficiency=round(speedup / job.ranks, 3), comm=job.last.profile.comm,
                rss_mib=job.last.rss_mib,
            ))
            if _compare(sequential.last.outcome.stdout, job.last.outcome.stdout, rtol, atol, opts) is not None:
                result.flags.append(f"output at {job.ranks} ranks with the timing arguments differs from the sequential program")
    finally:
        reference_space.close()
        workspace.close()
    result.flags += memory_flags(result.sequential_rss_mib, result.timings)
    result.flags += scaling_flags(result.sequential_seconds, result.timings)
    if result.timings and not result.timeable:
        result.flags.append(too_short_to_time(result.sequential_seconds, args))
    return result

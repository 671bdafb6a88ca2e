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
from pathlib import Path

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text
from chathpc.harness.build import BuildOutcome, build
from chathpc.harness.paths import cache_root
from chathpc.harness.compare import compare_outputs
from chathpc.harness.languages import get_language
from chathpc.harness.profile import PROFILE_VARIABLE, Profile, read_profile, timing_sources
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import CheckResult, PerfResult, RankTiming, RunResult, Verdict
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
_LOCAL_LAUNCHERS = {"mpirun", "mpiexec", "orterun"}
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
    return command


def _launcher_env(cfg: HarnessConfig, oversubscribe: bool) -> dict[str, str]:
    """Open MPI settings for one-node runs of a local launcher (cheap transports, no binding)."""
    launcher = os.path.basename(_launcher_command(cfg, 1)[0])
    if launcher not in _LOCAL_LAUNCHERS:
        return {}
    env = {
        "OMPI_MCA_pml": "ob1",
        "OMPI_MCA_btl": "self,vader",
        "OMPI_MCA_hwloc_base_binding_policy": "none",
        "OMPI_MCA_rmaps_base_oversubscribe": "1" if oversubscribe else "0",
    }
    if os.geteuid() == 0:
        env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"})
    return env


def _isolation(cfg: HarnessConfig) -> str:
    """The sandbox level for this config: a cluster launcher other than srun (whose ranks are wrapped one
    by one, see ``sandbox.rank_wrapper``) needs the network, so auto means rlimits there."""
    launcher = os.path.basename(_launcher_command(cfg, 1)[0])
    wrappable = launcher in _LOCAL_LAUNCHERS or launcher == "srun"
    return isolation_level(cfg.sandbox if wrappable or cfg.sandbox != "auto" else "rlimits")


def _cluster_launcher(cfg: HarnessConfig, ranks: int) -> int:
    """How many words of the job command are srun and its options (0 for other launchers)."""
    command = _launcher_command(cfg, ranks)
    return len(command) if os.path.basename(command[0]) == "srun" else 0


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


_FAILED_RANK_PATTERNS = [  # most specific first: after an abort the launcher also reports ranks it killed
    re.compile(r"MPI_ABORT was invoked on rank (\d+)"),
    re.compile(r"process rank (\d+) with PID \S+ on node \S+ exited on signal (\d+) \(([^)]+)\)"),
    re.compile(r"Process name: \[\[\d+,\d+\],(\d+)\]\s+Exit code:\s+(\d+)"),
    re.compile(r"RANK (\d+) PID \d+ RUNNING AT \S+\s*=\s*KILLED BY SIGNAL: (\d+) \(([^)]+)\)"),
]


def _describe_failure(outcome: ProcessOutcome) -> tuple[int | None, str | None, str]:
    for pattern in _FAILED_RANK_PATTERNS:
        match = pattern.search(outcome.stderr)
        if not match:
            continue
        rank = int(match.group(1))
        if "MPI_ABORT" in pattern.pattern:
            return rank, None, f"MPI_Abort called on rank {rank}"
        if "Exit code" in pattern.pattern:
            return rank, None, f"rank {rank} exited with status {match.group(2)}"
        return rank, match.group(3), f"rank {rank} killed by signal {match.group(2)} ({match.group(3)})"
    code = outcome.exit_code
    if code is not None and code < 0:
        return None, str(-code), f"the launcher was killed by signal {-code}"
    return None, None, f"exit status {code}"


def _judge(outcome: ProcessOutcome, args: list[str], ranks: int, expected: str, rtol: float, atol: float, cap: int,
           options: ProgramOptions) -> RunResult:
    run = RunResult(
        args=args,
        ranks=ranks,
        verdict=Verdict.PASS,
        exit_code=outcome.exit_code,
        seconds=round(outcome.seconds, 4),
        stdout=_head(outcome.stdout),
        stderr=_tail(outcome.stderr),
        output_truncated=outcome.truncated,
    )
    if outcome.truncated:
        run.verdict, run.detail = Verdict.WRONG_OUTPUT, f"output flood: more than {cap} bytes, the run was stopped"
    elif outcome.timed_out:
        run.verdict, run.detail = Verdict.TIMEOUT, f"no result after {outcome.seconds:.1f} s (deadlock or endless loop); all ranks killed"
    elif outcome.exit_code != 0:
        run.failed_rank, run.signal, run.detail = _describe_failure(outcome)
        run.verdict = Verdict.RUNTIME_ERROR
    else:
        mismatch = _compare(expected, outcome.stdout, rtol, atol, options)
        if mismatch is not None:
            run.verdict, run.mismatch, run.detail = Verdict.WRONG_OUTPUT, mismatch, mismatch.describe()
    return run


def _compare(expected: str, actual: str, rtol: float, atol: float, options: ProgramOptions):
    """The first mismatch of the filtered outputs (``ProgramOptions.filter_output``), or None."""
    expected, actual = options.filter_output(expected), options.filter_output(actual)
    return options.empty_after_filters(expected, actual) or compare_outputs(expected, actual, rtol, atol)


def _build(source: str, cfg: HarnessConfig, isolation: str, extra: dict[str, str] | None = None,
           options: ProgramOptions | None = None) -> BuildOutcome:
    opts = options or ProgramOptions()
    flags = [*opts.lang.flags(cfg), *(f"-I{d}" for d in opts.include_dirs), *(f"-D{d}" for d in opts.defines)]
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


def _reference_output(binary: Path, key: str, args: list[str], cfg: HarnessConfig, workspace: _Workspace, isolation: str) -> str:
    """The sequential program's stdout for ``args``, cached by build key and args: on disk as root
    (see ``reference_outputs_storable``), else in this process's memory only."""
    digest = hashlib.sha256(json.dumps(args).encode()).hexdigest()[:24]
    on_disk = reference_outputs_storable()
    stored = cache_root() / "builds" / key / f"out-{digest}.txt"
    if on_disk and stored.is_file():
        text = stored.read_text()
    elif not on_disk and (key, digest) in _outputs_in_memory:
        text = _outputs_in_memory[(key, digest)]
    else:
        outcome = run_sandboxed(
            [str(binary), *args], workspace.run_dir("reference"), timeout=cfg.timeout,
            limits=_limits(cfg, 1), isolation=isolation, read_only_dirs=[workspace.path],
        )
        shown = " ".join(args) or "(no arguments)"
        if outcome.truncated:
            raise ReferenceProgramError(f"the sequential program printed more than {cfg.max_output_bytes} bytes with arguments {shown}")
        if outcome.timed_out:
            raise ReferenceProgramError(f"the sequential program did not finish within {cfg.timeout:g} s with arguments {shown}")
        if outcome.exit_code != 0:
            raise ReferenceProgramError(
                f"the sequential program failed with arguments {shown} (exit status {outcome.exit_code}): {_tail(outcome.stderr, 500).strip()}"
            )
        text = outcome.stdout
        if on_disk:
            atomic_write_text(stored, text)
        else:
            _outputs_in_memory[(key, digest)] = text
    return text


def _correctness_runs(
    binary: Path, plan: list[tuple[list[str], int]], expected: dict[tuple[str, ...], str],
    cfg: HarnessConfig, workspace: _Workspace, isolation: str, rtol: float, atol: float, options: ProgramOptions,
) -> list[RunResult]:
    """Run every (args, ranks) pair in order; after the first failure no new run starts."""
    failed = threading.Event()
    env = _launcher_env(cfg, oversubscribe=True)

    def one(args: list[str], ranks: int) -> RunResult | None:
        if failed.is_set():
            return None
        outcome = run_sandboxed(
            [*_launcher_command(cfg, ranks), str(binary), *args], workspace.run_dir(f"np{ranks}"),
            timeout=cfg.timeout, limits=_limits(cfg, ranks), isolation=isolation,
            read_only_dirs=[workspace.path], extra_env=env, cluster_launcher=_cluster_launcher(cfg, ranks),
        )
        run = _judge(outcome, args, ranks, expected[tuple(args)], rtol, atol, cfg.max_output_bytes, options)
        if run.verdict != Verdict.PASS:
            failed.set()
        return run

    if cfg.jobs == 1:
        runs = [one(a, n) for a, n in plan]
    else:
        with ThreadPoolExecutor(max_workers=cfg.jobs) as pool:
            runs = list(pool.map(lambda item: one(*item), plan))
    return [r for r in runs if r is not None]


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

    Every argument set runs at every rank count of ``config.ranks``. ``options`` gives the language,
    extra files, defines, output filters and time pattern (default: one C file each). Raises
    ``ReferenceProgramError`` when the sequential program fails, ``ChathpcError`` when MPI is missing.
    """
    cfg = config or HarnessConfig()
    rtol = cfg.rtol if rtol is None else rtol
    atol = cfg.atol if atol is None else atol
    arg_sets = [list(a) for a in args] if args else [[]]
    started = time.monotonic()
    opts = options or ProgramOptions()
    isolation = preflight(cfg, opts)
    result = CheckResult(verdict=Verdict.PASS, passed=False, isolation=isolation, rtol=rtol, atol=atol)
    with ThreadPoolExecutor(max_workers=1) as screen_pool:
        screened = opts.language == "c" and not opts.headers and not opts.sources  # clang-tidy screens one C file
        screening = screen_pool.submit(static_screen, candidate_source, cc=cfg.cc, isolation=isolation, limits=_limits(cfg, 1)) if screened else None
        reference = _build_reference(sequential_source, cfg, isolation, options=opts)
        candidate = _build(candidate_source, cfg, isolation, options=opts)
        result.build_log = candidate.log
        result.warnings = screening.result() if screening is not None else []
    if not candidate.ok:
        result.verdict, result.detail = Verdict.BUILD_ERROR, "the candidate does not compile"
    elif not opts.is_mpi(candidate_source):
        result.verdict = Verdict.NOT_MPI
        result.detail = opts.not_mpi_reason()
    if result.verdict != Verdict.PASS:
        result.seconds = round(time.monotonic() - started, 3)
        return result
    # the reference runs in a work dir of its own: the candidate's holds nothing but the candidate
    reference_space, workspace = _Workspace(keep=False), _Workspace(keep)
    try:
        ref_binary = reference_space.install(reference.binary, "sequential")
        expected = {tuple(a): _reference_output(ref_binary, reference.key, a, cfg, reference_space, isolation) for a in arg_sets}
        reference_space.close()
        suffix = opts.source_name.removeprefix("prog")
        (workspace.path / f"candidate{suffix}").write_text(candidate_source)
        (workspace.path / f"candidate{suffix}").chmod(0o644)
        cand_binary = workspace.install(candidate.binary, "candidate")
        plan = [(a, n) for a in arg_sets for n in cfg.ranks]
        result.runs = _correctness_runs(cand_binary, plan, expected, cfg, workspace, isolation, rtol, atol, opts)
        if keep:
            (workspace.path / f"sequential{suffix}").write_text(sequential_source)
    finally:
        reference_space.close()
        workspace.close()
    failure = result.first_failure()
    result.verdict = failure.verdict if failure else Verdict.PASS
    result.passed = failure is None
    if keep:
        result.work_dir = str(workspace.path)
    if result.passed and perf:
        result.perf = measure_performance(
            sequential_source, candidate_source, config=cfg,
            perf_args=perf_args if perf_args is not None else arg_sets[-1], rtol=rtol, atol=atol, options=opts,
        )
    result.seconds = round(time.monotonic() - started, 3)
    return result


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


def _timed_once(command: list[str], run_dir: Path, label: str, cfg: HarnessConfig, isolation: str,
                ranks: int, env: dict[str, str], read_only: Path, options: ProgramOptions):
    """One timing run; returns (profile, outcome) or the reason it failed. With a time pattern the
    profile's seconds are those the program printed."""
    profile_path = run_dir / "profile.txt"
    profile_path.unlink(missing_ok=True)
    outcome = run_sandboxed(
        command, run_dir, timeout=cfg.timeout, limits=_limits(cfg, ranks), isolation=isolation,
        read_only_dirs=[read_only], extra_env={**env, PROFILE_VARIABLE: str(profile_path)},
        cluster_launcher=_cluster_launcher(cfg, ranks) if label != "sequential" else 0,
    )
    if outcome.timed_out or outcome.truncated or outcome.exit_code != 0:
        return f"{label} timing run failed: " + (
            "timeout" if outcome.timed_out else "output flood" if outcome.truncated else _describe_failure(outcome)[2]
        )
    profile = read_profile(profile_path)
    if options.time_pattern is not None:
        printed = options.reported_seconds(outcome.stdout)
        if printed is None:
            return f"{label} timing run printed no time matching --time-pattern {options.time_pattern!r}"
        profile = Profile(seconds=printed, comm=profile.comm if profile else [])
    if profile is None:
        return f"{label} timing run wrote no profile (did it reach MPI_Finalize / the end of main?)"
    return profile, outcome


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
    Fortran the time only), or with ``options.time_pattern`` the time both programs print.
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
    reference = _build_reference(sequential_source, cfg, isolation, timer, opts)
    candidate = _build(candidate_source, cfg, isolation, shim, opts)
    result = PerfResult(args=args, sequential_seconds=0.0, sequential_samples=[], flags=flags)
    if not candidate.ok:
        result.error = "the candidate does not build with the PMPI timing layer: " + candidate.log.strip()[:500]
        return result
    reference_space, workspace = _Workspace(keep=False), _Workspace(keep=False)  # apart, as in check()
    try:
        ref_binary = reference_space.install(reference.binary, "sequential")
        cand_binary = workspace.install(candidate.binary, "candidate")
        env = _launcher_env(cfg, oversubscribe=False)
        jobs = [("sequential", 1, [str(ref_binary), *args], {})]
        jobs += [(f"np{n}", n, [*_launcher_command(cfg, n), str(cand_binary), *args], env) for n in usable]
        spaces = {label: reference_space if label == "sequential" else workspace for label, *_ in jobs}
        run_dirs = {label: spaces[label].run_dir(label) for label, *_ in jobs}
        samples: dict[str, list[float]] = {label: [] for label, *_ in jobs}
        last: dict[str, tuple] = {}
        with _PerfLock():
            # rounds interleave the programs, so that load drifting on a shared machine hits all alike
            for round_index in range(cfg.perf_warmup + cfg.perf_repeats):
                for label, ranks, command, job_env in jobs:
                    if label in last and last[label] is None:
                        continue
                    timed = _timed_once(command, run_dirs[label], label, cfg, isolation, ranks, job_env, spaces[label].path, opts)
                    if isinstance(timed, str):
                        if label == "sequential":
                            raise ReferenceProgramError(timed)
                        result.error = result.error or timed
                        last[label] = None
                        continue
                    last[label] = timed
                    if round_index >= cfg.perf_warmup:
                        samples[label].append(timed[0].seconds)
        _, seq_outcome = last["sequential"]
        result.sequential_samples = [round(x, 6) for x in samples["sequential"]]
        result.sequential_seconds = round(statistics.median(samples["sequential"]), 6)
        for label, ranks, _, _ in jobs[1:]:
            if last.get(label) is None:
                continue
            profile, outcome = last[label]
            seconds = statistics.median(samples[label])
            speedup = result.sequential_seconds / seconds if seconds > 0 else 0.0
            result.timings.append(RankTiming(
                ranks=ranks, seconds=round(seconds, 6), samples=[round(x, 6) for x in samples[label]],
                speedup=round(speedup, 3), efficiency=round(speedup / ranks, 3), comm=profile.comm,
            ))
            if _compare(seq_outcome.stdout, outcome.stdout, rtol, atol, opts) is not None:
                result.flags.append(f"output at {ranks} ranks with the timing arguments differs from the sequential program")
    finally:
        reference_space.close()
        workspace.close()
    result.flags += scaling_flags(result.sequential_seconds, result.timings)
    if result.sequential_seconds < 0.01:
        result.flags.append(f"sequential run of {result.sequential_seconds * 1000:.1f} ms is too short to time reliably: use larger perf args")
    return result

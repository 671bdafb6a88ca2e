"""``measure_performance``: time a passing candidate against its sequential program at the target's
timing configurations (never more workers than cores), with the scaling and memory flags."""

from __future__ import annotations

import fcntl
import statistics
import threading
from dataclasses import dataclass, field
from pathlib import Path

from chathpc.config import HarnessConfig
from chathpc.harness.paths import cache_root
from chathpc.harness.profile import MEMORY_VARIABLE, PROFILE_VARIABLE, Profile, read_memory, read_profile
from chathpc.harness.program import ProgramOptions
from chathpc.harness.results import PerfResult, RankTiming, too_short_to_time
from chathpc.harness.runs import (
    MEMORY_EXTRA,
    ReferenceProgramError,
    Workspace,
    build_program,
    build_reference,
    compare,
    describe_failure,
    limits,
    preflight,
)
from chathpc.harness.sandbox import ProcessOutcome, run_sandboxed
from chathpc.harness.targets import Placement, Target, get_target
from chathpc.system import core_count

NO_SPEEDUP_THRESHOLD = 1.1  # best speedup below this at more than one worker is flagged
REPLICATION_MIN_MIB = 32.0  # sequential peak memory below which memory per rank is not judged (MPI's own share dominates)
_perf_thread_lock = threading.Lock()


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
    placement: Placement
    command: list[str]
    env: dict[str, str]
    space: Workspace
    run_dir: Path
    samples: list[float] = field(default_factory=list)
    last: _Timed | None = None
    error: str | None = None


def _timed_once(job: _TimingJob, cfg: HarnessConfig, target: Target, isolation: str, options: ProgramOptions) -> _Timed | str:
    """One timing run of ``job``; the reason it failed when it did. With a time pattern the profile's
    seconds are those the program printed."""
    profile_path = job.run_dir / "profile.txt"
    profile_path.unlink(missing_ok=True)
    outcome = run_sandboxed(
        job.command, job.run_dir, timeout=cfg.timeout, limits=limits(cfg, target.process_limit(job.placement)), isolation=isolation,
        read_only_dirs=[job.space.path],
        extra_env={**job.env, PROFILE_VARIABLE: str(profile_path), MEMORY_VARIABLE: str(job.run_dir)},
    )
    memory = read_memory(job.run_dir)
    if outcome.timed_out or outcome.truncated or outcome.exit_code != 0:
        return f"{job.label} timing run failed: " + (
            "timeout" if outcome.timed_out else "output flood" if outcome.truncated else describe_failure(outcome).text
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


def _workers(t: RankTiming) -> int:
    return t.ranks * (t.threads or 1)


def _where(t: RankTiming) -> str:
    if t.threads is None:
        return f"{t.ranks} ranks"
    return f"{t.threads} threads" if t.ranks == 1 else f"{t.ranks} ranks x {t.threads} threads"


def scaling_flags(sequential_seconds: float, timings: list[RankTiming]) -> list[str]:
    """Flags for a candidate that does not divide its work: no speedup, no scaling over 1 rank (or thread)."""
    flags = []
    parallel = [t for t in timings if _workers(t) > 1]
    threaded = any(t.threads is not None for t in timings)
    undivided = ("the work may not be divided among the threads (a serialized region, or every thread computing everything)"
                 if threaded else "the work may not be divided (every rank computes everything, or rank 0 alone)")
    if parallel and max(t.speedup for t in parallel) < NO_SPEEDUP_THRESHOLD:
        best = max(parallel, key=lambda t: t.speedup)
        flags.append(f"no speedup ({best.speedup:.2f}x at {_where(best)}): {undivided}")
    single = next((t for t in timings if _workers(t) == 1), None)
    # best-of samples: load from other jobs only ever adds time, so the minimum is the robust estimate here
    if single is not None and parallel and max(min(single.samples) / min(t.samples) for t in parallel) < NO_SPEEDUP_THRESHOLD:
        one = "1 thread" if threaded else "1 rank"
        flags.append(f"no scaling: more {'threads' if threaded else 'ranks'} are not faster than {one} ({min(single.samples):.4f} s): {undivided}")
    return flags


def memory_flags(sequential_rss_mib: float | None, timings: list[RankTiming]) -> list[str]:
    """A flag when memory per rank does not shrink with the rank count (replicated data).

    The sequential program's peak resident set stands for the data; with the data divided, the
    smallest rank at p ranks should hold about 1/p of it less than one rank alone holds (the largest
    rank may gather results). Flagged when it saves less than half of that, for data of at least
    ``REPLICATION_MIN_MIB``.
    """
    single = next((t for t in timings if _workers(t) == 1 and t.rss_mib), None)
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


def _placement_name(p: Placement) -> str:
    return str(p.ranks) if p.threads is None else str(p.threads) if p.ranks == 1 else f"{p.ranks}x{p.threads}"


def measure_performance(
    sequential_source: str,
    candidate_source: str,
    *,
    config: HarnessConfig | None = None,
    perf_args: list[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    options: ProgramOptions | None = None,
    baseline_source: str | None = None,
) -> PerfResult:
    """Time the sequential program and the candidate at each timing configuration of ``harness.target``
    (``perf_ranks``; openmp/kokkos ``perf_threads``; hybrid ``perf_layouts``), never more workers than cores.

    Times are medians of ``perf_repeats`` runs after ``perf_warmup``; the MPI time is MPI_Init to
    MPI_Finalize (max over ranks) from a PMPI layer that also counts messages and bytes per rank (for
    Fortran the time only), or with ``options.time_pattern`` the time both programs print;
    every rank's peak memory (last run) is reported and flagged when it does not shrink (``memory_flags``).
    ``baseline_source`` (the input of an optimization) is built and timed like the candidate, in the same rounds;
    its timings go to ``baseline_timings`` (``PerfResult.improvement``).
    """
    opts = options or ProgramOptions()
    cfg = config or HarnessConfig()
    target = get_target(cfg.target)
    candidate_opts = target.candidate_options(opts)
    args = list(perf_args or [])
    rtol = cfg.rtol if rtol is None else rtol
    atol = cfg.atol if atol is None else atol
    isolation = preflight(cfg, opts, target)
    cores = core_count()
    flags: list[str] = []
    planned = target.perf_configurations(cfg)
    usable = [p for p in planned if p.workers <= cores]
    if len(usable) < len(planned):
        what = "rank counts" if not target.threaded else "thread counts" if not target.uses_mpi else "layouts"
        skipped = ", ".join(str(_placement_name(p)) for p in planned if p.workers > cores)
        flags.append(f"{what} {skipped} not timed: more than the {cores} cores")
    timer, shim = target.timing_sources(candidate_opts.language)
    reference = build_reference(sequential_source, cfg, target, isolation, {**timer, **MEMORY_EXTRA}, opts)
    candidate = build_program(candidate_source, cfg, target, isolation, {**shim, **MEMORY_EXTRA}, candidate_opts)
    baseline = build_program(baseline_source, cfg, target, isolation, {**shim, **MEMORY_EXTRA}, candidate_opts) if baseline_source else None
    result = PerfResult(args=args, sequential_seconds=0.0, sequential_samples=[], flags=flags)
    layer = "the PMPI timing layer" if target.uses_mpi else "the timing shim"
    if not candidate.ok:
        result.error = f"the candidate does not build with {layer}: " + candidate.log.strip()[:500]
        return result
    if baseline is not None and not baseline.ok:
        result.error = f"the input program does not build with {layer}: " + baseline.log.strip()[:500]
        return result
    reference_space, workspace, baseline_space = Workspace(keep=False), Workspace(keep=False), Workspace(keep=False)  # apart, as in check()
    try:
        ref_binary = reference_space.install(reference.binary, "sequential")
        cand_binary = workspace.install(candidate.binary, "candidate")
        jobs = [_TimingJob("sequential", Placement(1), [str(ref_binary), *args], {}, reference_space, reference_space.run_dir("sequential"))]
        jobs += [_TimingJob(p.label(), p, target.command(cfg, p, cand_binary, args), target.environment(cfg, p, oversubscribe=False),
                            workspace, workspace.run_dir(p.label())) for p in usable]
        if baseline is not None:
            base_binary = baseline_space.install(baseline.binary, "input")
            jobs += [_TimingJob(f"input {p.label()}", p, target.command(cfg, p, base_binary, args),
                                target.environment(cfg, p, oversubscribe=False), baseline_space, baseline_space.run_dir(p.label()))
                     for p in usable]
        with _PerfLock():
            # rounds interleave the programs, so that load drifting on a shared machine hits all alike
            for round_index in range(cfg.perf_warmup + cfg.perf_repeats):
                for job in jobs:
                    if job.error is not None:
                        continue
                    timed = _timed_once(job, cfg, target, isolation, opts)
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
            is_input = job.label.startswith("input ")
            seconds = statistics.median(job.samples)
            speedup = result.sequential_seconds / seconds if seconds > 0 else 0.0
            timing = RankTiming(
                ranks=job.placement.ranks, threads=job.placement.threads, seconds=round(seconds, 6), samples=[round(x, 6) for x in job.samples],
                speedup=round(speedup, 3), efficiency=round(speedup / job.placement.workers, 3), comm=job.last.profile.comm,
                rss_mib=job.last.rss_mib,
            )
            if is_input:
                result.baseline_timings.append(timing)
                continue
            result.timings.append(timing)
            if compare(sequential.last.outcome.stdout, job.last.outcome.stdout, rtol, atol, opts) is not None:
                result.flags.append(f"output at {_where(timing)} with the timing arguments differs from the sequential program")
    finally:
        reference_space.close()
        workspace.close()
        baseline_space.close()
    result.flags += memory_flags(result.sequential_rss_mib, result.timings)
    if result.timeable:  # below the timing floor speedups are start-up noise: no scaling verdict from them
        result.flags += scaling_flags(result.sequential_seconds, result.timings)
    elif result.timings:
        result.flags.append(too_short_to_time(result.sequential_seconds, args))
    return result

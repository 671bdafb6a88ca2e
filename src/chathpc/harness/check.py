"""``check()``: prove a candidate (MPI, OpenMP, hybrid or Kokkos: ``harness.target``) against
its sequential program by correctness runs at every parallel configuration of the target.

The target (``chathpc.harness.targets``) gives the build, the configurations, the command line and environment
and the "uses the model" rule; ``runs`` holds what correctness and timing share; timing is ``timing``.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from pathlib import Path

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.harness.diagnose import diagnose, diagnosis_plan
from chathpc.harness.explore import PROBE_TIMEOUT, explore
from chathpc.harness.languages import get_language
from chathpc.harness.profile import MEMORY_VARIABLE, read_memory
from chathpc.harness.program import ProgramOptions
from chathpc.harness.races import diagnose_threaded, threaded_diagnosis_plan
from chathpc.harness.results import CheckResult, RunResult, Verdict
from chathpc.harness.runs import (
    MEMORY_EXTRA,
    Reference,
    ReferenceProgramError,
    Workspace,
    build_program,
    build_reference,
    judge,
    limits,
    preflight,
)
from chathpc.harness.sandbox import run_sandboxed
from chathpc.harness.sanitize import sanitizer_environment
from chathpc.harness.screen import static_screen
from chathpc.harness.targets import Placement, Target, get_target
from chathpc.harness.timing import measure_performance, scaling_flags

__all__ = ["ReferenceProgramError", "check", "initializes_mpi", "measure_performance", "preflight", "scaling_flags"]


def initializes_mpi(source: str, language: str = "c") -> bool:
    """True when the code (comments and strings aside) initializes MPI (see ``Language.initializes_mpi``)."""
    return get_language(language).initializes_mpi(source)


class _CandidateRunner:
    """Runs one installed candidate build at (args, configuration) and judges each run against the reference."""

    def __init__(self, binary: Path, workspace: Workspace, reference: Reference, cfg: HarnessConfig, target: Target, isolation: str,
                 rtol: float, atol: float, options: ProgramOptions, *, sanitized: bool = False) -> None:
        self.binary, self.workspace, self.reference, self.options, self.target = binary, workspace, reference, options, target
        self.cfg, self.isolation, self.rtol, self.atol, self.sanitized = cfg, isolation, rtol, atol, sanitized

    def accepts(self, args: list[str]) -> bool:
        return self.reference.accepts(args)

    def sequential_seconds(self, args: list[str]) -> float | None:
        return self.reference.sequential_seconds(args)

    def width(self, run: RunResult) -> int:
        """The run's configuration as the one number ``--explore`` varies (ranks, or threads for openmp/kokkos)."""
        return self.target.width(Placement(run.ranks, run.threads))

    def run(self, args: list[str], where: Placement | int, role: str = "given", timeout: float | None = None) -> RunResult:
        """One judged run at a configuration (or an explore width, see ``width``). A run that mpirun itself
        failed to launch (it exited non-zero and reported no rank: no candidate code ran) is tried once more."""
        placement = where if isinstance(where, Placement) else self.target.placement(self.cfg, where)
        run = self._run_once(args, placement, role, timeout)
        if self.target.uses_mpi and run.failure_kind == "status" and (run.exit_code or 0) > 0:
            run = self._run_once(args, placement, role, timeout)
        return run

    def _run_once(self, args: list[str], placement: Placement, role: str, timeout: float | None) -> RunResult:
        expected = self.reference.output(args)
        run_dir = self.workspace.run_dir(placement.label())
        run_limits = limits(self.cfg, self.target.process_limit(placement))
        env = self.target.environment(self.cfg, placement, oversubscribe=True)
        if self.sanitized:  # ASan's shadow memory needs the address space; ASAN_OPTIONS limits the RSS instead
            run_limits = replace(run_limits, memory_mb=0)
            env.update(sanitizer_environment(self.cfg.memory_mb))
        outcome = run_sandboxed(
            self.target.command(self.cfg, placement, self.binary, args), run_dir,
            timeout=timeout or self.cfg.timeout, limits=run_limits, isolation=self.isolation,
            read_only_dirs=[self.workspace.path], extra_env={**env, MEMORY_VARIABLE: str(run_dir)},
        )
        run = judge(outcome, args, placement, expected, self.rtol, self.atol, self.cfg.max_output_bytes, self.options,
                    role=role, sanitized=self.sanitized)
        memory = read_memory(run_dir)
        run.max_rss_mib = max(memory) if memory else None
        return run


def _correctness_runs(runner: _CandidateRunner, plan: list[tuple[list[str], Placement]], jobs: int, role: str = "given") -> list[RunResult]:
    """Run every (args, configuration) pair in order; after the first failure no new run starts."""
    failed = threading.Event()

    def one(args: list[str], placement: Placement) -> RunResult | None:
        if failed.is_set():
            return None
        run = runner.run(args, placement, role)
        if run.verdict != Verdict.PASS:
            failed.set()
        return run

    if jobs == 1:
        runs = [one(a, p) for a, p in plan]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            runs = list(pool.map(lambda item: one(*item), plan))
    return [r for r in runs if r is not None]


def _sanitized_runs(candidate_source: str, result: CheckResult, arg_sets: list[list[str]], reference: Reference,
                    cfg: HarnessConfig, target: Target, isolation: str, options: ProgramOptions) -> list[RunResult]:
    """The sanitizer build run at the given inputs (when they passed) and at the failing input, if any."""
    build_outcome = build_program(candidate_source, cfg, target, isolation, options=options, sanitize=True)
    if not build_outcome.ok:
        raise ChathpcError(
            "the sanitizer build failed although the plain build succeeded (is libasan/libubsan installed? "
            f"harness.sanitize_flags={' '.join(cfg.sanitize_flags)}): {build_outcome.log.strip()[:500]}"
        )
    failure = result.first_failure()
    plan = ([(failure.args, Placement(failure.ranks, failure.threads))] if failure
            else [(a, p) for a in arg_sets for p in target.configurations(cfg)])
    workspace = Workspace(keep=False)
    try:
        runner = _CandidateRunner(workspace.install(build_outcome.binary, "candidate-sanitized"), workspace, reference, cfg,
                                  target, isolation, result.rtol, result.atol, options, sanitized=True)
        return _correctness_runs(runner, plan, cfg.jobs, role="sanitize")
    finally:
        workspace.close()


def _decide(result: CheckResult) -> None:
    """Verdict and passed from the given runs, then the explored failure, then the sanitized runs."""
    failure = result.first_failure()
    result.verdict = failure.verdict if failure else Verdict.PASS
    result.passed = failure is None


def _diagnose(result: CheckResult, runner: _CandidateRunner, arg_sets: list[list[str]], cfg: HarnessConfig, target: Target) -> None:
    """A few diagnosis runs after a failure, then the one-line diagnosis (races first for a threaded target)."""
    failure = result.first_failure()
    checked, _ = target.widths(cfg)
    if failure.role != "sanitize":
        done = {(tuple(r.args), r.ranks, r.threads) for r in [*result.runs, *result.probes]}
        timeout = min(cfg.timeout, PROBE_TIMEOUT)
        if target.threaded:
            plan = threaded_diagnosis_plan(failure, target.configurations(cfg), target.repeats(cfg))
        else:
            plan = [(a, Placement(n)) for a, n in diagnosis_plan(failure, arg_sets, checked) if (tuple(a), n, None) not in done]
        result.probes += [runner.run(a, p, "diagnosis", timeout) for a, p in plan if runner.accepts(a)]
    runs = [*result.runs, *result.probes]
    found = diagnose_threaded(failure, runs, result.atol, result.rtol, runner.options, mpi=target.uses_mpi) if target.threaded else None
    if found is None and target.uses_mpi:
        found = diagnose(failure, runs, arg_sets, checked)
    result.diagnosis = found or (f"fails at {failure.configuration(target.uses_mpi)} with arguments {' '.join(failure.args) or '(none)'} "
                                 f"({failure.verdict.value}); no simpler pattern among {len(runs)} runs")


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
    baseline: str | None = None,
) -> CheckResult:
    """Build, run, compare (and with ``perf`` time) a candidate program of ``config.target`` (default mpi)
    against its sequential program.

    ``options`` gives the language, extra files, defines, output filters and time pattern (default: one
    C file each; a Kokkos candidate is C++). Every argument set runs at every configuration of the target
    (mpi: ``config.ranks``; openmp/kokkos: ``config.threads``; hybrid: ``config.layouts``), a threaded target's
    ``config.repeats`` times; with ``config.explore`` derived inputs and configurations are probed after that,
    with ``config.sanitize`` a sanitizer build runs too. A failure gets a few diagnosis runs and a one-line
    ``diagnosis``. With ``baseline`` (the input of an optimization; implies ``perf``) both programs are timed in the
    same rounds and a correct candidate must beat it by ``config.optimize_margin`` (``require_improvement``).
    Raises ``ReferenceProgramError`` when the sequential program fails at a given input,
    ``ChathpcError`` when the target's tools (MPI, Kokkos) are missing.
    """
    cfg = config or HarnessConfig()
    target = get_target(cfg.target)
    rtol = cfg.rtol if rtol is None else rtol
    atol = cfg.atol if atol is None else atol
    arg_sets = [list(a) for a in args] if args else [[]]
    started = time.monotonic()
    opts = options or ProgramOptions()
    candidate_opts = target.candidate_options(opts)
    isolation = preflight(cfg, opts, target)
    result = CheckResult(verdict=Verdict.PASS, passed=False, target=target.name, isolation=isolation, rtol=rtol, atol=atol)
    # the static screen (clang-tidy's MPI checks screen one C file) and the reference's build run beside the
    # candidate's build; the screen's warnings are collected after the correctness runs (a cold check's critical
    # path: the two builds, then the runs)
    pool = ThreadPoolExecutor(max_workers=2)
    screened = target.uses_mpi and opts.language == "c" and not opts.headers and not opts.sources
    screening = pool.submit(static_screen, candidate_source, cc=cfg.cc, isolation=isolation, limits=limits(cfg)) if screened else None
    reference_building = pool.submit(build_reference, sequential_source, cfg, target, isolation, options=opts)
    pool.shutdown(wait=False)  # what was submitted still runs to its end
    try:
        candidate = build_program(candidate_source, cfg, target, isolation, MEMORY_EXTRA, candidate_opts)
        reference_build = reference_building.result()
        result.build_log = candidate.log
        if not candidate.ok:
            result.verdict, result.detail = Verdict.BUILD_ERROR, "the candidate does not compile"
        elif not target.uses_model(candidate_source, candidate_opts):
            result.verdict, result.detail = target.unused_verdict, target.unused_reason(candidate_opts)
        if result.verdict != Verdict.PASS:
            result.warnings = screening.result() if screening is not None else []
            result.seconds = round(time.monotonic() - started, 3)
            return result
        # the reference runs in a work dir of its own: the candidate's holds nothing but the candidate
        reference, workspace = Reference(reference_build, cfg, isolation), Workspace(keep)
        try:
            for a in arg_sets:
                reference.output(a)
            suffix = candidate_opts.source_name.removeprefix("prog")
            (workspace.path / f"candidate{suffix}").write_text(candidate_source)
            (workspace.path / f"candidate{suffix}").chmod(0o644)
            runner = _CandidateRunner(workspace.install(candidate.binary, "candidate"), workspace, reference, cfg, target, isolation,
                                      rtol, atol, candidate_opts)
            plan = [(a, p) for a in arg_sets for p in target.configurations(cfg) for _ in range(target.repeats(cfg))]
            result.runs = _correctness_runs(runner, plan, cfg.jobs)
            result.warnings = screening.result() if screening is not None else []
            if cfg.explore and result.first_failure() is None:
                checked, extra = target.widths(cfg)
                widths = cfg.model_copy(update={"ranks": checked, "explore_ranks": extra})
                done = {(tuple(r.args), runner.width(r)) for r in result.runs}
                probes, result.explore = explore(arg_sets, widths, runner, done)
                result.probes += probes
            if cfg.sanitize:
                result.sanitized = True
                result.probes += _sanitized_runs(candidate_source, result, arg_sets, reference, cfg, target, isolation, candidate_opts)
            _decide(result)
            if not result.passed:
                _diagnose(result, runner, arg_sets, cfg, target)
            if keep:
                (workspace.path / f"sequential{opts.source_name.removeprefix('prog')}").write_text(sequential_source)
        finally:
            reference.close()
            workspace.close()
        if keep:
            result.work_dir = str(workspace.path)
        if result.passed and (perf or baseline is not None):
            _add_performance(result, sequential_source, candidate_source, cfg, perf_args, arg_sets, opts, baseline)
            if baseline is not None:
                require_improvement(result, cfg.optimize_margin)
        result.seconds = round(time.monotonic() - started, 3)
        return result
    finally:
        # however the check ends (a failing reference raises), nothing it started outlives it
        wait([f for f in (screening, reference_building) if f is not None])


def _add_performance(result: CheckResult, sequential_source: str, candidate_source: str, cfg: HarnessConfig,
                     perf_args: list[str] | None, arg_sets: list[list[str]] | None, options: ProgramOptions,
                     baseline: str | None = None) -> None:
    """Time a passing candidate (and ``baseline``) at ``perf_args`` (default: the last correctness argument set)."""
    chosen = perf_args if perf_args is not None else (list(arg_sets[-1]) if arg_sets else [])
    result.perf = measure_performance(sequential_source, candidate_source, config=cfg, perf_args=chosen, rtol=result.rtol,
                                      atol=result.atol, options=options, baseline_source=baseline)


def require_improvement(result: CheckResult, margin: float) -> None:
    """The optimization check on a passing, timed result (its ``perf`` holds the input's timings): a candidate that
    is not at least ``margin`` times faster than its input at the largest configuration timed for both, or that
    could not be timed, becomes ``not_faster``."""
    if not result.passed:
        return
    perf = result.perf
    found = perf.improvement() if perf is not None else None
    if perf is None or found is None or not perf.timeable:
        why = (perf.error if perf is not None and perf.error else
               "the run is too short to time" if perf is not None and perf.timings else "no timing")
        result.verdict, result.passed = Verdict.NOT_FASTER, False
        result.detail = f"correct, but its speed against the input program could not be measured ({why})"
        return
    improvement, timing = found
    if improvement < margin:
        where = (f"{timing.ranks} ranks" if timing.threads is None else f"{timing.threads} threads" if result.target in ("openmp", "kokkos")
                 else f"{timing.ranks} ranks x {timing.threads} threads")
        result.verdict, result.passed = Verdict.NOT_FASTER, False
        result.detail = (f"correct, but {improvement:.2f}x the speed of the input program at {where} "
                         f"(best {min(timing.samples):.4f} s); an optimization must be at least {margin:.2f}x faster")



"""Targets beyond MPI (openmp, hybrid, kokkos) with real gcc, mpicc, mpirun and Kokkos: references pass at every
configuration, races fail within the default repeats, a program that ignores the target is not_parallel, bad
input is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from chathpc.cli import main as cli_main
from chathpc.config import ConfigError, HarnessConfig, resolve_config
from chathpc.errors import ChathpcError
from chathpc.harness import Verdict, check, measure_performance
from chathpc.harness.program import ProgramOptions
from chathpc.harness.targets import TARGET_NAMES, Placement, get_target, kokkos_root
from chathpc.harness.targets.base import has_openmp_parallel
from chathpc.system import core_count

PROGRAMS = Path(__file__).parent / "programs"
RACE_ARGS = [["20000", "1000"]]  # 1000 parallel loops of 20000 increments: a race is near-certain at 2 threads (measured 10/10)


def program(name: str) -> str:
    return (PROGRAMS / name).read_text()


def _kokkos_available() -> bool:
    try:
        kokkos_root(HarnessConfig())
    except ChathpcError:
        return False
    return True


needs_kokkos = pytest.mark.skipif(not _kokkos_available(), reason="no Kokkos (scripts/setup.sh builds one into .venv/kokkos)")


# --- the rules and the configurations, no build ------------------------------------------------------

def test_every_target_is_named_and_an_unknown_one_is_one_line():
    assert TARGET_NAMES == ("mpi", "openmp", "hybrid", "kokkos")
    with pytest.raises(ChathpcError, match=r"unknown target 'raja' \(choose from mpi, openmp, hybrid, kokkos\)"):
        get_target("raja")


def test_configurations_of_each_target_follow_the_config():
    cfg = HarnessConfig(threads=[1, 2, 3, 4], layouts=["1x1", "1x2", "2x1", "2x2", "3x2"], ranks=[1, 2])
    assert get_target("mpi").configurations(cfg) == [Placement(1), Placement(2)]
    assert get_target("openmp").configurations(cfg) == [Placement(1, t) for t in (1, 2, 3, 4)]
    assert get_target("kokkos").configurations(cfg) == get_target("openmp").configurations(cfg)
    assert get_target("hybrid").configurations(cfg) == [Placement(1, 1), Placement(1, 2), Placement(2, 1), Placement(2, 2), Placement(3, 2)]
    assert [get_target(t).repeats(cfg) for t in TARGET_NAMES] == [1, 3, 3, 3]


def test_thread_environment_sets_the_count_and_the_binding():
    cfg = HarnessConfig()
    env = get_target("openmp").environment(cfg, Placement(1, 3), oversubscribe=True)
    assert env["OMP_NUM_THREADS"] == env["KOKKOS_NUM_THREADS"] == "3" and env["OMP_PROC_BIND"] == "false"
    hybrid = get_target("hybrid").environment(cfg, Placement(2, 2), oversubscribe=True)
    assert hybrid["OMP_NUM_THREADS"] == "2" and hybrid["OMPI_MCA_hwloc_base_binding_policy"] == "none"  # each rank's threads get cores


def test_oversubscribed_correctness_runs_wait_passively_and_others_spin():
    cfg = HarnessConfig()
    cores = core_count()
    for name, placement in (("openmp", Placement(1, cores + 1)), ("kokkos", Placement(1, cores + 2)), ("hybrid", Placement(cores, 2))):
        target = get_target(name)
        assert target.environment(cfg, placement, oversubscribe=True)["OMP_WAIT_POLICY"] == "passive", name
        assert "OMP_WAIT_POLICY" not in target.environment(cfg, placement, oversubscribe=False), name
    assert "OMP_WAIT_POLICY" not in get_target("openmp").environment(cfg, Placement(1, cores), oversubscribe=True)


def test_the_srun_launcher_is_refused_for_hybrid_too():
    cfg = HarnessConfig(launcher="srun -n {n}")
    with pytest.raises(ChathpcError, match="srun is refused"):
        get_target("hybrid").command(cfg, Placement(3, 2), Path("/x/prog"), ["7"])


def test_openmp_rule_wants_a_construct_that_starts_threads():
    assert has_openmp_parallel("int main(){\n  #pragma omp parallel for reduction(+:s)\n  for(;;);\n}")
    assert has_openmp_parallel("# pragma  omp target teams distribute\n")
    assert not has_openmp_parallel("// #pragma omp parallel\nint main(){ return 0; }")
    assert not has_openmp_parallel('const char *s = "#pragma omp parallel";\n#pragma omp simd\n')
    assert not has_openmp_parallel("#include <omp.h>\nint main(){ omp_set_num_threads(4); }")


def test_kokkos_rule_wants_a_parallel_pattern():
    kokkos, opts = get_target("kokkos"), ProgramOptions(language="cxx")
    assert kokkos.uses_model(program("kokkos_vector_sum.cpp"), opts)
    assert not kokkos.uses_model(program("kokkos_serial_sum.cpp"), opts)  # initializes Kokkos, computes in a plain loop
    assert kokkos.candidate_options(ProgramOptions()).source_name == "prog.cc"  # a Kokkos candidate is C++


def test_bad_layouts_and_thread_counts_are_config_errors():
    with pytest.raises(ConfigError, match="RANKSxTHREADS"):
        resolve_config(None, ["harness.layouts=2x0"])
    with pytest.raises(ConfigError, match="harness.threads"):
        resolve_config(None, ["harness.threads=0,2"])
    with pytest.raises(ConfigError, match="harness.target"):
        resolve_config(None, ["harness.target=raja"])


def test_bad_target_on_the_command_line_is_one_line_exit_2(capsys):
    assert cli_main(["check", str(PROGRAMS / "seq_sum.c"), str(PROGRAMS / "mpi_sum_correct.c"), "--target", "cuda"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "chathpc: error: --target: unknown target 'cuda' (choose from mpi, openmp, hybrid, kokkos)"


def test_pareval_of_another_target_with_a_missing_outputs_file_is_one_line_exit_2(capsys, tmp_path):
    assert cli_main(["pareval", "score", str(tmp_path), str(tmp_path / "out.json"), "-o", str(tmp_path / "r.jsonl"),
                     "--target", "openmp"]) == 2
    err = capsys.readouterr().err
    assert "out.json: outputs file not found" in err and err.count("\n") == 1


def test_missing_kokkos_is_one_line_exit_2(capsys, tmp_path):
    code = cli_main(["check", str(PROGRAMS / "seq_vector_sum.c"), str(PROGRAMS / "kokkos_vector_sum.cpp"), "--target", "kokkos",
                     "--set", f"harness.kokkos_root={tmp_path / 'nowhere'}"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err
    assert err.startswith("chathpc: error: no Kokkos found at") and "harness.kokkos_root" in err and "scripts/setup.sh" in err


# --- openmp ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_openmp_reference_passes_at_every_thread_count_and_repeat(work_root):
    result = check(program("seq_vector_sum.c"), program("omp_vector_sum_correct.c"), args=[["1000"], ["7"]],
                   config=HarnessConfig(target="openmp"))
    assert result.passed and result.target == "openmp", result.summary()
    assert sorted((r.args[0], r.ranks, r.threads) for r in result.runs) == sorted(
        (n, 1, t) for n in ("1000", "7") for t in (1, 2, 3, 4) for _ in range(3))


def test_a_sequential_program_is_not_parallel_for_openmp(work_root):
    result = check(program("seq_vector_sum.c"), program("seq_vector_sum.c"), args=[["7"]], config=HarnessConfig(target="openmp"))
    assert result.verdict == Verdict.NOT_PARALLEL and not result.runs
    assert "no OpenMP parallel construct" in result.detail


@pytest.mark.slow
def test_racy_openmp_histogram_fails_at_two_threads_or_more_every_time(work_root):
    correct = check(program("seq_histogram.c"), program("omp_histogram_correct.c"), args=RACE_ARGS, config=HarnessConfig(target="openmp"))
    assert correct.passed, correct.summary()
    for _ in range(3):  # not luck: the default repeats catch it check after check
        result = check(program("seq_histogram.c"), program("omp_histogram_racy.c"), args=RACE_ARGS, config=HarnessConfig(target="openmp"))
        failure = result.first_failure()
        assert result.verdict == Verdict.WRONG_OUTPUT and failure.threads >= 2, result.summary()
        assert all(r.verdict == Verdict.PASS for r in result.runs if r.threads == 1)
        assert result.diagnosis.startswith(("output differs between runs at", "differs from the sequential output at")), result.diagnosis
        assert "race" in result.diagnosis


@pytest.mark.slow
def test_openmp_timing_reports_threads_and_sanitize_builds_with_openmp(work_root):
    cfg = HarnessConfig(target="openmp", perf_threads=[1, 2], perf_repeats=2, perf_warmup=0, sanitize=True, threads=[1, 2])
    result = check(program("seq_vector_sum.c"), program("omp_vector_sum_correct.c"), args=[["1000"]], config=cfg,
                   perf=True, perf_args=["2000000"])
    assert result.passed and result.sanitized, result.summary()
    assert {r.threads for r in result.probes if r.role == "sanitize"} == {1, 2}
    assert [(t.ranks, t.threads) for t in result.perf.timings] == [(1, 1), (1, 2)]
    assert result.perf.sequential_seconds > 0 and all(t.seconds > 0 for t in result.perf.timings)


@pytest.mark.slow
def test_openmp_explore_probes_thread_counts_up_to_8(work_root):
    cfg = HarnessConfig(target="openmp", threads=[1, 2], repeats=1, explore=True, explore_budget=30)
    result = check(program("seq_vector_sum.c"), program("omp_vector_sum_correct.c"), args=[["100"]], config=cfg)
    assert result.passed, result.summary()
    assert {8, 5} <= {r.threads for r in result.probes} and all(r.ranks == 1 for r in result.probes)


# --- hybrid ---------------------------------------------------------------------------------------------

@pytest.mark.mpi
def test_hybrid_needs_both_mpi_and_openmp(work_root):
    cfg = HarnessConfig(target="hybrid")
    mpi_only = check(program("seq_vector_sum.c"), program("mpi_vector_sum_correct.c"), args=[["7"]], config=cfg)
    omp_only = check(program("seq_vector_sum.c"), program("omp_vector_sum_correct.c"), args=[["7"]], config=cfg)
    assert mpi_only.verdict == omp_only.verdict == Verdict.NOT_PARALLEL


@pytest.mark.mpi
@pytest.mark.slow
def test_hybrid_reference_passes_at_every_layout_in_the_sandbox(work_root):
    result = check(program("seq_vector_sum.c"), program("hybrid_vector_sum.c"), args=[["1000"]], config=HarnessConfig(target="hybrid"))
    assert result.passed, result.summary()
    assert result.isolation in ("bwrap", "rlimits")
    assert sorted({(r.ranks, r.threads) for r in result.runs}) == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2)]
    perf = measure_performance(program("seq_vector_sum.c"), program("hybrid_vector_sum.c"), perf_args=["2000000"],
                               config=HarnessConfig(target="hybrid", perf_repeats=1, perf_warmup=0, perf_layouts=["1x1", "1x2", "2x2"]))
    timed = [(1, 1), (1, 2), (2, 2)] if core_count() >= 4 else [(1, 1), (1, 2)]
    assert perf.error is None and [(t.ranks, t.threads) for t in perf.timings] == timed  # never more workers than cores
    assert core_count() >= 4 or any(f.startswith("layouts 2x2 not timed") for f in perf.flags), perf.flags


# --- kokkos ---------------------------------------------------------------------------------------------

@needs_kokkos
@pytest.mark.kokkos
@pytest.mark.slow
def test_kokkos_reference_passes_at_every_thread_count_without_a_warning(work_root):
    result = check(program("seq_vector_sum.c"), program("kokkos_vector_sum.cpp"), args=[["1000"]], config=HarnessConfig(target="kokkos"))
    assert result.passed, result.summary()
    assert {r.threads for r in result.runs} == {1, 2, 3, 4}
    assert not any("OMP_PROC_BIND" in r.stderr for r in result.runs)  # set, so Kokkos does not warn on every run


@needs_kokkos
@pytest.mark.kokkos
def test_kokkos_without_a_parallel_pattern_is_not_parallel(work_root):
    result = check(program("seq_vector_sum.c"), program("kokkos_serial_sum.cpp"), args=[["7"]], config=HarnessConfig(target="kokkos"))
    assert result.verdict == Verdict.NOT_PARALLEL and "Kokkos parallel pattern" in result.detail


@needs_kokkos
@pytest.mark.kokkos
@pytest.mark.slow
def test_kokkos_scatter_without_an_atomic_fails_at_two_threads_or_more_every_time(work_root):
    for _ in range(3):
        result = check(program("seq_histogram.c"), program("kokkos_histogram_racy.cpp"), args=RACE_ARGS, config=HarnessConfig(target="kokkos"))
        failure = result.first_failure()
        assert result.verdict == Verdict.WRONG_OUTPUT and failure.threads >= 2, result.summary()
        assert "race" in result.diagnosis, result.diagnosis


# --- the suite layout: bench and verify with --target -----------------------------------------------------

def _suite(root: Path) -> Path:
    """A two-task suite: vsum has omp.c, vsum_mpi_only has none."""
    for task_id, with_omp in (("vsum", True), ("vsum_mpi_only", False)):
        folder = root / "blas" / task_id
        folder.mkdir(parents=True)
        (folder / "task.yaml").write_text(
            f"id: {task_id}\ndomain: blas\nsplit: train\ndescription: vector sum\nargs: [['1000'], ['7']]\nperf_args: ['100000']\n")
        (folder / "seq.c").write_text(program("seq_vector_sum.c"))
        (folder / "mpi.c").write_text(program("mpi_vector_sum_correct.c"))
        if with_omp:
            (folder / "omp.c").write_text(program("omp_vector_sum_correct.c"))
            (folder / "variants" / "openmp").mkdir(parents=True)
            (folder / "variants" / "openmp" / "serial.c").write_text(program("seq_vector_sum.c"))
    return root


@pytest.mark.slow
def test_bench_target_openmp_checks_the_openmp_solutions_and_counts_the_skipped(work_root, tmp_path, capsys):
    from chathpc.tasks.loader import load_suite

    suite = _suite(tmp_path / "suite")
    tasks = {t.id: t for t in load_suite(root=suite)}
    assert set(tasks["vsum"].solutions("openmp")) == {"reference", "serial"} and tasks["vsum_mpi_only"].solutions("openmp") == {}
    code = cli_main(["bench", "--suite", str(suite), "--target", "openmp", "--solutions", "all", "-o", str(tmp_path / "out"), "-q"])
    out = capsys.readouterr().out
    assert code == 0, out
    report = (tmp_path / "out" / "bench.json").read_text()
    assert '"target": "openmp"' in report and '"skipped_tasks": [\n    "vsum_mpi_only"\n  ]' in report
    assert "t1    t2    t3    t4" in out and "1 of 2 tasks have no openmp solution: skipped" in out
    assert "serial     not_parallel" in out  # the variant that ignores OpenMP


@pytest.mark.slow
def test_verify_with_the_reference_provider_asks_and_checks_openmp(work_root, tmp_path, capsys):
    import json

    suite = _suite(tmp_path / "suite")
    out = tmp_path / "verify.jsonl"
    code = cli_main(["verify", "-m", "reference", "--target", "openmp", "--tasks", str(suite), "--limit", "1", "-o", str(out), "-q"])
    assert code == 0, capsys.readouterr()
    line = json.loads(out.read_text().splitlines()[0])
    assert line["record"]["question"].startswith("Parallelize the following sequential C program with OpenMP")
    assert line["passed"] and line["check"]["target"] == "openmp"

"""parallelize with real mpicc/mpirun: reference passes, sequential fails as not_mpi, a scripted repair passes in round 2."""

from __future__ import annotations

import json

import pytest

from chathpc.assist import parallelize
from chathpc.cli import main
from chathpc.config import GenerationConfig
from chathpc.errors import ChathpcError
from chathpc.providers import GenerationRequest, Provider, get_provider, register_provider, unregister_provider

ARGS = [["7"], ["37"]]


@pytest.mark.mpi
def test_reference_passes_and_is_written(axpy, fast_config, tmp_path):
    task, _ = axpy
    out = tmp_path / "out" / "axpy_mpi.c"
    result = parallelize(task.seq_source, get_provider("reference", fast_config), fast_config, samples=2, args=ARGS, output=out)
    assert result.passed and result.best == 0 and result.rounds_used == 0
    assert [c.check.verdict.value for c in result.candidates] == ["pass", "pass"]
    assert out.read_text() == task.mpi_source.rstrip() + "\n"
    assert result.output == str(out)
    assert not list(out.parent.glob(".*.tmp"))
    json.loads(result.model_dump_json())


@pytest.mark.mpi
def test_sequential_fails_as_not_mpi_and_an_existing_file_is_kept(axpy, fast_config, tmp_path, capsys):
    task, seq_path = axpy
    out = tmp_path / "mpi.c"
    out.write_text("/* my earlier work */\n")
    code = main(["parallelize", str(seq_path), "-o", str(out), "--force", "-m", "sequential", "--repair", "1",
                 "--args", "7", "--set", "harness.ranks=1,2"])
    report = capsys.readouterr().out
    assert code == 1
    assert out.read_text() == "/* my earlier work */\n"
    assert "no candidate passed (2 not_mpi) after 1 of 1 repair round(s); nothing written" in report


@pytest.mark.mpi
def test_scripted_repair_passes_in_round_two(axpy, scripted, tmp_path, capsys):
    task, seq_path = axpy
    out = tmp_path / "mpi.c"
    code = main(["parallelize", str(seq_path), "-o", str(out), "-m", "scripted", "--repair", "2", "--args", "7",
                 "--args", "37", "--set", "harness.ranks=1,2", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [c["check"]["verdict"] for c in result["candidates"]] == ["wrong_output", "pass"]
    assert result["best"] == 1 and result["rounds_used"] == 1 and result["candidates"][1]["round"] == 1
    assert result["candidates"][1]["repairs"] == 0
    assert out.read_text() == task.mpi_source.rstrip() + "\n"
    first, repair = scripted.prompts
    assert first.startswith("You are ChatHPC") and repair.startswith("You are ChatHPC")  # same template
    assert repair.rstrip().endswith("### Answer:")
    assert task.seq_source.strip() in repair
    assert "each rank already has what it needs" in repair  # the failed code
    assert "Verification result: wrong_output" in repair and "with 2 MPI ranks and arguments 7" in repair


@pytest.mark.mpi
def test_without_repair_rounds_the_scripted_bug_is_reported(axpy, scripted, fast_config, tmp_path):
    task, _ = axpy
    out = tmp_path / "mpi.c"
    result = parallelize(task.seq_source, get_provider("scripted", fast_config), fast_config, args=ARGS, output=out)
    assert not result.passed and not out.exists()
    assert result.candidates[0].check.verdict.value == "wrong_output"
    assert "nothing written" in result.report()


class ProseProvider(Provider):
    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        return [["I would split the loop across ranks and reduce the sums."] * n for _ in requests]


def test_answer_without_program_is_extract_error(axpy, fast_config):
    task, _ = axpy
    result = parallelize(task.seq_source, ProseProvider(), fast_config, samples=2, repair_rounds=1)
    assert [c.check.verdict.value for c in result.candidates] == ["extract_error", "extract_error", "extract_error"]
    assert [c.round for c in result.candidates] == [0, 0, 1]  # identical failures are repaired once
    assert not result.passed


def test_existing_output_is_refused_before_generating(axpy, fast_config, tmp_path):
    task, _ = axpy
    out = tmp_path / "mpi.c"
    out.write_text("keep\n")
    with pytest.raises(ChathpcError, match="already exists"):
        parallelize(task.seq_source, ProseProvider(), fast_config, output=out)
    assert out.read_text() == "keep\n"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--perf-args", "'unclosed"], "--perf-args \"'unclosed\": No closing quotation"),
        (["--args", "'unclosed"], "--args \"'unclosed\": No closing quotation"),
        (["-m", ""], "model spec '': expected PROVIDER[:NAME]"),
        (["--kind", "nope"], "unknown assistant kind 'nope'"),
        (["--kind", "optimize-mpi"], "--kind optimize-mpi: give the sequential program the answers are checked against with --sequential SEQ.c"),
        (["--kind", "openmp", "--target", "kokkos"], "--kind openmp writes openmp programs; --target kokkos contradicts it"),
    ],
)
def test_cli_bad_options_are_one_line_errors(axpy, tmp_path, capsys, extra, message):
    task, _ = axpy
    seq = tmp_path / "seq.c"
    seq.write_text(task.seq_source)
    assert main(["parallelize", str(seq), "-m", "reference", "-q", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err


def test_cli_output_that_is_a_directory_is_refused_before_generating(axpy, tmp_path, capsys):
    task, _ = axpy
    seq = tmp_path / "seq.c"
    seq.write_text(task.seq_source)
    (tmp_path / "out").mkdir()
    assert main(["parallelize", str(seq), "-m", "reference", "-q", "-o", str(tmp_path / "out"), "--force"]) == 2
    assert capsys.readouterr().err == f"chathpc: error: {tmp_path / 'out'}: is a directory, expected a file\n"
    assert not any((tmp_path / "out").iterdir()) and not list(tmp_path.glob(".*.tmp"))


def test_reference_for_a_program_outside_the_suite_is_a_clear_error(fast_config):
    program = "#include <stdio.h>\nint main(void) { printf(\"1\\n\"); return 0; }\n"
    with pytest.raises(ChathpcError, match="not a suite task"):
        parallelize(program, get_provider("reference", fast_config), fast_config)


@pytest.mark.mpi
@pytest.mark.slow
def test_cli_perf_report_shows_speedup_and_bytes_moved(axpy, tmp_path, capsys):
    task, seq_path = axpy
    out = tmp_path / "mpi.c"
    code = main(["parallelize", str(seq_path), "-o", str(out), "-m", "reference", "--args", "7", "--perf",
                 "--perf-args", "200000", "--set", "harness.ranks=1,2", "--set", "harness.perf_repeats=1",
                 "--set", "harness.perf_warmup=0", "-q"])
    report = capsys.readouterr().out
    assert code == 0 and out.exists()
    assert "speedup" in report and "bytes moved" in report and "passed in round 0" in report


@pytest.mark.mpi
def test_cli_perf_report_quotes_no_speedup_from_an_untimeable_run(axpy, tmp_path, capsys):
    task, seq_path = axpy
    code = main(["parallelize", str(seq_path), "-o", str(tmp_path / "mpi.c"), "-m", "reference", "--args", "7", "--perf",
                 "--perf-args", "10", "--set", "harness.ranks=1,2", "--set", "harness.perf_repeats=1",
                 "--set", "harness.perf_warmup=0", "-q"])
    report = capsys.readouterr().out
    outcome = next(line for line in report.splitlines() if "passed in round 0" in line)
    assert code == 0 and "speedup" not in outcome, outcome
    assert "no speedup quoted" in report and "timing floor" in report


@pytest.fixture
def prose():
    register_provider("prose", lambda name, config: ProseProvider())
    yield
    unregister_provider("prose")


@pytest.mark.parametrize("flag", [None, "-q", "--quiet", "--no-progress"])
def test_cli_quiet_spellings_all_hide_the_candidate_lines(axpy, prose, capsys, flag):
    _, seq_path = axpy
    code = main(["parallelize", str(seq_path), "-m", "prose", "-n", "2", *([flag] if flag else [])])
    err = capsys.readouterr().err
    assert code == 1 and "no candidate passed" in err  # the report: on stderr when there is no -o
    lines = [line for line in err.splitlines() if line.startswith(("round 0 candidate", "note: generation.temperature"))]
    assert len(lines) == (0 if flag else 3), err


@pytest.mark.mpi
def test_cli_kind_ports_an_mpi_program_to_hybrid_checked_against_the_sequential_program(kinds_provider, tmp_path, capsys):
    from chathpc.tasks import get_task

    task = get_task("jacobi2d_5pt")
    (tmp_path / "seq.c").write_text(task.seq_source)
    (tmp_path / "mpi.c").write_text(task.mpi_source)
    out = tmp_path / "hybrid.c"
    code = main(["parallelize", str(tmp_path / "mpi.c"), "--kind", "mpi-to-hybrid", "--sequential", str(tmp_path / "seq.c"), "-m", "kinds",
                 "-o", str(out), "-q", "--args", "7 3", "--args", "37 10", "--set", "harness.layouts=1x2,2x1", "--set", "harness.repeats=1"])
    report = capsys.readouterr().out
    assert code == 0, report
    assert f"wrote {out}: candidate 0 passed in round 0" in report
    assert out.read_text() == task.solutions("hybrid")["reference"].rstrip() + "\n"
    prompt = kinds_provider.prompts[0]
    assert "Your job is MPI to MPI and OpenMP translation." in prompt and task.mpi_source.strip() in prompt

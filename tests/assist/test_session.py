"""``chathpc run`` driven through stdin: multi-turn, /file, /check, /save, /context, /reset, history."""

from __future__ import annotations

import io

import pytest

from chathpc.assist.session import messages
from chathpc.cli import main


def run_session(monkeypatch, capsys, script: str, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code = main(["run", "-m", "scripted", "--args", "7", "--args", "37", "--perf-args", "200000",
                 "--set", "harness.ranks=1,2", "--set", "harness.perf_repeats=1", "--set", "harness.perf_warmup=0", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.mpi
def test_scripted_session_checks_repairs_and_saves(axpy, scripted, monkeypatch, capsys, tmp_path):
    task, seq_path = axpy
    out = tmp_path / "saved.c"
    history = tmp_path / "history"
    script = (
        f"/file {seq_path}\n"
        "/check\n"
        "The output is wrong with 2 ranks. Fix it.\n"
        "/check\n"
        f"/save {out}\n"
        f"/save {out}\n"
        "/bye\n"
        "never read\n"
    )
    code, stdout, stderr = run_session(monkeypatch, capsys, script, "--history", str(history))
    assert code == 1  # the second /save failed
    assert f"{out}: already exists (use --force to overwrite)" in stderr
    assert out.read_text() == task.mpi_source.rstrip() + "\n"
    checks = [line for line in stdout.splitlines() if line.startswith(("wrong_output", "pass"))]
    assert checks[0].startswith("wrong_output at 2 ranks") and checks[1].startswith("pass")
    assert "2 ranks: " in stdout and "speedup" in stdout and "bytes moved" in stdout
    first, follow_up = scripted.prompts
    assert task.seq_source.strip() in first and "Previous answer:" in follow_up
    assert follow_up.rstrip().endswith("### Answer:") and "Fix it." in follow_up
    assert history.read_text() == script[: script.index("never read")]  # input up to /bye, nothing after it


def test_commands_without_state_are_errors_and_the_session_goes_on(scripted, monkeypatch, capsys, tmp_path):
    script = (
        "/check\n/save x.c\n/file\n/file /no/such/file.c\n/frobnicate\n"
        "/context Sequential to MPI translation of stencils\n"
        '"""\nfirst line\nsecond line\n"""\n'
        "/reset\n/context\n"
    )
    code, stdout, stderr = run_session(monkeypatch, capsys, script)
    assert code == 1
    errors = stderr.splitlines()
    assert errors == [
        "error: /check needs a sequential program: load one with /file seq.c",
        "error: /save: no answer yet",
        "error: /file needs a path: /file seq.c",
        "error: /no/such/file.c: file not found",
        "error: unknown command /frobnicate (/help lists them)",
    ]
    assert "[context: Sequential to MPI translation of stencils]" in stdout
    assert "Your job is Sequential to MPI translation of stencils" in scripted.prompts[0]
    assert "first line\nsecond line" in scripted.prompts[0]
    assert stdout.rstrip().endswith("[context: Sequential to MPI translation]")
    assert not (tmp_path / "x.c").exists()


def test_messages_groups_multiline_blocks():
    assert list(messages(["a\n", '"""\n', "b\n", "c\n", '"""\n', "d\n", '"""\n', "e\n"])) == ["a", "b\nc", "d", "e"]


@pytest.mark.ml
def test_run_streams_a_local_model_answer(tiny_model_dir, monkeypatch, capsys):
    from chathpc.config import RunConfig
    from chathpc.data import Record, load_template, render_prompt
    from chathpc.providers import GenerationRequest, get_provider
    from chathpc.tasks import CONTEXT

    monkeypatch.setattr("sys.stdin", io.StringIO("Parallelize a dot product.\n/bye\n"))
    code = main(["run", "-m", f"hf:{tiny_model_dir}", "--set", "generation.max_new_tokens=16"])
    stdout = capsys.readouterr().out
    config = RunConfig(generation={"max_new_tokens": 16})
    record = Record(question="Parallelize a dot product.", context=CONTEXT)
    request = GenerationRequest(prompt=render_prompt(record, load_template()), record=record)
    expected = get_provider(f"hf:{tiny_model_dir}", config).generate([request], 1, config.generation)[0][0]
    assert code == 0 and expected.strip() and stdout.startswith(expected)
    assert "[no C program in this answer]" in stdout


@pytest.mark.mpi
@pytest.mark.slow
def test_run_reads_a_script_from_a_pipe(axpy, tmp_path):
    import subprocess
    import sys

    task, seq_path = axpy
    out = tmp_path / "mpi.c"
    script = f"/file {seq_path}\n/check\n/save {out}\n"
    proc = subprocess.run(
        [sys.executable, "-m", "chathpc", "run", "-m", "reference", "--args", "7", "--perf-args", "1000",
         "--set", "harness.ranks=1,2", "--set", "harness.perf_repeats=1", "--set", "harness.perf_warmup=0"],
        input=script, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "pass (2 runs)" in proc.stdout and f"[wrote {out}]" in proc.stdout
    assert out.read_text() == task.mpi_source.rstrip() + "\n"


def test_save_to_an_unwritable_path_is_an_error_and_the_session_goes_on(axpy, monkeypatch, capsys, tmp_path):
    _, seq_path = axpy
    blocker = tmp_path / "notes.txt"
    blocker.write_text("keep")
    folder = tmp_path / "folder"
    folder.mkdir()
    good = tmp_path / "out" / "mpi.c"
    script = f"/file {seq_path}\n/save {blocker}/mpi.c\n/save {folder} --force\n/save {good}\n/bye\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    assert main(["run", "-m", "reference", "--no-history"]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors == [f"error: {blocker}: is a file, expected a directory", f"error: {folder}: is a directory, expected a file"]
    assert blocker.read_text() == "keep" and not any(folder.iterdir()) and "MPI_Init" in good.read_text()


@pytest.mark.mpi
@pytest.mark.slow
def test_context_switches_between_kinds_and_the_wording_target_and_check_follow(kinds_provider, monkeypatch, capsys, tmp_path):
    from chathpc.tasks import get_task

    dot, jacobi = get_task("dot"), get_task("jacobi2d_5pt")
    (tmp_path / "dot_seq.c").write_text(dot.seq_source)
    (tmp_path / "jacobi_seq.c").write_text(jacobi.seq_source)
    (tmp_path / "jacobi_mpi.c").write_text(jacobi.mpi_source)
    script = (
        "/context\n"
        "/context openmp\n"
        f"/file {tmp_path / 'dot_seq.c'}\n/check\n"
        "/context mpi-to-hybrid\n"
        f"/file {tmp_path / 'jacobi_mpi.c'}\n/check\n/sequential {tmp_path / 'jacobi_seq.c'}\n/check\n"
        "/context Porting stencils to hybrid MPI + OpenMP\n"
        "/reset\n/context\n/bye\n"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(script))
    code = main(["run", "-m", "kinds", "--args", "7 3", "--perf-args", "300 20", "--set", "harness.threads=1,2",
                 "--set", "harness.layouts=1x2,2x1", "--set", "harness.repeats=1", "--set", "harness.perf_repeats=1",
                 "--set", "harness.perf_warmup=0"])
    out, err = capsys.readouterr()
    assert code == 1 and err.splitlines() == ["error: /check: kind mpi-to-hybrid needs the sequential program too: /sequential seq.c"]
    assert "[kinds: mpi, openmp, kokkos, hybrid, openmp-to-kokkos, mpi-to-hybrid, optimize-mpi" in out
    assert "[kind: none (translation to harness.target mpi)]" in out
    assert "[kind openmp: /file takes a sequential program; answers are OpenMP programs checked for same output" in out
    assert "[context: Sequential to OpenMP translation]" in out and "[context: MPI to MPI and OpenMP translation]" in out
    openmp_prompt, hybrid_prompt = kinds_provider.prompts
    assert "Your job is Sequential to OpenMP translation." in openmp_prompt
    assert "Parallelize the following sequential C program with OpenMP." in openmp_prompt and dot.seq_source.strip() in openmp_prompt
    assert "Your job is MPI to MPI and OpenMP translation." in hybrid_prompt
    assert "Add OpenMP threads to the following MPI C program" in hybrid_prompt and jacobi.mpi_source.strip() in hybrid_prompt
    checks = [line for line in out.splitlines() if line.startswith(("pass", "wrong_output", "not_"))]
    assert len(checks) == 2 and all(line.startswith("pass") for line in checks), checks
    assert "1 threads" in out or "1 thread" in out  # the OpenMP check ran at thread counts, not rank counts
    assert "[context: Porting stencils to hybrid MPI + OpenMP]" in out
    assert out.rstrip().endswith("[context: Sequential to MPI translation]")

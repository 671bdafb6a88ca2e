"""C++ and Fortran programs: language detection, the not-MPI rule per language, the example tasks checked and
timed with the real mpicxx/mpifort (the PMPI shim links into both; Fortran profiles hold the time only)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig
from chathpc.harness import ProgramOptions, Verdict, check, initializes_mpi
from chathpc.harness.languages import LanguageError, get_language, language_for_files, language_for_path
from chathpc.tasks.loader import load_suite

EXAMPLES = Path(__file__).parents[2] / "examples" / "tasks"
TWO_RANKS = HarnessConfig(ranks=[1, 3], perf_ranks=[1, 2], perf_repeats=1, perf_warmup=0)
needs_fortran = pytest.mark.skipif(shutil.which("gfortran") is None, reason="gfortran missing (scripts/setup.sh installs it)")


def example(task_id: str):
    return next(t for t in load_suite(root=EXAMPLES) if t.id == task_id)


def test_language_by_extension_and_by_name():
    assert [language_for_path(p).name for p in ("a.c", "a.cc", "a.cpp", "a.cxx", "a.f90", "a.F90", "a.f")] == [
        "c", "cxx", "cxx", "cxx", "fortran", "fortran", "fortran"]
    assert language_for_path("prog.txt") is None
    assert language_for_files(["seq.txt", "mpi.cc"]).name == "cxx"
    assert language_for_files(["seq.txt"]).name == "c"
    assert language_for_files(["seq.c", "mpi.f90"], "fortran").name == "fortran"
    with pytest.raises(LanguageError, match=r"different languages: seq.c \(C\), mpi.f90 \(Fortran\)"):
        language_for_files(["seq.c", "mpi.f90"])
    with pytest.raises(LanguageError, match="unknown language 'rust'"):
        get_language("rust")
    cfg = HarnessConfig()
    assert [get_language(n).compiler(cfg) for n in ("c", "cxx", "fortran")] == ["mpicc", "mpicxx", "mpifort"]


@pytest.mark.parametrize(("language", "source", "expected"), [
    ("c", "int main(int c, char **v) { MPI_Init(&c, &v); }", True),
    ("c", "int main() { /* MPI_Init(0, 0); */ puts(\"MPI_Init(\"); }", False),
    ("cxx", "int main() { MPI::Init(); }", True),
    ("cxx", "int main(int c, char **v) { int p; MPI_Init_thread(&c, &v, MPI_THREAD_FUNNELED, &p); }", True),
    ("cxx", "int main() { // MPI_Init(nullptr, nullptr);\n}", False),
    ("fortran", "program p\n  use mpi\n  call MPI_Init(ierr)\nend program", True),
    ("fortran", "program p\n  use mpi_f08\n  call mpi_init()\nend program", True),
    ("fortran", "program p\n  include 'mpif.h'\n  call MPI_INIT_THREAD(1, k, ierr)\nend program", True),
    ("fortran", "program p\n  call MPI_Init(ierr)\nend program", False),  # no MPI interface in scope
    ("fortran", "program p\n  use mpi\n  ! call MPI_Init(ierr)\n  print *, 'call MPI_Init'\nend program", False),
])
def test_not_mpi_rule_per_language(language, source, expected):
    assert initializes_mpi(source, language) is expected


def test_fixed_form_comment_is_not_an_init():
    fixed = "      program p\n      include 'mpif.h'\nC     call MPI_Init(ierr)\n      end\n"
    assert get_language("fortran").initializes_mpi(fixed, ".f") is False
    assert get_language("fortran").initializes_mpi(fixed.replace("C     call", "      call"), ".f") is True


@pytest.mark.mpi
def test_cxx_stencil_passes_and_a_missing_halo_exchange_fails(work_root):
    task = example("heat1d_cxx")
    assert task.options.language == "cxx" and task.options.source_name == "prog.cc"
    assert check(task.seq_source, task.mpi_source, args=task.args, config=TWO_RANKS, options=task.options).passed
    no_halo = "\n".join(line for line in task.mpi_source.splitlines() if "MPI_Sendrecv" not in line)
    result = check(task.seq_source, no_halo, args=task.args[1:2], config=TWO_RANKS, options=task.options)
    assert result.verdict == Verdict.WRONG_OUTPUT and [r.ranks for r in result.runs] == [1, 3]


@pytest.mark.mpi
def test_cxx_timing_links_the_pmpi_shim_and_counts_messages(work_root):
    task = example("heat1d_cxx")
    result = check(task.seq_source, task.mpi_source, args=[task.args[0]], config=TWO_RANKS, options=task.options,
                   perf=True, perf_args=["4000", "20"])
    perf = result.perf
    assert perf is not None and perf.error is None and [t.ranks for t in perf.timings] == [1, 2]
    two = perf.timings[1]
    assert [c.p2p_messages for c in two.comm] == [20, 20]  # one halo cell to the one neighbour per step
    assert all(c.collective_calls == 2 for c in two.comm)


@pytest.mark.mpi
@needs_fortran
def test_fortran_axpy_passes_times_without_counts_and_a_sequential_answer_is_not_mpi(work_root):
    task = example("axpy_fortran")
    assert task.options.language == "fortran"
    result = check(task.seq_source, task.mpi_source, args=task.args, config=TWO_RANKS, options=task.options,
                   perf=True, perf_args=["2000"])
    assert result.passed and len(result.runs) == 6
    assert result.perf.error is None and [t.ranks for t in result.perf.timings] == [1, 2]
    assert all(t.seconds > 0 and t.comm == [] for t in result.perf.timings)  # Fortran: MPI_Init..MPI_Finalize, no counts
    sequential = check(task.seq_source, task.seq_source, args=task.args[:1], config=TWO_RANKS, options=task.options)
    assert sequential.verdict == Verdict.NOT_MPI


@pytest.mark.mpi
def test_a_candidate_in_another_language_does_not_compile(work_root):
    task = example("heat1d_cxx")
    c_options = ProgramOptions(language="c")
    result = check("#include <stdio.h>\nint main(void) { puts(\"1\"); return 0; }\n", task.mpi_source, config=TWO_RANKS, options=c_options)
    assert result.verdict == Verdict.BUILD_ERROR and "cstdio" in result.build_log  # built as C by mpicc

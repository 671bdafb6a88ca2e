"""synth for every target: each family's OpenMP, Kokkos and hybrid programs from the same kernel, verified runs per
target, determinism, and portability pairs (openmp-to-kokkos, mpi-to-hybrid)."""

from __future__ import annotations

import hashlib
import json

import pytest

from chathpc.cli import main
from chathpc.data import load_records
from chathpc.data.templates import render_example, render_prompt
from chathpc.synth.engine import SynthOptions, candidate
from chathpc.synth.families import FAMILIES
from chathpc.synth.targets import kokkos_views, strip_markers, to_kokkos, to_openmp
from chathpc.tasks.kinds import get_kind
from chathpc.tasks.loader import translation_question

QUICK = ["--explore-rate", "0", "--sizes", "1", "-q"]


def _all_programs(count: int = 4):
    for name, family in FAMILIES.items():
        for index in range(count):
            yield family, candidate(9, index, [name])


def test_every_family_emits_its_targets_without_markers():
    for family, pair in _all_programs():
        assert set(pair.programs) == set(family.targets), family.name
        assert pair.programs["mpi"] == pair.mpi
        for text in (pair.sequential, *pair.programs.values()):
            assert "@par" not in text and "@atomic" not in text and "@scan" not in text
        omp, kokkos = pair.programs["openmp"], pair.programs["kokkos"]
        assert "#pragma omp parallel for" in omp and "mpi.h" not in omp
        assert "Kokkos::initialize(argc, argv);" in kokkos and "Kokkos::finalize();" in kokkos
        assert "Kokkos::parallel_" in kokkos and "#pragma omp" not in kokkos
        main_part = kokkos.split("int main(", 1)[1]
        assert "Kokkos::View<" in main_part and "malloc" not in main_part and "free(" not in main_part
        if "hybrid" in pair.programs:
            hybrid = pair.programs["hybrid"]
            assert "MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);" in hybrid
            assert "#pragma omp parallel for" in hybrid and "MPI_Finalize();" in hybrid


def test_sequential_and_mpi_programs_are_what_they_were_before_targets():
    # digest of the first 44 candidates of seed 3 (every family 4 times), computed with the code before targets
    digests = []
    for index in range(44):
        pair = candidate(3, index, list(FAMILIES))
        text = pair.sequential + "\0" + pair.mpi + "\0" + json.dumps(pair.args) + json.dumps(pair.params)
        digests.append(hashlib.sha256(text.encode()).hexdigest())
    assert hashlib.sha256("".join(digests).encode()).hexdigest() == "b48ca4e84a69eea93d1b08da2bf5fbf3602187e35c266c91e1102ec7eac575a1"


def test_hybrid_only_where_the_suite_has_hybrid_programs():
    assert sorted(n for n, f in FAMILIES.items() if "hybrid" in f.targets) == ["iterate", "stencil1d", "stencil2d", "stencil3d"]
    assert SynthOptions(count=1, target="hybrid").families == ["stencil1d", "stencil2d", "stencil3d", "iterate"]
    assert SynthOptions(count=1).families == list(FAMILIES)


def test_programs_are_deterministic_per_seed():
    first, again, other = candidate(4, 3, ["reduce"]), candidate(4, 3, ["reduce"]), candidate(5, 3, ["reduce"])
    assert first.programs == again.programs and first.programs != other.programs


def test_markers_become_each_targets_construct():
    marked = ("  long s = 0;\n  @par +:s:long max:m:double@\n  for (int i = 0; i < n; i++) {\n    s += a[i];\n    if (a[i] > m) m = a[i];\n  }\n"
              "  @atomic@\n  for (long e = 0; e < nnz; e++) y[ri[e]] += v[e];\n"
              "  @scan exclusive:run:long@\n  for (int i = 0; i < n; i++) {\n    o[i] = run;\n    run += a[i];\n  }\n")
    assert strip_markers(marked).count("@") == 0 and strip_markers(marked).count("for (") == 3
    omp = to_openmp(marked)
    assert "#pragma omp parallel for reduction(+:s) reduction(max:m)\n  for (int i" in omp
    assert "#pragma omp atomic\n    y[ri[e]] += v[e];" in omp
    assert "#pragma omp parallel for reduction(inscan, +:run)" in omp and "o[i] = run;\n#pragma omp scan exclusive(run)\n    run += a[i];" in omp
    kokkos = to_kokkos(marked, "k")
    assert ('Kokkos::parallel_reduce("k_0", Kokkos::RangePolicy<>(0, n), KOKKOS_LAMBDA(const int i, long &s, double &m) {'
            in kokkos and "}, s, Kokkos::Max<double>(m));" in kokkos)
    assert "Kokkos::atomic_add(&y[ri[e]], v[e]);" in kokkos
    assert "KOKKOS_LAMBDA(const int i, long &run, const bool final) {\n    if (final) o[i] = run;\n    run += a[i];" in kokkos
    # a range whose end may fall below its start is clamped (Kokkos 3.4 runs an inverted range as a huge one)
    assert "RangePolicy<>(3, 3 < n - 3 ? n - 3 : 3)" in to_kokkos("  @par@\n  for (int i = 3; i < n - 3; i++) v[i] = 0;\n", "k")


def test_heap_arrays_become_views():
    body = ("  double *x = malloc((size_t)n * sizeof(double)), *y = calloc((size_t)n, sizeof(double));\n"
            "  long *c = malloc((size_t)nnz * sizeof(long) + 1);\n"
            "  x[c[i]] = y[i + 1];\n  printf(\"x[%d]\\n\", i);\n  double *swap_tmp = x;\n  x = y;\n  y = swap_tmp;\n"
            "  report(\"x\", x, n);\n  free(x); free(y); free(c);\n")
    views = kokkos_views(body)
    assert 'Kokkos::View<double *> x("x", (size_t)n);\n  Kokkos::View<double *> y("y", (size_t)n);' in views
    assert 'Kokkos::View<long *> c("c", (size_t)nnz + 1);' in views
    assert "x(c(i)) = y(i + 1);" in views and 'printf("x[%d]\\n", i);' in views  # strings untouched
    assert "auto swap_tmp = x;" in views and 'report("x", x.data(), n);' in views and "free(" not in views


def test_port_records_use_the_kinds_wording():
    text = get_kind("openmp-to-kokkos").question("int main(void) { return 0; }", "c")
    assert text.startswith("Port the following OpenMP C program to Kokkos in C++17")
    assert text.endswith("```c\nint main(void) { return 0; }\n```")
    assert "rank 0 only" in get_kind("mpi-to-hybrid").question("x", "c")


def test_bad_target_and_port_requests_are_one_line_errors(tmp_path, capsys):
    out = str(tmp_path / "out")
    assert main(["synth", "-o", out, "--target", "hybrid", "--families", "map"]) == 2
    assert "map emits no hybrid program" in capsys.readouterr().err
    assert main(["synth", "-o", out, "--port", "openmp-to-openmp"]) == 2
    assert "--port: expected SOURCE-to-TARGET" in capsys.readouterr().err
    assert main(["synth", "-o", out, "--port", "mpi-to-hybrid", "--target", "kokkos"]) == 2
    assert "answers in hybrid" in capsys.readouterr().err
    assert main(["synth", "-o", out, "--repair-from", "x.jsonl", "--target", "openmp"]) == 2
    assert "MPI repair turns" in capsys.readouterr().err


def _checked(records, target, marker):
    for record in records:
        meta = record.metadata
        assert meta["verdict"] == "pass" and meta["target"] == target and meta["kind"] == target
        assert marker in record.answer
        assert 0 < meta["similarity"] < 0.85 and meta["nearest_test_task"]


@pytest.mark.slow
def test_openmp_run_verifies_and_is_deterministic(tmp_path):
    first, again = tmp_path / "a", tmp_path / "b"
    args = ["--target", "openmp", "--count", "3", "--families", "map,reduce,scan", "--seed", "3", *QUICK]
    assert main(["synth", "-o", str(first), *args]) == 0
    assert main(["synth", "-o", str(again), *args]) == 0
    assert (first / "dataset.jsonl").read_bytes() == (again / "dataset.jsonl").read_bytes()
    records = load_records(first / "dataset.jsonl")
    assert len(records) == 3
    _checked(records, "openmp", "#pragma omp parallel for")
    for record in records:
        assert record.context == "Sequential to OpenMP translation" and record.id.startswith("synth-openmp-3-")
        sequential = record.question.split("```c\n", 1)[1].rsplit("\n```", 1)[0]
        assert record.question == translation_question(sequential, "c", "openmp")
        assert record.metadata["configurations"] == ["t1", "t2", "t3", "t4"]
    stats = json.loads((first / "stats.json").read_text())
    assert stats["target"] == "openmp" and stats["kept"] == 3 and stats["verdicts"] == {"pass": 3}


@pytest.mark.mpi
@pytest.mark.slow
def test_hybrid_run_verifies_and_skips_families_without_hybrid(tmp_path):
    assert main(["synth", "-o", str(tmp_path), "--target", "hybrid", "--count", "2", "--seed", "1", *QUICK]) == 0
    records = load_records(tmp_path / "dataset.jsonl")
    assert len(records) == 2 and {r.metadata["family"] for r in records} <= {"stencil1d", "stencil2d", "stencil3d", "iterate"}
    _checked(records, "hybrid", "MPI_THREAD_FUNNELED")
    assert all("#pragma omp parallel for" in r.answer for r in records)
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert "map" in stats["families_without_target"] and "hybrid program, not generated" in (tmp_path / "stats.md").read_text()


@pytest.mark.mpi
@pytest.mark.slow
def test_mpi_to_hybrid_port_record_renders(tmp_path):
    assert main(["synth", "-o", str(tmp_path), "--port", "mpi-to-hybrid", "--count", "1", "--families", "stencil1d",
                 "--seed", "2", *QUICK]) == 0
    (record,) = load_records(tmp_path / "dataset.jsonl")
    assert record.context == "MPI to MPI and OpenMP translation" and record.id == "synth-mpi-to-hybrid-2-0"
    assert record.metadata["source_target"] == "mpi" and record.metadata["kind"] == "mpi-to-hybrid"
    assert record.question.startswith("Add OpenMP threads to the following MPI C program")
    assert "MPI_Init(&argc, &argv);" in record.question and "MPI_Init_thread" in record.answer
    prompt, answer = render_example(record)
    assert record.question in render_prompt(record) and answer.startswith("```c\n")


@pytest.mark.kokkos
@pytest.mark.slow
def test_kokkos_run_verifies_one_pair(tmp_path):
    assert main(["synth", "-o", str(tmp_path), "--target", "kokkos", "--count", "1", "--families", "reduce", "--seed", "1", *QUICK]) == 0
    (record,) = load_records(tmp_path / "dataset.jsonl")
    _checked([record], "kokkos", "Kokkos::parallel_")
    assert record.answer.startswith("```cpp\n") and "Kokkos::initialize(argc, argv);" in record.answer


@pytest.mark.kokkos
@pytest.mark.slow
def test_openmp_to_kokkos_port_verifies_both_programs(tmp_path):
    assert main(["synth", "-o", str(tmp_path), "--port", "openmp-to-kokkos", "--count", "1", "--families", "map", "--seed", "1", *QUICK]) == 0
    (record,) = load_records(tmp_path / "dataset.jsonl")
    assert record.context == "OpenMP to Kokkos translation" and record.metadata["source_target"] == "openmp"
    assert "#pragma omp parallel for" in record.question and "Kokkos::parallel_for" in record.answer
    assert record.question.startswith("Port the following OpenMP C program to Kokkos")

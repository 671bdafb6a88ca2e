"""ParEval import and score on a small ParEval-shaped checkout written by the tests (two problems plus one whose
in ParEval's layout; the drivers and problems are this project's own minimal code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

UTILITIES = r"""#pragma once
#include <cstdio>
#include <string>
#include <vector>
#if !defined(USE_SERIAL) && !defined(USE_MPI)
#error "no parallel model"
#endif
#define NO_OPTIMIZE __attribute__((optimize("O0")))
#define NO_INLINE __attribute__((noinline))
#if defined(USE_MPI)
#include <mpi.h>
#define IS_ROOT(rank) ((rank) == 0)
#define GET_RANK(rank) MPI_Comm_rank(MPI_COMM_WORLD, &(rank))
#define SHARE_BOOL(flag) MPI_Bcast(&(flag), 1, MPI_CXX_BOOL, 0, MPI_COMM_WORLD)
#else
#define IS_ROOT(rank) true
#define GET_RANK(rank) (rank) = 0
#define SHARE_BOOL(flag)
#endif
"""

DRIVER = r"""// test driver ({model})
#include <cstdio>
#include <string>
{include}
class Context;
Context *init();
void compute(Context *ctx);
void best(Context *ctx);
bool validate(Context *ctx);
void destroy(Context *ctx);

int main(int argc, char **argv) {{
    {init}
    int iterations = argc > 1 ? std::stoi(argv[1]) : 2;
    int rank = 0;
    {rank}
    Context *ctx = init();
    bool valid = validate(ctx);
    if (rank == 0) printf("Validation: %s\n", valid ? "PASS" : "FAIL");
    for (int i = 0; i < iterations; i++) compute(ctx);
    if (rank == 0) printf("Time: %.6f\n", {seconds});
    for (int i = 0; i < iterations; i++) best(ctx);
    if (rank == 0) printf("BestSequential: 0.5\n");
    destroy(ctx);
    {finalize}
    return 0;
}}
"""

SUM_CPU = r"""// driver of 00_reduce_sum
#include <numeric>
#include <vector>
#include "utilities.hpp"
#include "baseline.hpp"
#include "generated-code.hpp"

struct Context { std::vector<double> x; };
Context *init() { Context *c = new Context(); c->x.resize(DRIVER_PROBLEM_SIZE); for (size_t i = 0; i < c->x.size(); i++) c->x[i] = 0.25 * (i % 13); return c; }
void NO_OPTIMIZE compute(Context *c) { volatile double s = sum(c->x); (void)s; }
void NO_OPTIMIZE best(Context *c) { volatile double s = correctSum(c->x); (void)s; }
bool validate(Context *c) {
    int rank; GET_RANK(rank);
    std::vector<double> x(37); for (size_t i = 0; i < x.size(); i++) x[i] = 1.0 + i;
    double got = sum(x);
    bool ok = true;
    if (IS_ROOT(rank)) ok = got == correctSum(x);
    SHARE_BOOL(ok);
    return ok;
}
void destroy(Context *c) { delete c; }
"""

SUM_BASELINE = r"""#pragma once
#include <vector>
/* Return the sum of x. */
double NO_INLINE correctSum(std::vector<double> const& x) {
    double s = 0.0;
    for (double v : x) s += v;
    return s;
}
"""

NEGATE_CPU = r"""// driver of 01_transform_negate: the generated code comes before the baseline
#include <vector>
#include "utilities.hpp"
#include "generated-code.hpp"
#include "baseline.hpp"

struct Context { std::vector<int> x; };
Context *init() { Context *c = new Context(); c->x.assign(DRIVER_PROBLEM_SIZE, 3); return c; }
void NO_OPTIMIZE compute(Context *c) { negateAll(c->x); }
void NO_OPTIMIZE best(Context *c) { correctNegateAll(c->x); }
bool validate(Context *c) {
    int rank; GET_RANK(rank);
    std::vector<int> x(29), y(29); for (int i = 0; i < 29; i++) x[i] = y[i] = i - 7;
    negateAll(x); correctNegateAll(y);
    bool ok = true;
    if (IS_ROOT(rank)) ok = x == y;
    SHARE_BOOL(ok);
    return ok;
}
void destroy(Context *c) { delete c; }
"""

NEGATE_BASELINE = r"""#pragma once
#include <vector>
void NO_INLINE correctNegateAll(std::vector<int> &x) {
    for (int &v : x) v = -v;
}
"""

SUM_SIGNATURE = "double sum(std::vector<double> const& x) {"
NEGATE_SIGNATURE = "void negateAll(std::vector<int> &x) {"


def prompt(signature: str, mpi: bool) -> str:
    head = "#include <mpi.h>\n\n" if mpi else ""
    note = "\n   Use MPI. Every rank has a complete copy of the input; the result counts on rank 0." if mpi else ""
    return f"{head}/* The function below.{note}\n*/\n{signature}"


SUM_MPI = """    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double mine = 0.0, total = 0.0;
    for (size_t i = rank; i < x.size(); i += size) mine += x[i];
    MPI_Allreduce(&mine, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    return total;
}"""
SAMPLES = {
    "correct": SUM_MPI,
    "buggy": SUM_MPI.replace("MPI_SUM", "MPI_MAX"),
    "not_mpi": "    double s = 0.0;\n    for (double v : x) s += v;\n    return s;\n}",
    "no_build": "    return x.sum()\n}",
    "whole_function": "Here it is:\n```cpp\n" + SUM_SIGNATURE + "\n" + SUM_MPI + "\n```\n",
}
NEGATE_SAMPLES = ["    int rank;\n    MPI_Comm_rank(MPI_COMM_WORLD, &rank);\n    for (int &v : x) v = -v;\n}", "    for (int &v : x) v = -v;\n}"]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def checkout(tmp_path) -> Path:
    """The ParEval-shaped checkout (two MPI problems that build, one whose driver does not)."""
    root = tmp_path / "ParEval"
    drivers = root / "drivers" / "cpp"
    write(drivers / "utilities.hpp", UTILITIES)
    write(drivers / "models" / "serial-driver.cc", DRIVER.format(model="serial", include="", init="", rank="", finalize="", seconds="0.5"))
    write(drivers / "models" / "mpi-driver.cc", DRIVER.format(
        model="mpi", include="#include <mpi.h>", init="MPI_Init(&argc, &argv);", rank="MPI_Comm_rank(MPI_COMM_WORLD, &rank);",
        finalize="MPI_Finalize();", seconds="0.25"))
    problems = {
        ("reduce", "00_reduce_sum"): (SUM_CPU, SUM_BASELINE, SUM_SIGNATURE),
        ("transform", "01_transform_negate"): (NEGATE_CPU, NEGATE_BASELINE, NEGATE_SIGNATURE),
        ("transform", "02_transform_broken"): (NEGATE_CPU.replace("struct Context {", "struct Context { undefined_type y;"),
                                               NEGATE_BASELINE, NEGATE_SIGNATURE),
    }
    entries, sizes = [], {}
    for (kind, name), (cpu, baseline, signature) in problems.items():
        write(drivers / "benchmarks" / kind / name / "cpu.cc", cpu)
        write(drivers / "benchmarks" / kind / name / "baseline.hpp", baseline)
        for model in ("serial", "mpi", "omp"):
            entries.append({"problem_type": kind, "language": "cpp", "name": name, "parallelism_model": model,
                            "prompt": prompt(signature, model == "mpi")})
        sizes[name] = {"serial": "(1<<10)", "mpi": "(1<<12)"}
    write(root / "prompts" / "generation-prompts.json", json.dumps(entries, indent=1))
    translation = {**entries[1], "translation_prompt": "// Serial implementation of sum\n// " + SUM_SIGNATURE
                   + "\n//   ...\n// }\n\n// MPI implementation of sum\n" + prompt(SUM_SIGNATURE, True),
                   "translation_src_model": "serial", "translation_dst_model": "mpi", "translation_function_name": "sum"}
    write(root / "prompts" / "translation-prompts.json", json.dumps([translation], indent=1))
    write(root / "drivers" / "problem-sizes.json", json.dumps(sizes))
    return root


def outputs_file(path: Path, checkout: Path, labels: dict[str, tuple[bool, bool]] | None = None) -> Path:
    """A ParEval outputs file: the sum problem with SAMPLES, the negate problem with NEGATE_SAMPLES;
    ``labels`` (sample name -> did_build, are_all_valid) makes it an evaluated file."""
    entries = json.loads((checkout / "prompts" / "generation-prompts.json").read_text())
    mpi = {e["name"]: e for e in entries if e["parallelism_model"] == "mpi"}
    if labels is None:
        sums = list(SAMPLES.values())
    else:
        sums = [{"generated_output": text, "did_build": labels[name][0], "is_source_valid": name != "not_mpi",
                 "are_all_valid": labels[name][1], "runs": []} for name, text in SAMPLES.items()]
    data = [{**mpi["00_reduce_sum"], "outputs": sums}, {**mpi["01_transform_negate"], "outputs": NEGATE_SAMPLES}]
    path.write_text(json.dumps(data, indent=1))
    return path


pytestmark = pytest.mark.mpi


def load(root: Path):
    from chathpc.tasks import load_suite

    return {t.id: t for t in load_suite(root=root)}


def test_template_assembles_a_body_or_a_whole_function_and_judges_mpi_by_the_answer():
    from chathpc.harness import ProgramOptions
    from chathpc.tasks.template import AnswerTemplate

    template = AnswerTemplate(program="int before;\n// chathpc:answer\nint after;\n", prompt=prompt(SUM_SIGNATURE, True), function="sum")
    body = template.assemble(SAMPLES["correct"])
    assert body.index("int before;") < body.index(SUM_SIGNATURE) < body.index("MPI_Allreduce") < body.index("int after;")
    whole = template.assemble(SUM_SIGNATURE + "\n" + SAMPLES["correct"])
    assert whole.count(SUM_SIGNATURE) == 1 and "#include <mpi.h>" in whole
    assert template.assemble("  \n") is None
    rule = ProgramOptions(language="cxx", mpi_rule="answer_calls_mpi")
    assert rule.is_mpi(body) and not rule.is_mpi(template.assemble(SAMPLES["not_mpi"]))
    assert not rule.is_mpi(template.assemble("    // MPI_Allreduce(...)\n    return 0.0;\n}"))
    with pytest.raises(ValueError, match="exactly once"):
        AnswerTemplate(program="int main() {}\n", prompt="", function="f")


@pytest.mark.slow
def test_import_writes_tasks_and_dataset_and_lists_what_does_not_build(checkout, tmp_path, capsys):
    from chathpc.cli import main

    out = tmp_path / "tasks"
    code = main(["pareval", "import", str(checkout), "-o", str(out), "--set", "harness.ranks=1,2"])
    printed = capsys.readouterr().out
    assert code == 0 and "imported 2 problems" in printed
    assert "not imported: 02_transform_broken: the sequential program does not compile" in printed
    assert json.loads((out / "import-failures.json").read_text()).keys() == {"02_transform_broken"}
    tasks = load(out)
    assert set(tasks) == {"00_reduce_sum", "01_transform_negate"} and not (out / "transform" / "02_transform_broken").exists()
    negate = tasks["01_transform_negate"]
    assert negate.domain == "transform" and negate.options.defines == ["DRIVER_PROBLEM_SIZE=(1<<12)"]
    assert negate.options.mpi_rule == "answer_calls_mpi" and negate.template.function == "negateAll"
    records = [json.loads(line) for line in (out / "dataset.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["00_reduce_sum", "01_transform_negate"]
    assert records[0]["question"].rstrip().endswith(SUM_SIGNATURE + "\n```")
    assert main(["pareval", "import", str(checkout), "-o", str(out)]) == 2  # the dataset exists: --force
    assert "already exists" in capsys.readouterr().err
    assert main(["test", "--tasks", str(out), "-m", "reference", "-o", str(tmp_path / "ref.jsonl"), "--no-progress",
                 "--set", "harness.ranks=1,3"]) == 0
    lines = [json.loads(line) for line in (tmp_path / "ref.jsonl").read_text().splitlines()]
    assert [line["verdict"] for line in lines] == ["pass", "pass"]


@pytest.mark.slow
def test_score_checks_every_sample_and_resumes(checkout, tmp_path, capsys):
    from chathpc.cli import main

    outputs = outputs_file(tmp_path / "outputs.json", checkout)
    results = tmp_path / "results.jsonl"
    argv = ["pareval", "score", str(checkout), str(outputs), "-o", str(results), "--ranks", "1,3", "--no-progress"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert [(d["item_id"], d["sample"], d["verdict"]) for d in lines] == [
        ("00_reduce_sum", 0, "pass"), ("00_reduce_sum", 1, "wrong_output"), ("00_reduce_sum", 2, "not_mpi"),
        ("00_reduce_sum", 3, "build_error"), ("00_reduce_sum", 4, "pass"),
        ("01_transform_negate", 0, "pass"), ("01_transform_negate", 1, "not_mpi")]
    assert "the answer calls no MPI function" in lines[2]["feedback"]
    assert "s per sample checked" in printed and "ParEval's labels" not in printed
    assert main(argv) == 2 and "--resume" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0
    assert "(0 new lines, 7 kept" in capsys.readouterr().out
    assert main(["pareval", "score", str(checkout), str(outputs), "-o", str(tmp_path / "r2.jsonl"), "--problems", "09_nothing"]) == 2
    assert "no MPI entry for problem '09_nothing'" in capsys.readouterr().err


def test_score_compares_with_parevals_labels(checkout, tmp_path, capsys):
    from chathpc.cli import main

    labels = {"correct": (True, True), "buggy": (True, True), "not_mpi": (True, True), "no_build": (False, False),
              "whole_function": (False, False)}
    outputs = outputs_file(tmp_path / "evaluated.json", checkout, labels)
    disagreements = tmp_path / "disagreements.jsonl"
    assert main(["pareval", "score", str(checkout), str(outputs), "-o", str(tmp_path / "r.jsonl"), "--ranks", "2",
                 "--problems", "00_reduce_sum", "--disagreements", str(disagreements), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    # theirs: build 4/5... as labelled; not_mpi is invalid for ParEval too (is_source_valid false)
    assert "ParEval's labels (5 samples): build@1 0.600, pass@1 0.400; ours on the same samples: build@1 0.800, pass@1 0.400" in printed
    assert "disagreements on build: 0 they build / we fail, 1 we build / they fail" in printed
    assert "disagreements on pass: 1 they pass / we fail, 1 we pass / they fail" in printed
    found = [json.loads(line) for line in disagreements.read_text().splitlines()]
    assert {(d["sample"], d["kind"], d["theirs"], d["ours"], d["our_verdict"]) for d in found} == {
        (1, "pass", True, False, "wrong_output"), (4, "build", False, True, "pass"), (4, "pass", False, True, "pass")}


@pytest.mark.mpi
def test_import_of_translation_prompts_asks_with_the_serial_code(checkout, tmp_path, capsys):
    from chathpc.cli import main

    out = tmp_path / "translated"
    assert main(["pareval", "import", str(checkout), "-o", str(out), "--prompts", "translation"]) == 0
    task = load(out)["00_reduce_sum"]
    assert "// Serial implementation of sum" in task.question() and task.template.prompt.rstrip().endswith(SUM_SIGNATURE)
    assert "imported 1 problems" in capsys.readouterr().out


def test_bad_checkout_and_outputs_are_one_line_errors(checkout, tmp_path, capsys):
    from chathpc.cli import main

    assert main(["pareval", "import", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")]) == 2
    assert "generation-prompts.json: missing (is" in capsys.readouterr().err
    assert main(["pareval", "import", str(checkout), "-o", str(tmp_path / "o"), "--problems", "99_none"]) == 2
    assert "no MPI problem '99_none'" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["pareval", "score", str(checkout), str(bad), "-o", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "bad.json: invalid JSON" in err and err.count("\n") == 1


@pytest.mark.slow
def test_score_goes_through_the_scheduler_and_reports_memory(checkout, tmp_path, capsys, monkeypatch):
    import chathpc.schedule.queue
    from chathpc.cli import main

    scheduled = []
    real_map = chathpc.schedule.queue.Scheduler.map

    def spy(self, jobs, progress=None):
        scheduled.extend(jobs)
        return real_map(self, jobs, progress)

    monkeypatch.setattr(chathpc.schedule.queue.Scheduler, "map", spy)
    results = tmp_path / "results.jsonl"
    assert main(["pareval", "score", str(checkout), str(outputs_file(tmp_path / "outputs.json", checkout)), "-o", str(results),
                 "--problems", "01_transform_negate", "--ranks", "1,2", "--perf", "--set", "harness.perf_ranks=1,2",
                 "--set", "harness.perf_repeats=1", "--set", "harness.perf_warmup=0", "--no-progress"]) == 0
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert [(d["item_index"], d["sample"], d["verdict"]) for d in lines] == [(1, 0, "pass"), (1, 1, "not_mpi")]
    assert len(scheduled) == 2  # both samples were checked by the scheduler, not one by one
    assert set(lines[0]["memory_mib"]) == {"1", "2"} and all(v > 0 for v in lines[0]["memory_mib"].values())
    assert lines[1]["memory_mib"] == {}


# ParEval itself (MIT): its omp, mpi+omp and kokkos problems and its drivers/test-outputs.json --------------------

PAREVAL_MIRROR = Path("/work/.mirror/parallelcodefoundry+ParEval/repo")


@pytest.fixture(scope="module")
def pareval(tmp_path_factory) -> Path:
    """A ParEval checkout: $CHATHPC_PAREVAL (a checkout), else the files of the bare mirror's HEAD (git archive)."""
    import os
    import subprocess

    named = os.environ.get("CHATHPC_PAREVAL")
    if named:
        if not (Path(named) / "prompts" / "generation-prompts.json").is_file():
            pytest.fail(f"CHATHPC_PAREVAL={named} is not a ParEval checkout")
        return Path(named)
    if not PAREVAL_MIRROR.is_dir():
        pytest.skip(f"no ParEval checkout: set CHATHPC_PAREVAL to one (or keep the mirror at {PAREVAL_MIRROR})")
    root = tmp_path_factory.mktemp("ParEval")
    archive = subprocess.run(["git", "-C", str(PAREVAL_MIRROR), "archive", "HEAD", "prompts", "drivers"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive.stdout, check=True)
    return root


@pytest.fixture(scope="module")
def kokkos_available() -> None:
    from chathpc.config import HarnessConfig
    from chathpc.harness.targets import TargetError, kokkos_root

    try:
        kokkos_root(HarnessConfig())
    except TargetError as exc:
        pytest.skip(str(exc))


# problems whose arguments need each part of the Kokkos adapter: a vector<bool>, a view resized by the baseline,
# 2-D views flattened (written back in place), Kokkos::complex
REAL_PROBLEMS = {
    "openmp": ["25_reduce_xor", "10_geometry_convex_hull"],
    "hybrid": ["25_reduce_xor", "10_geometry_convex_hull"],
    "kokkos": ["25_reduce_xor", "10_geometry_convex_hull", "00_dense_la_lu_decomp", "02_dense_la_gemm", "06_fft_dft"],
}
CONFIGURATIONS = {"openmp": ["--set", "harness.threads=1,2,4"], "hybrid": ["--set", "harness.layouts=1x2,2x2"],
                  "kokkos": ["--set", "harness.threads=1,2,4"]}


@pytest.mark.slow
@pytest.mark.parametrize("target", ["openmp", "hybrid", "kokkos"])
def test_real_parevals_problems_import_and_their_references_pass_at_the_targets_configurations(pareval, target, tmp_path, capsys, request):
    from chathpc.cli import main

    if target == "kokkos":
        request.getfixturevalue("kokkos_available")
    out = tmp_path / "tasks"
    assert main(["pareval", "import", str(pareval), "-o", str(out), "--target", target,
                 "--problems", ",".join(REAL_PROBLEMS[target])]) == 0
    assert f"imported {len(REAL_PROBLEMS[target])} problems" in capsys.readouterr().out
    tasks = load(out)
    xor = tasks["25_reduce_xor"]
    assert xor.answer_target == target and xor.args == [["1"]]
    assert ("Use Kokkos" if target == "kokkos" else "Use MPI and OpenMP" if target == "hybrid" else "Use OpenMP") in xor.question(target)
    assert xor.solutions(target)["reference"] == xor.mpi_source and xor.solutions("mpi" if target != "mpi" else "openmp") == {}
    results = tmp_path / "ref.jsonl"
    assert main(["test", "--tasks", str(out), "--target", target, "-m", "reference", "-o", str(results), "--no-progress",
                 *CONFIGURATIONS[target]]) == 0
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert {line["item_id"]: line["verdict"] for line in lines} == {name: "pass" for name in REAL_PROBLEMS[target]}
    for line in lines:
        runs = {(r["ranks"], r["threads"]) for r in line["check"]["runs"]}
        assert runs == ({(2, 2), (1, 2)} if target == "hybrid" else {(1, 1), (1, 2), (1, 4)})


# ParEval's drivers/test-outputs.json: per model, a correct sequential body, a parallel one (omp), an empty body
# and a call of an undefined function. It names problems by an older numbering (41_sort_sort_non-zero_elements is
# today's 44_..., 52_transform_relu today's 55_...): the file is rewritten with today's names and prompts.
TEST_OUTPUTS = {
    "openmp": {("44_sort_sort_non-zero_elements", 0): "not_parallel", ("44_sort_sort_non-zero_elements", 1): "pass",
               ("44_sort_sort_non-zero_elements", 3): "build_error", ("55_transform_relu", 0): "pass",
               ("55_transform_relu", 1): "not_parallel"},
    "hybrid": {("44_sort_sort_non-zero_elements", 1): "pass", ("44_sort_sort_non-zero_elements", 3): "build_error",
               ("32_scan_sum_of_prefix_sum_array", 0): "not_parallel"},
    "kokkos": {("55_transform_relu", 0): "pass", ("55_transform_relu", 1): "not_parallel",
               ("55_transform_relu", 2): "build_error", ("44_sort_sort_non-zero_elements", 0): "not_parallel"},
}


def todays_test_outputs(pareval: Path, model: str, path: Path) -> Path:
    """ParEval's test-outputs.json entries of ``model`` under today's problem names and prompts."""
    today = {e["name"].split("_", 1)[1]: e for e in json.loads((pareval / "prompts" / "generation-prompts.json").read_text())
             if e["parallelism_model"] == model}
    old = [e for e in json.loads((pareval / "drivers" / "test-outputs.json").read_text()) if e["parallelism_model"] == model]
    path.write_text(json.dumps([{**today[e["name"].split("_", 1)[1]], "outputs": e["outputs"]} for e in old]))
    return path


@pytest.mark.slow
@pytest.mark.parametrize("target", ["openmp", "hybrid", "kokkos"])
def test_score_of_parevals_test_outputs(pareval, target, tmp_path, capsys, request):
    from chathpc.cli import main
    from chathpc.external.pareval import MODELS

    if target == "kokkos":
        request.getfixturevalue("kokkos_available")
    outputs = todays_test_outputs(pareval, MODELS[target].name, tmp_path / "test-outputs.json")
    problems = sorted({name for name, _ in TEST_OUTPUTS[target]})
    results = tmp_path / "results.jsonl"
    assert main(["pareval", "score", str(pareval), str(outputs), "-o", str(results), "--target", target,
                 "--problems", ",".join(problems), "--no-progress", *CONFIGURATIONS[target]]) == 0
    verdicts = {(d["item_id"], d["sample"]): d["verdict"] for d in map(json.loads, results.read_text().splitlines())}
    assert {key: verdicts.get(key) for key in TEST_OUTPUTS[target]} == TEST_OUTPUTS[target]
    assert "s per sample checked" in capsys.readouterr().out


@pytest.mark.slow
def test_a_kokkos_problem_that_kokkos_3_4_cannot_build_is_listed_with_the_compilers_reason(pareval, kokkos_available, tmp_path, capsys):
    from chathpc.cli import main

    # its driver calls Kokkos::Experimental::fill (the std algorithms, Kokkos 3.6+): Kokkos 3.4 has none
    assert main(["pareval", "import", str(pareval), "-o", str(tmp_path / "o"), "--target", "kokkos",
                 "--problems", "23_histogram_first_letter_counts"]) == 1
    printed = capsys.readouterr().out
    assert "not imported: 23_histogram_first_letter_counts: the reference answer does not pass here: build_error" in printed
    assert "(compiler: " in printed and "Experimental" in printed


@pytest.mark.slow
def test_a_problem_whose_baseline_fails_its_own_validation_is_not_imported(pareval, tmp_path, capsys):
    from chathpc.cli import main

    # 07_fft_fft_conjugate's cpu.cc validates against an FFT without the conjugation: the sequential program prints FAIL
    assert main(["pareval", "import", str(pareval), "-o", str(tmp_path / "o"), "--target", "openmp",
                 "--problems", "07_fft_fft_conjugate"]) == 1
    assert "not imported: 07_fft_fft_conjugate: ParEval's serial baseline fails the problem's own validation" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("target, source", [("openmp", "Serial"), ("kokkos", "CUDA")])
def test_import_of_parevals_translation_prompts_of_other_targets(pareval, target, source, tmp_path, capsys, request):
    from chathpc.cli import main

    if target == "kokkos":
        request.getfixturevalue("kokkos_available")
    out = tmp_path / "translated"
    assert main(["pareval", "import", str(pareval), "-o", str(out), "--target", target, "--prompts", "translation",
                 "--problems", "14_geometry_closest_pair_1d"]) == 0
    question = json.loads((out / "dataset.jsonl").read_text())["question"]
    title = "Kokkos" if target == "kokkos" else "OpenMP"
    assert question.startswith(f"Complete the following C++ function with {title}.") and f"// {source} implementation of closestPair" in question


def test_a_target_parevals_checkout_lacks_is_one_line(pareval, tmp_path, capsys):
    from chathpc.cli import main
    from chathpc.external.pareval import ParEvalError, pareval_model

    with pytest.raises(ParEvalError, match="no problems for target 'cuda'"):
        pareval_model("cuda")
    assert main(["pareval", "import", str(pareval), "-o", str(tmp_path / "o"), "--target", "kokkos", "--problems", "99_none"]) == 2
    assert "no Kokkos problem '99_none'" in capsys.readouterr().err

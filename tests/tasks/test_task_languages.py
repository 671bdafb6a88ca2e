"""Task folders in C++ and Fortran, with extra sources, include dirs, defines, filters and a time pattern in
task.yaml; bad fields give one-line errors naming the file; ``--tasks DIR`` on test, bench and compare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from chathpc.cli import main
from chathpc.tasks import TaskError, load_suite, load_task

EXAMPLES = Path(__file__).parents[2] / "examples" / "tasks"


def test_example_tasks_load_with_their_language():
    tasks = {t.id: t for t in load_suite(root=EXAMPLES)}
    assert {i: (t.options.language, t.options.suffix) for i, t in tasks.items()} == {
        "axpy_fortran": ("fortran", ".f90"), "heat1d_cxx": ("cxx", ".cc")}
    record = tasks["heat1d_cxx"].to_record()
    assert "sequential C++ program" in record.question and "```cpp\n" in record.question and record.answer.startswith("```cpp\n")
    assert tasks["axpy_fortran"].to_record().answer.startswith("```fortran\n")


def test_items_without_a_task_get_their_language_from_the_question_program():
    from chathpc.data import Record
    from chathpc.errors import ChathpcError
    from chathpc.evaluate.items import item_check

    tasks = {t.id: t for t in load_suite(root=EXAMPLES)}
    fortran = tasks["axpy_fortran"].to_record()
    assert fortran.metadata["language"] == "fortran"
    anonymous = Record(question=fortran.question, answer=fortran.answer)
    assert item_check(anonymous, {}).options.language == "fortran"
    cxx = Record(question=tasks["heat1d_cxx"].to_record().question)
    assert item_check(cxx, {}).options.language == "cxx"
    c = Record(question="```c\n#include <stdio.h>\nint main(void) { return 0; }\n```")
    assert item_check(c, {}).options is None
    with pytest.raises(ChathpcError, match="metadata.language 'rust' is not one of c, cxx, fortran"):
        item_check(Record(question=c.question, id="x", metadata={"language": "rust"}), {})


def write_task(root: Path, spec: str, files: dict[str, str]) -> Path:
    folder = root / "blas" / "demo"
    folder.mkdir(parents=True)
    (folder / "task.yaml").write_text("id: demo\ndomain: blas\nsplit: test\ndescription: d\nargs: [[\"1\"]]\nperf_args: [\"1\"]\n" + spec)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def test_multi_file_task_fields_become_program_options(tmp_path):
    folder = write_task(tmp_path, (
        "sources: [lib/util.c]\ninclude_dirs: [include]\ndefines: [N=4, FAST]\n"
        "ignore_lines: ['^Time']\ncompare_lines: ['^sum']\ntime_pattern: 'Time: (\\S+)'\n"
    ), {"seq.c": "int main(void){return 0;}\n", "mpi.c": "int main(void){return 0;}\n", "lib/util.c": "int u;\n",
        "include/u.h": "#define U 1\n", "include/sub/v.h": "#define V 2\n", "include/notes.txt": "not a header\n"})
    options = load_task(folder).options
    assert options.language == "c" and options.sources == {"util.c": "int u;\n"}
    assert options.headers == {"inc0/sub/v.h": "#define V 2\n", "inc0/u.h": "#define U 1\n"} and options.include_dirs == ["inc0"]
    assert options.defines == ["N=4", "FAST"] and options.ignore_lines == ["^Time"] and options.time_pattern == "Time: (\\S+)"


@pytest.mark.parametrize(("spec", "files", "message"), [
    ("language: rust\n", {}, r"task.yaml: language: Value error, unknown language 'rust'"),
    ("sources: [../x.c]\n", {}, r"task.yaml: '../x.c' must be a path inside the task folder"),
    ("compare_lines: ['(']\n", {}, r"task.yaml: compare_lines: invalid regex '\('"),
    ("time_pattern: 'Time'\n", {}, r"task.yaml: time_pattern: time pattern 'Time' must have exactly one group"),
    ("include_dirs: [nope]\n", {}, r"nope: include directory not found"),
    ("", {"seq.cc": "int main(){}\n"}, r"several seq programs \(seq.c, seq.cc\)"),
    ("language: fortran\n", {}, r"seq.F90: missing"),
])
def test_bad_task_fields_are_one_line_errors(tmp_path, spec, files, message):
    folder = write_task(tmp_path, spec, {"seq.c": "int main(void){return 0;}\n", "mpi.c": "int main(void){return 0;}\n", **files})
    with pytest.raises(TaskError, match=message) as info:
        load_task(folder)
    assert "\n" not in str(info.value)


def test_variants_of_the_task_language_only(tmp_path):
    folder = write_task(tmp_path, "", {"seq.cc": "int main(){}\n", "mpi.cc": "int main(){}\n",
                                        "variants/fast.cpp": "int main(){}\n", "variants/README.md": "notes\n"})
    task = load_task(folder)
    assert task.options.language == "cxx" and list(task.variants) == ["fast"]


@pytest.mark.mpi
@pytest.mark.skipif(shutil.which("gfortran") is None, reason="gfortran missing (scripts/setup.sh installs it)")
def test_tasks_dir_on_test_bench_and_compare(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ranks = ["--set", "harness.ranks=1,3"]
    assert main(["test", "--tasks", str(EXAMPLES), "-m", "reference", "-o", "ref.jsonl", "--no-progress", *ranks]) == 0
    lines = [json.loads(line) for line in Path("ref.jsonl").read_text().splitlines()]
    assert [(d["item_id"], d["verdict"]) for d in lines] == [("axpy_fortran", "pass"), ("heat1d_cxx", "pass")]
    assert main(["test", "--tasks", str(EXAMPLES), "-m", "sequential", "-o", "seq.jsonl", "--no-progress", *ranks]) == 0
    assert {json.loads(line)["verdict"] for line in Path("seq.jsonl").read_text().splitlines()} == {"not_mpi"}
    assert main(["bench", "--tasks", str(EXAMPLES), "--out", "bench", "--no-progress", *ranks]) == 0
    assert "2/2 solutions pass" in capsys.readouterr().out
    assert main(["compare", "--tasks", str(EXAMPLES), "-r", "ref.jsonl", "-m", "sequential", "-o", "cmp", "--no-plots",
                 "--no-progress", *ranks]) == 0
    out = capsys.readouterr().out
    assert "reference: pass@1 100.0% over 2 items" in out and "sequential: pass@1 0.0% over 2 items" in out

"""The task suite loads, every task folder is complete and valid, and bad folders give one-line errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from chathpc.tasks import DOMAINS, INSTRUCTION, SPLITS, SUITE_DIR, Task, TaskError, get_task, load_suite, load_task

SUITE = load_suite()
TASK_IDS = [t.id for t in SUITE]


def test_suite_size_and_coverage():
    assert len(SUITE) >= 40
    assert {t.domain for t in SUITE} == set(DOMAINS)
    assert {t.split for t in SUITE} == set(SPLITS)
    assert len(set(TASK_IDS)) == len(TASK_IDS)
    assert {t.split for t in SUITE if t.domain == "solver"} == {"test"}, "the solver is test-only (composed from trained patterns)"


def test_every_folder_is_a_loaded_task():
    folders = sorted(p for p in SUITE_DIR.glob("*/*") if p.is_dir() and not p.name.startswith((".", "_")))
    assert [f.name for f in folders] == [t.path.name for t in SUITE]


@pytest.mark.parametrize("task", SUITE, ids=TASK_IDS)
def test_task_conventions(task: Task):
    assert task.path.name == task.id and task.path.parent.name == task.domain
    assert all(task.args) and task.perf_args, "correctness and timing arguments are required"
    assert "MPI_" not in task.seq_source and "mpi.h" not in task.seq_source, "seq.c must be sequential"
    for name, source in task.solutions().items():
        assert "#include <mpi.h>" in source and "MPI_Init(" in source and "MPI_Finalize()" in source, name
        assert "rand(" not in source, f"{name}: data must be deterministic from the index"
    printed = re.findall(r'printf\("([^"]*)"', task.seq_source)
    assert printed and all("%f" not in p and "%g" not in p for p in printed), "print numbers with %.12e"


def test_get_task_and_filters():
    assert get_task("spmv_csr").domain == "sparse"
    assert {t.id for t in load_suite(split="test", domain="solver")} == {"cg"}
    assert all(t.split == "refine" for t in load_suite(split="refine"))
    with pytest.raises(TaskError, match="did you mean 'spmv_csr'"):
        get_task("spmv_cssr")
    with pytest.raises(TaskError, match="unknown split"):
        load_suite(split="validation")
    with pytest.raises(TaskError, match="unknown domain"):
        load_suite(domain="fft")


def test_record_format():
    record = get_task("jacobi2d_5pt").to_record()
    assert record.question.startswith(INSTRUCTION + "\n\n```c\n")
    assert record.question.endswith("```") and record.answer.startswith("```c\n") and record.answer.endswith("\n```")
    assert record.context == "Sequential to MPI translation" and record.id == "jacobi2d_5pt"
    assert set(record.metadata) == {"task", "domain", "split", "args", "perf_args"}
    assert "MPI_Sendrecv" in record.answer and "MPI_Sendrecv" not in record.question


def _copy_task(tmp_path: Path, task_id: str = "spmv_ell") -> Path:
    source = get_task(task_id).path
    target = tmp_path / "suite" / source.parent.name / source.name
    shutil.copytree(source, target)
    return target


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda y: y + "bogus: 1\n", r"task\.yaml: bogus: Extra inputs"),
        (lambda y: y.replace("split: train", "split: validation"), r"task\.yaml: split: Input should be"),
        (lambda y: y.replace("id: spmv_ell", "id: spmv_elll"), r"task\.yaml: id 'spmv_elll' differs from the folder"),
        (lambda y: y.replace("domain: sparse", "domain: blas"), r"task\.yaml: domain 'blas' differs"),
        (lambda y: y.replace("args: [", "args: [[", 1), r"task\.yaml: line \d+: invalid YAML"),
        (lambda y: "\n".join(line for line in y.splitlines() if not line.startswith("perf_args")), r"task\.yaml: perf_args: Field required"),
        (lambda y: "- just a list\n", r"task\.yaml: expected a mapping"),
    ],
)
def test_bad_task_yaml_names_the_file(tmp_path, edit, message):
    folder = _copy_task(tmp_path)
    spec = folder / "task.yaml"
    spec.write_text(edit(spec.read_text()))
    with pytest.raises(TaskError, match=message) as info:
        load_suite(root=tmp_path / "suite")
    assert str(spec) in str(info.value)


def test_missing_and_empty_files(tmp_path):
    folder = _copy_task(tmp_path)
    (folder / "mpi.c").unlink()
    with pytest.raises(TaskError, match=r"mpi\.c: missing"):
        load_task(folder)
    (folder / "mpi.c").write_text("  \n")
    with pytest.raises(TaskError, match=r"mpi\.c: empty"):
        load_task(folder)


def test_duplicate_ids_and_stray_folders(tmp_path):
    folder = _copy_task(tmp_path)
    twin = tmp_path / "suite" / "stencil" / folder.name
    shutil.copytree(folder, twin)
    (twin / "task.yaml").write_text((twin / "task.yaml").read_text().replace("domain: sparse", "domain: stencil"))
    with pytest.raises(TaskError, match="id 'spmv_ell' already used by"):
        load_suite(root=tmp_path / "suite")
    shutil.rmtree(twin)
    (tmp_path / "suite" / "fft").mkdir()
    with pytest.raises(TaskError, match="unknown domain folder"):
        load_suite(root=tmp_path / "suite")
    with pytest.raises(TaskError, match="suite directory not found"):
        load_suite(root=tmp_path / "nowhere")


def test_a_file_given_as_the_suite_is_named_as_such(tmp_path):
    file = tmp_path / "suite.yaml"
    file.write_text("keep")
    with pytest.raises(TaskError, match=r"suite.yaml: is a file, expected a task suite directory$"):
        load_suite(root=file)

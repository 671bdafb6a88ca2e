"""The Slurm backend on a real one-node cluster (scripts/slurm-local.sh): the same results as the local
backend, a bench domain inside salloc, a submitted `test` run that completes and resumes, hostile
programs in job steps with nothing left behind."""

from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.evaluate.results import read_results
from chathpc.schedule import CheckJob, Scheduler

from .conftest import PROGRAMS as PROGRAMS_DIR
from .conftest import REPO, processes_under, program

pytestmark = [pytest.mark.slow, pytest.mark.mpi]

SEQ = program("seq_sum.c")
CANDIDATES = ["mpi_sum_correct.c", "mpi_sum_no_remainder.c", "mpi_sum_segfault.c", "mpi_sum_correct.c"]
PROBE = """
import json, sys
from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.schedule import CheckJob, Scheduler
request = json.load(sys.stdin)
scheduler = Scheduler(HarnessConfig.model_validate(request["config"]), ScheduleConfig(backend="slurm"))
jobs = [CheckJob.model_validate(job) for job in request["jobs"]]
print(json.dumps([o.model_dump(mode="json") for o in scheduler.check_all(jobs)]))
"""


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src"), **extra}


def _in_allocation(payload: dict, cpus: int = 2, **env: str) -> list[dict]:
    proc = subprocess.run(["salloc", "-Q", "-n", str(cpus), sys.executable, "-c", PROBE], input=json.dumps(payload),
                          capture_output=True, text=True, timeout=600, env=_env(**env))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _shape(result: dict) -> tuple:
    return (result["verdict"], result["passed"], [(r["args"], r["ranks"], r["verdict"], r["stdout"]) for r in result["runs"]])


def test_slurm_backend_gives_the_local_results(slurm_cluster):
    cfg = HarnessConfig(ranks=[1, 2, 3, 4])
    jobs = [CheckJob(sequential=SEQ, candidate=program(name), args=[["7"], ["10"]]) for name in CANDIDATES]
    local = Scheduler(cfg, ScheduleConfig(backend="local"), jobs=2).check_all(jobs)
    remote = _in_allocation({"config": cfg.model_dump(mode="json"), "jobs": [j.model_dump(mode="json") for j in jobs]})
    assert [_shape(r) for r in remote] == [_shape(r.model_dump(mode="json")) for r in local]
    assert [r["verdict"] for r in remote] == ["pass", "wrong_output", "runtime_error", "pass"]
    assert remote[0]["isolation"] == local[0].isolation  # the same sandbox in the job step


def test_hostile_programs_in_job_steps_leave_nothing_behind(slurm_cluster):
    cfg = HarnessConfig(ranks=[2], timeout=10.0, memory_mb=256)
    names = ["mpi_sum_fork_bomb.c", "mpi_sum_setsid_daemon.c", "mpi_sum_memory_hog.c"]
    jobs = [CheckJob(sequential=SEQ, candidate=program(name), args=[["7"]]) for name in names]
    root = Path(tempfile.mkdtemp(prefix="chathpc-slurm-hostile-"))
    root.chmod(0o711)  # the runs' private uids must reach their work dirs
    try:
        remote = _in_allocation({"config": cfg.model_dump(mode="json"), "jobs": [j.model_dump(mode="json") for j in jobs]},
                                TMPDIR=str(root))
        assert remote[0]["verdict"] != "pass" and remote[2]["verdict"] != "pass"
        assert remote[1]["runs"], remote[1]  # the setsid daemon ran (and passed or not): it must be gone
        left = processes_under(root)
        remaining = list(root.iterdir())
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert not left, f"candidate processes survived their job steps: {left}"
    assert not remaining, f"work dirs left behind: {remaining}"


def test_bench_domain_inside_salloc_matches_local(slurm_cluster, tmp_path):
    common = [sys.executable, "-m", "chathpc", "bench", "--domain", "solver", "--no-progress", "--set", "harness.ranks=1,2,4"]
    local = subprocess.run([*common, "--out", str(tmp_path / "local"), "--set", "schedule.backend=local"],
                           capture_output=True, text=True, timeout=600, env=_env())
    remote = subprocess.run(["salloc", "-Q", "-n", "2", *common, "--out", str(tmp_path / "slurm")],
                            capture_output=True, text=True, timeout=600, env=_env())
    assert local.returncode == 0 and remote.returncode == 0, local.stderr[-1500:] + remote.stderr[-1500:]
    rows = {name: json.loads((tmp_path / name / "bench.json").read_text())["rows"] for name in ("local", "slurm")}
    shape = {name: [(r["task"], r["verdict"], r["verdict_by_ranks"]) for r in found] for name, found in rows.items()}
    assert shape["local"] == shape["slurm"] and all(r["passed"] for r in rows["slurm"])


def _wait_for(jobs: str) -> None:
    for _ in range(600):
        if not subprocess.run(["squeue", "-h", "-j", jobs], capture_output=True, text=True).stdout.strip():
            return
        time.sleep(0.5)
    raise AssertionError(f"jobs {jobs} still queued or running after 5 minutes")


def _submit(out: Path, *extra: str, limit: int = 2) -> str:
    proc = subprocess.run([sys.executable, "-m", "chathpc", "test", "--model", "reference", "--limit", str(limit), "--out", str(out),
                           "--no-progress", "--set", "harness.ranks=1,2", "--submit", "--sbatch-args=-n 2", *extra],
                          capture_output=True, text=True, timeout=120, env=_env(), cwd=out.parent)
    assert proc.returncode == 0, proc.stderr
    assert "squeue -j" in proc.stdout and "tail -f" in proc.stdout
    return proc.stdout.split("squeue -j ")[1].split(";")[0]


def test_submitted_test_run_completes_and_resumes(slurm_cluster, tmp_path):
    out = tmp_path / "test-reference.jsonl"
    _wait_for(_submit(out))
    first = read_results(out).lines
    assert len(first) == 2 and all(line.passed for line in first), (out.with_name(out.name + ".sbatch")).read_text()
    whole = out.read_bytes()
    out.write_bytes(whole[: whole.index(b"\n") + 40])  # killed in the middle of the second line
    _wait_for(_submit(out))
    again = read_results(out).lines
    assert [(l.item_id, l.sample, l.verdict, l.code) for l in again] == [(l.item_id, l.sample, l.verdict, l.code) for l in first]
    assert out.read_bytes()[: whole.index(b"\n")] == whole[: whole.index(b"\n")]


def test_submitted_job_array_gathers_its_shards(slurm_cluster, tmp_path):
    single, array = tmp_path / "single.jsonl", tmp_path / "array.jsonl"
    _wait_for(_submit(single, limit=3))
    jobs = _submit(array, "--array", "2", limit=3)
    assert "," in jobs and (tmp_path / "array.jsonl.gather.sbatch").is_file()
    _wait_for(jobs)
    fields = lambda path: [(l.item_id, l.sample, l.verdict, l.code) for l in read_results(path).lines]  # noqa: E731
    assert len(fields(array)) == 3 and fields(array) == fields(single)
    assert not list(tmp_path.glob("array.jsonl.shard-*"))


HEADERS = "#include <mpi.h>\n#include <string.h>\n#include <unistd.h>\n#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n"


def with_prologue(code: str) -> str:
    """The correct candidate with ``code`` run by rank 0 right after MPI_Init (as in tests/harness/test_sandbox.py)."""
    body = program("mpi_sum_correct.c").replace("#include <mpi.h>\n", HEADERS)
    return body.replace("    long n = argc", f"    if (rank == 0) {{\n{code}\n    }}\n    long n = argc", 1)


def writer(targets: list[Path]) -> str:
    return with_prologue("\n".join(
        f'        {{ FILE *f = fopen("{t}", "w"); if (f) {{ fputs("escaped", f); fclose(f); }} else perror("fopen"); }}' for t in targets))


def network_caller(port: int) -> str:
    return with_prologue(
        "        int s = socket(AF_INET, SOCK_STREAM, 0);\n"
        f"        struct sockaddr_in a = {{0}}; a.sin_family = AF_INET; a.sin_port = htons({port});\n"
        '        a.sin_addr.s_addr = inet_addr("127.0.0.1");\n'
        '        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) write(s, "escaped", 7);\n'
        '        else perror("connect");\n'
        "        close(s);"
    )


def test_check_refuses_the_srun_launcher_and_names_the_slurm_backend(tmp_path):
    """Ranks that srun starts keep the host's network and pids: the direct launch is refused, in one line."""
    (tmp_path / "seq.c").write_text(SEQ)
    (tmp_path / "mpi.c").write_text(program("mpi_sum_correct.c"))
    proc = subprocess.run([sys.executable, "-m", "chathpc", "check", str(tmp_path / "seq.c"), str(tmp_path / "mpi.c"),
                           "--args", "10", "--set", "harness.launcher=srun -n {n}"],
                          capture_output=True, text=True, timeout=120, env=_env())
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "srun is refused" in lines[0] and "schedule.backend: slurm" in lines[0]


def test_hostile_programs_under_slurm_job_steps(slurm_cluster):
    """The hostile set the srun launcher used to run, now through the Slurm backend: nothing escapes."""
    cfg = HarnessConfig(ranks=[2], timeout=15.0, memory_mb=256)
    root = Path(tempfile.mkdtemp(prefix="chathpc-slurm-hostile-"))
    root.chmod(0o711)  # the runs' private uids must reach their work dirs
    outside = [root / "escape.txt", PROGRAMS_DIR / "escape.txt", Path("/var/tmp") / f"chathpc-escape-{os.getpid()}.txt"]
    spy = with_prologue('        fprintf(stderr, "KEY=%s\\n", getenv("OPENAI_API_KEY") ? getenv("OPENAI_API_KEY") : "(unset)");')
    candidates = [program("mpi_sum_setsid_daemon.c"), writer(outside), program("mpi_sum_memory_hog.c"), spy]
    jobs = [CheckJob(sequential=SEQ, candidate=c, args=[["7"]]) for c in candidates]
    try:
        daemon, fs, hog, spied = _in_allocation({"config": cfg.model_dump(mode="json"), "jobs": [j.model_dump(mode="json") for j in jobs]},
                                                TMPDIR=str(root), OPENAI_API_KEY="sk-secret-value-456")
        left = processes_under(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert daemon["passed"] and fs["passed"] and spied["passed"]
    assert not left, f"candidate processes survived their job steps: {left}"
    assert "fopen" in fs["runs"][0]["stderr"] and not any(t.exists() for t in outside)
    assert hog["verdict"] != "pass"
    assert "KEY=(unset)" in spied["runs"][0]["stderr"]


def test_network_and_file_system_canaries_in_job_steps(slurm_cluster):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    outside = [PROGRAMS_DIR / "escape.txt", Path("/var/tmp") / f"chathpc-escape-{os.getpid()}.txt"]
    cfg = HarnessConfig(ranks=[2], timeout=15.0)
    jobs = [CheckJob(sequential=SEQ, candidate=c, args=[["7"]]) for c in (network_caller(listener.getsockname()[1]), writer(outside))]
    try:
        remote = _in_allocation({"config": cfg.model_dump(mode="json"), "jobs": [j.model_dump(mode="json") for j in jobs]})
        readable, _, _ = select.select([listener], [], [], 0.2)
    finally:
        listener.close()
    assert all(r["passed"] and r["isolation"] == "bwrap" for r in remote)
    assert "connect" in remote[0]["runs"][0]["stderr"] and readable == []
    assert not any(t.exists() for t in outside)

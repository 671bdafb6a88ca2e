"""The sandbox: scrubbed environment, no network, no writes outside the work dir, no survivors."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import time
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig
from chathpc.harness import Verdict, check, isolation_level
from chathpc.harness.sandbox import TOKEN_VARIABLE, _kill_token, running_as_root

pytestmark = pytest.mark.mpi

PROGRAMS = Path(__file__).parent / "programs"
SEQ = (PROGRAMS / "seq_sum.c").read_text()
CORRECT = (PROGRAMS / "mpi_sum_correct.c").read_text()
HEADERS = "#include <mpi.h>\n#include <string.h>\n#include <unistd.h>\n#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n"
CONFIG = HarnessConfig(ranks=[1, 2], timeout=20)


def with_prologue(code: str) -> str:
    """The correct candidate with ``code`` run by rank 0 right after MPI_Init."""
    body = CORRECT.replace("#include <mpi.h>\n", HEADERS)
    return body.replace("    long n = argc", f"    if (rank == 0) {{\n{code}\n    }}\n    long n = argc", 1)


def test_environment_is_scrubbed(work_root, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value_123")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-456")
    spy = with_prologue(
        '        const char *names[] = {"HF_TOKEN", "OPENAI_API_KEY"};\n'
        '        for (int i = 0; i < 2; i++) fprintf(stderr, "%s=%s\\n", names[i], getenv(names[i]) ? getenv(names[i]) : "(unset)");'
    )
    result = check(SEQ, spy, args=[["7"]], config=CONFIG)
    assert result.passed
    for run in result.runs:
        assert "HF_TOKEN=(unset)" in run.stderr and "OPENAI_API_KEY=(unset)" in run.stderr
        assert "secret" not in run.stderr


@pytest.mark.skipif(isolation_level() != "bwrap", reason="network isolation needs bubblewrap")
def test_no_network_under_bwrap(work_root):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    caller = with_prologue(
        "        int s = socket(AF_INET, SOCK_STREAM, 0);\n"
        f"        struct sockaddr_in a = {{0}}; a.sin_family = AF_INET; a.sin_port = htons({port});\n"
        '        a.sin_addr.s_addr = inet_addr("127.0.0.1");\n'
        '        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) write(s, "escaped", 7);\n'
        '        else perror("connect");\n'
        "        close(s);"
    )
    try:
        result = check(SEQ, caller, args=[["7"]], config=CONFIG)
        readable, _, _ = select.select([listener], [], [], 0.2)
    finally:
        listener.close()
    assert result.isolation == "bwrap" and result.passed
    assert "connect" in result.runs[0].stderr
    assert readable == [], "the candidate reached a socket outside the sandbox"


@pytest.mark.skipif(isolation_level() != "bwrap" and not running_as_root(), reason="needs bubblewrap or a private uid")
@pytest.mark.parametrize("sandbox", ["auto", "rlimits"])
def test_cannot_write_outside_the_work_dir(work_root, tmp_path, sandbox):
    targets = [tmp_path / "escape.txt", PROGRAMS / "escape.txt", work_root / "escape.txt"]
    writer = with_prologue(
        "\n".join(
            f'        {{ FILE *f = fopen("{t}", "w"); if (f) {{ fputs("escaped", f); fclose(f); }} else perror("fopen"); }}'
            for t in targets
        )
    )
    result = check(SEQ, writer, args=[["7"]], config=CONFIG.model_copy(update={"sandbox": sandbox}))
    assert result.passed
    assert not any(t.exists() for t in targets)


@pytest.mark.parametrize("sandbox", ["auto", "rlimits"])
def test_setsid_daemon_is_killed(work_root, sandbox):
    daemon = (PROGRAMS / "mpi_sum_setsid_daemon.c").read_text()
    result = check(SEQ, daemon, args=[["7"]], config=CONFIG.model_copy(update={"sandbox": sandbox}))
    assert result.passed
    assert result.isolation == isolation_level(sandbox)
    # work_root asserts that no process of the run survived


@pytest.mark.slow
def test_fork_bomb_is_contained_with_rlimits_only(work_root, fork_bomb_survivors):
    token, survivors = fork_bomb_survivors
    bomb = (PROGRAMS / "mpi_sum_fork_bomb.c").read_text()
    result = check(SEQ, bomb, args=[["7", token]], config=HarnessConfig(ranks=[2], timeout=4, sandbox="rlimits"))
    assert result.isolation == "rlimits"
    assert result.verdict in (Verdict.TIMEOUT, Verdict.RUNTIME_ERROR)
    assert survivors() == []


@pytest.mark.skipif(isolation_level() != "bwrap" and not running_as_root(), reason="needs bubblewrap or a private uid")
def test_compiler_cannot_read_private_files(work_root, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("int api_key_hunter2 = 1;\n")
    secret.chmod(0o600)
    sneaky = f'#include "{secret}"\n' + CORRECT
    result = check(SEQ, sneaky, args=[["7"]], config=CONFIG)
    assert result.verdict == Verdict.BUILD_ERROR
    assert str(secret) in result.build_log and "hunter2" not in result.build_log


def test_token_sweep_kills_escaped_processes_of_a_non_root_harness(tmp_path):
    """Without root (no private uid) the sweep finds a run's processes by the token in their environment."""
    token = "test-token-" + os.urandom(6).hex()
    escaped = subprocess.Popen(["sleep", "60"], env={"PATH": "/usr/bin:/bin", TOKEN_VARIABLE: token}, start_new_session=True)
    bystander = subprocess.Popen(["sleep", "60"], env={"PATH": "/usr/bin:/bin", TOKEN_VARIABLE: "other"}, start_new_session=True)
    try:
        time.sleep(0.1)
        _kill_token(token)
        assert escaped.wait(timeout=5) == -9
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_a_process_limit_above_the_hard_limit_is_capped_not_an_internal_error(tmp_path):
    import resource

    from chathpc.harness.sandbox import Limits, run_sandboxed

    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    if hard == resource.RLIM_INFINITY:
        pytest.skip("no hard process limit to exceed")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    os.chmod(run_dir, 0o777)
    limits = Limits(memory_mb=512, cpu_seconds=5, processes=hard + 10**6, max_output_bytes=1 << 16)  # e.g. --ranks 100000
    outcome = run_sandboxed(["/bin/echo", "ok"], run_dir, timeout=10, limits=limits, isolation="rlimits", read_only_dirs=[])
    assert outcome.exit_code == 0 and outcome.stdout.strip() == "ok"


def test_a_start_that_finds_the_binary_busy_is_tried_again(monkeypatch, tmp_path):
    """ETXTBSY (a fork in another thread holding the just-copied binary open) gets a second start, nothing else does."""
    from chathpc.harness import sandbox

    busy = sandbox.ProcessOutcome(exit_code=1, stdout="", stderr="bwrap: execvp /tmp/x/sequential: Text file busy\n",
                                  seconds=0.0, timed_out=False, truncated=False)
    done = sandbox.ProcessOutcome(exit_code=0, stdout="ok\n", stderr="", seconds=0.0, timed_out=False, truncated=False)
    failed = sandbox.ProcessOutcome(exit_code=1, stdout="", stderr="boom\n", seconds=0.0, timed_out=False, truncated=False)
    for outcomes, expected, calls in (([busy, done], done, 2), ([failed, done], failed, 1), ([busy, busy, busy, done], busy, 3)):
        given = iter(outcomes)
        started = []
        monkeypatch.setattr(sandbox, "_run_once", lambda *a, **k: started.append(1) or next(given))
        outcome = sandbox.run_sandboxed(["x"], tmp_path, timeout=1, limits=sandbox.Limits(memory_mb=64, cpu_seconds=1, processes=8,
                                        max_output_bytes=100), isolation="rlimits", read_only_dirs=[])
        assert outcome is expected and len(started) == calls

"""Isolation as an ordinary user and as root: the project's hostile programs against the real harness.

CI runs as root, so the ordinary-user case is a real account made by a fixture (``useradd``), with a
home holding a secret; the harness runs in a child process that dropped to that account's uid and
gid (the harness code is already imported, so nothing the account cannot read is needed). Its cache
is the account's own ``~/.cache/chathpc``, as for any user on a cluster.
"""

from __future__ import annotations

import io
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import pytest

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.harness import Verdict, check, isolation_level
from chathpc.schedule import check_many
from chathpc.harness import sandbox as sandbox_module
from chathpc.harness.sandbox import UNPROTECTED_WARNING

pytestmark = [pytest.mark.mpi, pytest.mark.slow]

PROGRAMS = Path(__file__).parent / "programs"
HOSTILE = PROGRAMS / "hostile"
SEQ = (PROGRAMS / "seq_sum.c").read_text()
CORRECT = (PROGRAMS / "mpi_sum_correct.c").read_text()
USER = f"chtest{os.getpid()}"  # one account per test process (xdist workers run side by side)
CONFIG = {"ranks": [1, 2], "timeout": 20}


def hostile(name: str) -> str:
    return (HOSTILE / f"{name}.c").read_text()


@pytest.fixture(scope="session")
def ordinary_user():
    """An ordinary account with a home dir holding ``secret.txt``; removed afterwards."""
    if os.geteuid() != 0 or shutil.which("useradd") is None:
        pytest.skip("creating a test account needs root and useradd")
    subprocess.run(["userdel", "-r", USER], capture_output=True)
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", USER], check=True, capture_output=True)
    account = pwd.getpwnam(USER)
    secret = f"SECRET-{secrets.token_hex(8)}"
    home = Path(account.pw_dir)
    (home / "secret.txt").write_text(secret + "\n")
    os.chown(home / "secret.txt", account.pw_uid, account.pw_gid)
    (home / "secret.txt").chmod(0o600)
    yield account, secret
    subprocess.run(["pkill", "-KILL", "-u", USER], capture_output=True)
    subprocess.run(["userdel", "-r", USER], capture_output=True)


def processes_of(uid: int) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            if fields.get("Uid", "").split()[:1] == [str(uid)] and fields.get("State", "").strip()[:1] not in ("Z", "X"):
                found.append(f"{entry}: {fields.get('Name', '').strip()}")
    return found


def as_user(account, work, *, environ: dict[str, str] | None = None):
    """``work()``'s JSON-able return value and its stderr, run in a child with the account's identity."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        os.close(read)
        try:
            os.setgroups([])
            os.setgid(account.pw_gid)
            os.setuid(account.pw_uid)
            for name in ("CHATHPC_CACHE_DIR", "XDG_CACHE_HOME", "TMPDIR"):
                os.environ.pop(name, None)
            os.environ.update({"HOME": account.pw_dir, "USER": account.pw_name, **(environ or {})})
            os.chdir(account.pw_dir)
            sandbox_module._bwrap_problem.cache_clear()
            sys.stderr = io.StringIO()
            try:
                value = {"value": work(), "stderr": sys.stderr.getvalue()}
            except BaseException as exc:  # noqa: BLE001 - carried back to the test
                value = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(), "stderr": sys.stderr.getvalue()}
            os.write(write, json.dumps(value).encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    outcome = json.loads(b"".join(chunks) or b'{"error": "the child reported nothing"}')
    return outcome


def run_hostile_set(sandbox: str) -> dict:
    """Every hostile program checked once (after an honest check that fills the cache); results as JSON."""
    config = HarnessConfig(**CONFIG, sandbox=sandbox)
    results = {"honest": check(SEQ, CORRECT, args=[["7"]], config=config).model_dump(mode="json")}
    for name in ("cache_thief", "home_reader", "reference_runner", "escape_writer"):
        results[name] = check(SEQ, hostile(name), args=[["7"]], config=config).model_dump(mode="json")
    results["daemon"] = check(SEQ, (PROGRAMS / "mpi_sum_setsid_daemon.c").read_text(), args=[["7"]], config=config).model_dump(mode="json")
    marker, spy = check_many([(SEQ, hostile("marker_writer")), (SEQ, hostile("work_dir_spy"))], jobs=2, args=[["7"]], config=config)
    results["marker_writer"], results["work_dir_spy"] = marker.model_dump(mode="json"), spy.model_dump(mode="json")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    caller = CORRECT.replace("#include <mpi.h>\n", "#include <mpi.h>\n#include <unistd.h>\n#include <sys/socket.h>\n#include <netinet/in.h>\n#include <arpa/inet.h>\n")
    caller = caller.replace("    long n = argc", (
        "    if (rank == 0) { int s = socket(AF_INET, SOCK_STREAM, 0); struct sockaddr_in a = {0}; a.sin_family = AF_INET;\n"
        f"        a.sin_port = htons({listener.getsockname()[1]}); a.sin_addr.s_addr = inet_addr(\"127.0.0.1\");\n"
        "        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) write(s, \"escaped\", 7); close(s); }\n"
        "    long n = argc"), 1)
    results["network"] = check(SEQ, caller, args=[["7"]], config=config).model_dump(mode="json")
    try:
        listener.accept()
        results["network_reached"] = True
    except (socket.timeout, BlockingIOError):
        results["network_reached"] = False
    finally:
        listener.close()
    return results


def assert_contained(results: dict, secret: str, places: list[Path]) -> None:
    assert results["honest"]["verdict"] == "pass"
    for thief in ("cache_thief", "reference_runner", "work_dir_spy"):
        assert results[thief]["verdict"] != "pass", (thief, results[thief]["runs"][:1])
    assert "MARKER-neighbour-secret" not in json.dumps(results["work_dir_spy"])
    assert results["home_reader"]["verdict"] == "pass"  # it computes the sum; the secret is what it must not get
    everything = json.dumps(results)
    assert secret not in everything
    assert results["escape_writer"]["verdict"] == "pass"
    assert [p for p in places if (p / "escape.txt").exists()] == []
    assert results["daemon"]["verdict"] == "pass"
    assert results["network_reached"] is False


@pytest.mark.skipif(isolation_level() != "bwrap", reason="needs bubblewrap")
def test_hostile_programs_are_contained_for_an_ordinary_user_with_bwrap(ordinary_user):
    account, secret = ordinary_user
    outcome = as_user(account, lambda: run_hostile_set("bwrap"))
    assert "error" not in outcome, outcome.get("traceback")
    results = outcome["value"]
    assert {results[name]["isolation"] for name in results if isinstance(results[name], dict)} == {"bwrap"}
    home = Path(account.pw_dir)
    assert_contained(results, secret, [home, home / ".cache" / "chathpc" / "harness", Path("/tmp"), Path("/var/tmp")])
    assert UNPROTECTED_WARNING not in outcome["stderr"]
    assert processes_of(account.pw_uid) == []


def test_hostile_programs_are_contained_as_root(ordinary_user, private_cache):
    """As root every run gets a fresh uid: the same programs get nothing of root's or the account's files."""
    account, secret = ordinary_user
    results = run_hostile_set("auto")
    assert_contained(results, secret, [Path("/root"), Path(account.pw_dir), private_cache / "harness", Path("/tmp"), Path("/var/tmp")])


def test_without_bwrap_an_ordinary_user_is_warned_once_and_outputs_stay_out_of_the_cache(ordinary_user):
    account, _ = ordinary_user

    def work():
        config = HarnessConfig(**CONFIG, sandbox="rlimits")
        honest = [check(SEQ, CORRECT, args=[["7"]], config=config).verdict.value for _ in range(2)]
        thief = check(SEQ, hostile("cache_thief"), args=[["7"]], config=config)
        cache = Path(account.pw_dir) / ".cache" / "chathpc" / "harness"
        return {"honest": honest, "thief": thief.verdict.value, "isolation": thief.isolation,
                "stored_outputs": [p.name for p in cache.rglob("out-*.txt")]}

    outcome = as_user(account, work)
    assert "error" not in outcome, outcome.get("traceback")
    value = outcome["value"]
    assert value["honest"] == ["pass", "pass"] and value["isolation"] == "rlimits"
    assert value["stored_outputs"] == [] and value["thief"] != "pass"
    assert outcome["stderr"].count(UNPROTECTED_WARNING) == 1


@pytest.fixture
def failing_bwrap():
    """A directory (readable by every account) whose ``bwrap`` says it cannot create namespaces and exits 1."""
    fake = Path(tempfile.mkdtemp(prefix="chathpc-fake-bwrap-"))
    fake.chmod(0o755)
    (fake / "bwrap").write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    (fake / "bwrap").chmod(0o755)
    yield fake
    shutil.rmtree(fake, ignore_errors=True)


def test_bwrap_asked_for_but_unusable_is_one_line_not_a_fallback(ordinary_user, failing_bwrap):
    """A bubblewrap that cannot create its namespaces stops a check that asked for it; auto falls back, warning once."""
    account, _ = ordinary_user
    fake = failing_bwrap

    def work():
        try:
            check(SEQ, CORRECT, args=[["7"]], config=HarnessConfig(**CONFIG, sandbox="bwrap"))
        except ChathpcError as exc:
            refused = str(exc)
        else:
            refused = None
        fallback = check(SEQ, CORRECT, args=[["7"]], config=HarnessConfig(**CONFIG, sandbox="auto"))
        return {"refused": refused, "fallback": fallback.isolation, "passed": fallback.passed}

    outcome = as_user(account, work, environ={"PATH": f"{fake}:{os.environ['PATH']}"})
    assert "error" not in outcome, outcome.get("traceback")
    value = outcome["value"]
    assert value["refused"] is not None and "\n" not in value["refused"]
    assert "No permissions to creating new namespace" in value["refused"] and "harness.sandbox=rlimits" in value["refused"]
    assert value["fallback"] == "rlimits" and value["passed"]
    assert outcome["stderr"].count(UNPROTECTED_WARNING) == 1


def test_feedback_carries_the_first_mismatch_and_a_capped_stderr_only():
    """What reaches a model provider: no program output beyond a short token, stderr capped."""
    from chathpc.harness.results import FEEDBACK_STDERR_CHARS, TOKEN_CHARS

    flood = "X" * 5000
    talker = CORRECT.replace('printf("n %ld', f'printf("{flood}\\n"); printf("n %ld', 1)
    result = check(SEQ, talker, args=[["7"]], config=HarnessConfig(ranks=[1]))
    assert result.verdict == Verdict.WRONG_OUTPUT
    feedback = result.feedback()
    assert "X" * (TOKEN_CHARS + 1) not in feedback and "more characters" in feedback and len(feedback) < 1000
    crasher = CORRECT.replace("    long n = argc", f'    fprintf(stderr, "%s", "{"E" * 3000}"); MPI_Abort(MPI_COMM_WORLD, 3);\n    long n = argc', 1)
    crashed = check(SEQ, crasher, args=[["7"]], config=HarnessConfig(ranks=[1]))
    assert crashed.verdict == Verdict.RUNTIME_ERROR
    assert crashed.feedback().count("E") <= FEEDBACK_STDERR_CHARS + 50

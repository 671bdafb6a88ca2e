"""Run untrusted programs: scrubbed environment, resource limits, private uid, optional bubblewrap.

Isolation levels (reported in every result and by ``chathpc env``):

- ``bwrap``: bubblewrap with no network (loopback only), a new root holding only the system dirs
  (/usr, /etc, /opt, /sys and the /bin, /lib links) and the MPI toolchain read-only, the run dir
  read-write, a private /tmp, its own PID and IPC namespaces: no home, no harness cache, no other
  check's work dir; plus everything in ``rlimits``.
- ``rlimits``: resource limits (CPU time, address space, file size, processes, no core dumps) and
  a scrubbed environment; when the harness runs as root, every run also gets a fresh unprivileged
  uid, so the process limit is enforced and the run cannot write outside its work dir.

Whatever the level, when a run ends (or times out, or floods its output) every process it
started is killed, including ones that left the session with ``setsid``: by tearing down the PID
namespace (bwrap), by killing everything the run's private uid owns (root), or by an environment
token carried by every descendant (otherwise).
"""

from __future__ import annotations

import errno
import os
import pwd
import resource
import shutil
import sys
import secrets
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from chathpc.errors import ChathpcError
from chathpc.harness.paths import cache_root
from chathpc.system import bwrap_path

FILE_SIZE_LIMIT = 256 << 20  # bytes any one file written by a run may reach
TOKEN_VARIABLE = "CHATHPC_SANDBOX_TOKEN"
_KEPT_VARIABLES = ("PATH", "LD_LIBRARY_PATH", "OPAL_PREFIX")
_KEPT_PREFIXES = ("SLURM_",)  # a site launcher inside an allocation needs its job's settings
_UID_RANGE = (3_000_000, 2_000_000_000)


@dataclass(frozen=True)
class Limits:
    """Resource limits for every process of one run (``memory_mb`` 0: no address-space limit, for
    sanitizer builds whose shadow memory needs terabytes of address space)."""

    memory_mb: int
    cpu_seconds: int
    processes: int
    max_output_bytes: int


@dataclass
class ProcessOutcome:
    """What one sandboxed command did."""

    exit_code: int | None  # None when killed by the harness (timeout or output flood)
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool
    truncated: bool


def running_as_root() -> bool:
    """True when the harness runs with effective uid 0 (it then drops to a private uid per run)."""
    return os.geteuid() == 0


@lru_cache(maxsize=4)
def _bwrap_problem(bwrap: str) -> str | None:
    """Why ``bwrap`` cannot build the sandbox for this user (its first line of stderr), or None when it can."""
    uid = _fresh_uid() if running_as_root() else None
    try:
        proc = subprocess.run(
            [bwrap, *_bwrap_namespace_args(), "--", "true"],
            capture_output=True,
            timeout=20,
            user=uid,
            group=uid,
            extra_groups=[] if uid is not None else None,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    said = proc.stderr.decode(errors="replace").strip().splitlines()
    return said[0] if said else f"exit status {proc.returncode}"


def isolation_level(mode: str = "auto") -> str:
    """The isolation a run gets with sandbox mode ``auto``, ``bwrap`` or ``rlimits``.

    ``bwrap`` is a promise: when bubblewrap is missing or cannot create its namespaces for this
    user, it raises instead of falling back; ``auto`` falls back to ``rlimits``.
    """
    if mode == "rlimits":
        return "rlimits"
    bwrap = bwrap_path()
    problem = "bubblewrap is not installed" if bwrap is None else _bwrap_problem(bwrap)
    if mode == "bwrap" and problem is not None:
        raise ChathpcError(
            f"harness.sandbox is 'bwrap' but bubblewrap cannot sandbox runs here ({problem}); install bubblewrap "
            "(apt-get install bubblewrap) or allow unprivileged user namespaces, or set harness.sandbox=rlimits"
        )
    return "bwrap" if problem is None else "rlimits"


UNPROTECTED_WARNING = (
    "chathpc: warning: candidates run with resource limits only (no bubblewrap, not root): they can read "
    "every file you can (your home, other checks' work dirs) and reach the network; reference outputs are "
    "never written to disk for them. Install bubblewrap for a sandbox."
)
_warned = threading.Event()


def warn_if_unprotected(isolation: str) -> None:
    """Say once per process, on stderr, what is not protected when an ordinary user runs under ``rlimits``."""
    if isolation == "rlimits" and not running_as_root() and not _warned.is_set():
        _warned.set()
        print(UNPROTECTED_WARNING, file=sys.stderr)


def reference_outputs_storable() -> bool:
    """Whether reference outputs may be kept in the on-disk cache: only as root, whose runs have private
    uids that cannot enter it. An ordinary user's candidates share that user's uid, so a run without
    bwrap (today's or a later one's) could read the file: their outputs stay in memory (the sequential
    program is cached; re-running it for its output costs milliseconds at correctness sizes)."""
    return running_as_root()


EXEC_LOCK = threading.Lock()
"""Held while a binary is copied into a work dir and while this process forks to start a program: a fork in
another thread while the copy is open for writing would leave the copy "busy" (ETXTBSY) when it is executed."""


def _fresh_uid() -> int:
    low, high = _UID_RANGE
    return low + secrets.randbelow(high - low)


_SYSTEM_DIRS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt", "sys")
"""Top-level directories a run sees read-only: programs, libraries, configuration (/opt for site MPI)."""
_TOOLCHAIN_PROGRAMS = ("mpirun", "mpiexec", "orterun", "mpicc", "mpicxx", "mpifort", "srun")
_PREFIX_PARTS = ("bin", "lib", "lib64", "libexec", "share", "etc", "include")


def _toolchain_dirs() -> list[str]:
    """Directories of an MPI installed outside the system dirs (e.g. a module under /sw or a home):
    the bin, lib, share... parts of each MPI program's prefix and the library path, never a whole home."""
    system = tuple(f"/{name}/" for name in _SYSTEM_DIRS)
    found: list[str] = []
    for program in _TOOLCHAIN_PROGRAMS:
        where = shutil.which(program)
        if where:
            prefix = Path(os.path.realpath(where)).parent.parent
            found += [str(prefix / part) for part in _PREFIX_PARTS]
    found += [d for d in os.environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    if os.environ.get("OPAL_PREFIX"):
        found += [os.path.join(os.environ["OPAL_PREFIX"], part) for part in _PREFIX_PARTS]
    kept = []
    for directory in found:
        real = os.path.realpath(directory)
        if os.path.isdir(real) and not (real + "/").startswith(system) and real not in kept:
            kept.append(real)
    return kept


def _hidden_dirs() -> list[str]:
    """Private places that must stay invisible even when they lie inside a directory runs see."""
    homes = {os.path.expanduser("~"), os.environ.get("HOME", "")}
    try:
        homes.add(pwd.getpwuid(os.getuid()).pw_dir)
    except KeyError:
        pass
    cache = os.path.dirname(str(cache_root()))
    return sorted({os.path.realpath(d) for d in (*homes, cache) if d and os.path.isdir(d) and os.path.realpath(d) != "/"})


def _bwrap_namespace_args() -> list[str]:
    """A new root holding only the system dirs and the MPI toolchain (read-only), a private /tmp, no
    network, own PID and IPC namespaces; homes and the harness cache are covered by empty tmpfs.
    Worked out once per set of the settings it depends on (finding the toolchain costs ~25 ms a run)."""
    settings = tuple(os.environ.get(name, "") for name in ("PATH", "LD_LIBRARY_PATH", "OPAL_PREFIX", "HOME"))
    return list(_namespace_args_for(settings, os.getuid(), str(cache_root())))


@lru_cache(maxsize=8)
def _namespace_args_for(settings: tuple[str, ...], uid: int, cache: str) -> tuple[str, ...]:
    """``_bwrap_namespace_args`` for these environment settings, uid and cache root (the cache key)."""
    args: list[str] = []
    for name in _SYSTEM_DIRS:
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for directory in _toolchain_dirs():
        args += ["--ro-bind", directory, directory]
    args += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    visible = tuple(f"/{name}/" for name in _SYSTEM_DIRS) + tuple(d + "/" for d in _toolchain_dirs())
    for directory in _hidden_dirs():
        if (directory + "/").startswith(visible):
            args += ["--tmpfs", directory]
    return (*args, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session")


def scrubbed_environment(home: Path, token: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: PATH, MPI location and Slurm job settings only, no keys or tokens of the caller."""
    env = {name: value for name, value in os.environ.items() if name in _KEPT_VARIABLES or name.startswith(_KEPT_PREFIXES)}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update({"HOME": str(home), "TMPDIR": str(home), "LC_ALL": "C", "LANG": "C", TOKEN_VARIABLE: token})
    env.update(extra or {})
    return env


def _set_limits(limits: Limits) -> None:
    if limits.memory_mb:
        memory = limits.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))


def _kill_uid(uid: int) -> None:
    """SIGKILL every process owned by ``uid`` (kill(-1) from a child running as that uid is atomic)."""
    for _ in range(20):
        with EXEC_LOCK:
            pid = os.fork()
        if pid == 0:  # child: only syscalls, then _exit
            try:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass
            os._exit(0)
        os.waitpid(pid, 0)
        if not _pids_where(lambda status, _pid: f"\t{uid}\t" in status.get("Uid", ""), uid):
            return
        time.sleep(0.01)


def _proc_status(pid: str) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {key: value for key, _, value in (line.partition(":") for line in text.splitlines())}


def _pids_where(predicate, uid: int | None = None) -> list[int]:
    """Live processes (not zombies) for which ``predicate(status, pid)`` holds; with ``uid`` only those of that
    uid are read (a stat of /proc/PID, instead of reading and parsing every process's status); a non-dumpable
    process shows root as that owner, so the filter only serves to confirm what kill(-1) did (``_kill_uid``)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            if uid is not None:
                try:
                    if os.stat(f"/proc/{entry}").st_uid != uid:
                        continue
                except OSError:
                    continue
            status = _proc_status(entry)
            if status and status.get("State", "").strip()[:1] not in ("Z", "X") and predicate(status, entry):
                pids.append(int(entry))
    return pids


def _tasks_of_current_user() -> int:
    mine = f"\t{os.getuid()}\t"
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            status = _proc_status(entry)
            if mine in status.get("Uid", ""):
                total += int(status.get("Threads", "1").strip() or 1)
    return total


def _has_token(pid: str, token: str) -> bool:
    try:
        return f"{TOKEN_VARIABLE}={token}".encode() in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def _kill_token(token: str) -> None:
    """SIGKILL every process of this user whose environment carries ``token``."""
    my_uid = f"\t{os.getuid()}\t"
    for _ in range(20):
        pids = _pids_where(lambda status, pid: my_uid in status.get("Uid", "") and _has_token(pid, token))
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.01)


class _CappedReader(threading.Thread):
    def __init__(self, stream, cap: int, on_overflow) -> None:
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_overflow = stream, cap, on_overflow
        self.data = bytearray()
        self.overflowed = False

    def run(self) -> None:
        while True:
            chunk = self.stream.read1(65536)
            if not chunk:
                break
            room = self.cap - len(self.data)
            if room > 0:
                self.data += chunk[:room]
            if len(chunk) > room and not self.overflowed:
                self.overflowed = True
                self.on_overflow()
        self.stream.close()


def _text_file_busy(outcome: ProcessOutcome) -> bool:
    """Whether bwrap could not execute the binary because a file descriptor open for writing on it was alive."""
    return outcome.exit_code == 1 and outcome.stderr.startswith("bwrap: execvp") and "Text file busy" in outcome.stderr


def run_sandboxed(
    command: list[str],
    run_dir: Path,
    *,
    timeout: float,
    limits: Limits,
    isolation: str,
    read_only_dirs: list[Path],
    extra_env: dict[str, str] | None = None,
) -> ProcessOutcome:
    """Run ``command`` in ``run_dir`` under the given isolation; every process it starts is gone on return.

    Under bwrap only ``run_dir`` is writable; ``read_only_dirs`` (e.g. where the binary lies) are
    made visible read-only inside the private /tmp. A start that fails with ETXTBSY is tried again (up to
    twice): a binary just copied into a work dir can be "busy" for a moment while another thread's fork holds
    a duplicate of the copy's descriptor (seen once in a full test run with parallel builds and checks).
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            outcome = _run_once(command, run_dir, timeout=timeout, limits=limits, isolation=isolation,
                                read_only_dirs=read_only_dirs, extra_env=extra_env)
            if attempt == 3 or not _text_file_busy(outcome):
                return outcome
        except OSError as exc:
            if exc.errno != errno.ETXTBSY or attempt == 3:
                raise ChathpcError(f"cannot start {command[0]}: {exc.strerror}") from None
        time.sleep(0.05 * attempt)


def _run_once(
    command: list[str],
    run_dir: Path,
    *,
    timeout: float,
    limits: Limits,
    isolation: str,
    read_only_dirs: list[Path],
    extra_env: dict[str, str] | None = None,
) -> ProcessOutcome:
    """One start of ``run_sandboxed``'s command (an ``OSError`` from the start is raised as it is)."""
    token = secrets.token_hex(12)
    uid = _fresh_uid() if running_as_root() else None
    if uid is not None:
        os.chown(run_dir, uid, uid)
    else:  # the process limit counts every task of this user: leave room for those already running
        limits = replace(limits, processes=limits.processes + _tasks_of_current_user())
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    if hard != resource.RLIM_INFINITY and limits.processes > hard:  # setrlimit cannot raise it (many ranks)
        limits = replace(limits, processes=hard)
    env = scrubbed_environment(run_dir, token, extra_env)
    argv = list(command)
    if isolation == "bwrap":
        binds = [arg for d in read_only_dirs for arg in ("--ro-bind", str(d), str(d))]
        binds += ["--bind", str(run_dir), str(run_dir)]
        argv = [bwrap_path() or "bwrap", *_bwrap_namespace_args(), *binds, "--chdir", str(run_dir), "--", *argv]
    start = time.monotonic()
    with EXEC_LOCK:  # Popen returns once the child has exec'd: no copy is open in it then
        proc = subprocess.Popen(
            argv,
            cwd=run_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            user=uid,
            group=uid,
            extra_groups=[] if uid is not None else None,
            preexec_fn=lambda: _set_limits(limits),
        )
    flooded = threading.Event()
    readers = [_CappedReader(s, limits.max_output_bytes, flooded.set) for s in (proc.stdout, proc.stderr)]
    for reader in readers:
        reader.start()
    timed_out = killed = False
    deadline = start + timeout
    try:
        while proc.poll() is None and not flooded.is_set():
            if time.monotonic() >= deadline:
                timed_out = True
                break
            flooded.wait(min(0.01, max(0.0, deadline - time.monotonic())))
    finally:  # also on KeyboardInterrupt: nothing of the run may outlive it
        if proc.poll() is None:
            killed = True
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.kill()
        exit_code = proc.wait()
        seconds = time.monotonic() - start
        if uid is not None:
            _kill_uid(uid)
        else:
            _kill_token(token)
    for reader in readers:
        reader.join(timeout=5)
    return ProcessOutcome(
        exit_code=None if killed else exit_code,
        stdout=readers[0].data.decode("utf-8", errors="replace"),
        stderr=readers[1].data.decode("utf-8", errors="replace"),
        seconds=seconds,
        timed_out=timed_out,
        truncated=any(r.overflowed for r in readers),
    )

"""The sanitizer build: AddressSanitizer + UndefinedBehaviorSanitizer under MPI, and reading their reports.

A candidate is built a second time with ``harness.sanitize_flags`` (default
``-fsanitize=address,undefined -g -O1 -fno-omit-frame-pointer``) and run at the given inputs. Leak
detection is off (Open MPI keeps allocations alive until exit by design); UBSan stops at its first
report so that a report always ends the run. ASan reserves terabytes of address space for its shadow
memory, so sanitized runs get no address-space rlimit: ASan's own ``hard_rss_limit_mb`` enforces
``harness.memory_mb`` on the resident set instead. With Open MPI 4.1 the reference solutions of the
task suite run clean under these settings (``chathpc bench --sanitize``): Open MPI triggers no
report once leak detection is off, so no suppression file is needed.
"""

from __future__ import annotations

import re

from chathpc.harness.results import SanitizerReport

_ASAN_ERROR = re.compile(r"==\d+==ERROR: (AddressSanitizer|LeakSanitizer): ([\w-]+)(?: on [^\n]*)?")
_ACCESS = re.compile(r"^(READ|WRITE) of size (\d+)", re.M)
_UBSAN_ERROR = re.compile(r"^([^\s:][^:\n]*):(\d+):(\d+): runtime error: ([^\n]+)", re.M)
_FRAME = re.compile(r"^\s*#\d+ 0x[0-9a-fA-F]+ in (\S+) ([^\s:]+):(\d+)", re.M)


def _short_path(path: str) -> str:
    """The program's file name without the harness's scratch directory."""
    return path.rsplit("/", 1)[-1]


def parse_report(stderr: str) -> SanitizerReport | None:
    """The first ASan or UBSan report in a run's (whole, uncapped) stderr, or None when there is none."""
    asan = _ASAN_ERROR.search(stderr)
    ubsan = _UBSAN_ERROR.search(stderr)
    if asan and (not ubsan or asan.start() < ubsan.start()):
        after = stderr[asan.end():]
        frames = _FRAME.findall(after)
        own = [f for f in frames if "libsanitizer" not in f[1] and not f[1].endswith((".h", ".inc", ".cpp"))] or frames
        access = _ACCESS.search(after)
        function, path, line = own[0] if own else ("", "", "")
        return SanitizerReport(
            tool=asan.group(1), kind=asan.group(2), location=f"{_short_path(path)}:{line}" if path else "", function=function,
            access=f"{access.group(1)} of size {access.group(2)}" if access else "",
        )
    if ubsan:
        return SanitizerReport(
            tool="UndefinedBehaviorSanitizer", kind=ubsan.group(4).strip(),
            location=f"{_short_path(ubsan.group(1))}:{ubsan.group(2)}",
        )
    return None


def sanitizer_environment(memory_mb: int) -> dict[str, str]:
    """ASAN_OPTIONS / UBSAN_OPTIONS for a sanitized run: no leak check, the memory limit as an RSS limit,
    UBSan fatal at its first report with a stack trace."""
    return {
        "ASAN_OPTIONS": f"detect_leaks=0:hard_rss_limit_mb={memory_mb}:allocator_may_return_null=1:print_summary=1",
        "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
    }

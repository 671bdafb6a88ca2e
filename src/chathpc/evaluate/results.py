"""The results file: JSON Lines, one line per (item, sample), appended and fsynced as the run goes.

A line is self-contained: the item (record), the rendered prompt, the raw output, the extracted
code, the harness's CheckResult (as JSON), the verdict, the measured speedups, the provider spec and
the generation settings. ``read_results`` tolerates a truncated last line (a run killed mid-write)
and reports where it stopped so that ``--resume`` can cut the file there and continue.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Literal

from pydantic import BaseModel, Field, ValidationError

from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.harness.results import Verdict

SCHEMA_VERSION = 1

CheckMode = Literal["execution", "text", "prompt"]

VERDICTS: tuple[str, ...] = tuple(verdict.value for verdict in Verdict)
"""Every verdict a line can hold: the harness's ``Verdict`` values, in their order."""


class Timings(BaseModel):
    """Seconds spent per stage on one sample (generation is the item's batch share)."""

    generate_s: float = 0.0
    check_s: float = 0.0


class Answer(BaseModel):
    """One generated answer to one item: the fields samples files and results files share."""

    schema_version: int = SCHEMA_VERSION
    item_id: str
    item_index: int = Field(ge=0)
    sample: int = Field(ge=0)
    domain: str | None = None
    task: str | None = None
    record: Record
    prompt: str
    raw_output: str
    provider: str
    generation: dict[str, Any]


class ResultLine(Answer):
    """One (item, sample) outcome: the answer and its check."""

    code: str | None
    check_mode: CheckMode
    verdict: str
    passed: bool
    check: dict[str, Any] | None = Field(None, description="the harness CheckResult as JSON (execution mode)")
    feedback: str = ""
    perf_requested: bool = False
    speedup: dict[int, float] = Field(default_factory=dict, description="rank count -> speedup over the sequential program")
    efficiency: dict[int, float] = Field(default_factory=dict, description="rank count -> parallel efficiency")
    memory_mib: dict[int, float] = Field(default_factory=dict, description="rank count -> largest peak resident set of a rank in the timed run, MiB")
    optimization: bool = Field(False, description="an optimization item (its answer must beat its input program)")
    improvement: float | None = Field(None, description="speedup over the input program at the largest configuration timed for both (optimization items)")
    timings: Timings = Field(default_factory=Timings)

    @property
    def key(self) -> tuple[str, int]:
        return (self.item_id, self.sample)

    def answer(self) -> "SampleLine":
        """The generated answer alone (the check dropped), as a samples file holds it."""
        return SampleLine(**{name: getattr(self, name) for name in Answer.model_fields}, generate_s=self.timings.generate_s)


class SampleLine(Answer):
    """One generated answer, unchecked: a line of the ``generate`` stage's samples file (``recheck`` checks it)."""

    generate_s: float = Field(0.0, description="the sample's share of its generation batch, seconds")


class ResultsFile(BaseModel):
    """What ``read_results`` found: the complete lines and the byte offset after the last one."""

    path: str
    lines: list[ResultLine] | list[SampleLine]
    valid_bytes: int
    truncated: bool = Field(description="a partial last line (a killed run) follows the valid bytes")


_LINE_START = b'{"schema_version"'


def _partial_line(chunk: bytes) -> bool:
    """Whether ``chunk`` (after the last newline) can be a results line cut short by a killed run.

    Lines are written whole with their newline, so only the unterminated tail can be partial, and it
    starts like every line; anything else (a file that is not a results file) must never be cut.
    """
    return chunk.startswith(_LINE_START) or _LINE_START.startswith(chunk)


def read_results(path: str | Path, model: type[ResultLine] | type[SampleLine] = ResultLine) -> ResultsFile:
    """Parse a results file (or, with ``model=SampleLine``, a samples file); a broken last line is
    tolerated (``truncated``), a broken middle line is an error."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ChathpcError(f"{path}: results file not found") from None
    except OSError as exc:
        raise ChathpcError(f"{path}: cannot read ({exc.strerror})") from None
    lines: list = []
    offset = 0
    chunks = raw.split(b"\n")
    for number, chunk in enumerate(chunks, 1):
        is_last = number == len(chunks)
        end = offset + len(chunk) + (0 if is_last else 1)
        if not chunk.strip():
            offset = end
            continue
        try:
            lines.append(model.model_validate_json(chunk))
        except ValidationError as exc:
            if is_last and _partial_line(chunk):
                return ResultsFile(path=str(path), lines=lines, valid_bytes=offset, truncated=True)
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "line"
            kind = "results" if model is ResultLine else "samples"
            raise ChathpcError(f"{path}:{number}: not a chathpc {kind} line ({where}: {problem['msg']})") from None
        offset = end
    return ResultsFile(path=str(path), lines=lines, valid_bytes=offset, truncated=False)


def open_results(
    path: Path, provider: str, generation: dict[str, Any], ids: list[str], *, resume: bool, force: bool,
    perf: bool | None = None, model: type[ResultLine] | type[SampleLine] = ResultLine,
) -> tuple[set[tuple[int, int]], int | None, int]:
    """Open a results (or, with ``model=SampleLine``, samples) file for appending under the ``--resume``/``--force``
    rules: the done (item, sample) keys, the byte offset to cut a truncated file at, and the lines kept.
    ``perf`` (results files) must match the ``--perf`` of the lines already there."""
    kind = "results" if model is ResultLine else "samples"
    if not path.exists() or path.stat().st_size == 0:
        return set(), None, 0
    if force and not resume:
        path.write_bytes(b"")
        return set(), None, 0
    if not resume:
        raise ChathpcError(f"{path}: {kind} file already exists (--resume continues it, --force starts over)")
    found = read_results(path, model)
    for line in found.lines:
        if line.provider != provider:
            raise ChathpcError(f"{path}: holds {kind} of '{line.provider}', not '{provider}'; use another --out")
        if line.generation != generation:
            raise ChathpcError(f"{path}: was written with other generation settings; use the same config or another --out")
        if perf is not None and line.check_mode == "execution" and line.perf_requested != perf:
            raise ChathpcError(f"{path}: was written {'with' if line.perf_requested else 'without'} --perf; resume it the same way")
        if line.item_index >= len(ids) or ids[line.item_index] != line.item_id:
            raise ChathpcError(f"{path}: item {line.item_index} ('{line.item_id}') is not in this dataset; use the same dataset or another --out")
    done = {(line.item_index, line.sample) for line in found.lines}
    return done, (found.valid_bytes if found.truncated else None), len(found.lines)


def load_result_lines(paths: Iterable[str | Path]) -> list[ResultLine]:
    """The complete lines of one or more results files, in file order."""
    out: list[ResultLine] = []
    for path in paths:
        out.extend(read_results(path).lines)
    return out


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return fh.read(1)


class ResultsWriter:
    """Appends lines to a results (or samples) file, flushing and fsyncing each one."""

    def __init__(self, path: str | Path, *, truncate_at: int | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")
        if truncate_at is not None:
            self._fh.truncate(truncate_at)
            self._fh.seek(truncate_at)
        self._needs_newline = self._fh.tell() > 0 and _last_byte(self.path) != b"\n"

    def append(self, line: ResultLine | SampleLine) -> None:
        """Write one line and make it durable before returning."""
        data = line.model_dump_json().encode("utf-8") + b"\n"
        if self._needs_newline:
            data = b"\n" + data
            self._needs_newline = False
        self._fh.write(data)
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "ResultsWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


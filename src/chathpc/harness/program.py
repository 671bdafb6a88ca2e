"""``ProgramOptions``: how a program pair is built and judged beyond one C file and the harness config.

The language (compiler and flags), extra sources and include directories shared by the sequential
program and the candidate, preprocessor defines, output line filters and a self-reported time. Files
are held by content (read once by ``program_options``), so the build-cache key covers them and builds
stay hermetic in the sandbox: extra sources sit beside the program, each include directory is copied to
``incN/`` and passed as ``-IincN``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chathpc.errors import ChathpcError
from chathpc.harness.languages import LANGUAGE_NAMES, Language, get_language, strip_c_comments_and_strings
from chathpc.harness.results import Mismatch

INCLUDE_SUFFIXES = frozenset(
    {".h", ".hh", ".hpp", ".hxx", ".inc", ".inl", ".ipp", ".tpp", ".fi", ".fh", ".c", ".cc", ".cpp", ".cxx", ".f90", ".F90", ".f", ".F"}
)  # files copied from an include directory (compiled Fortran .mod files are not: they depend on the compiler)
INCLUDE_DIR_LIMIT = 4 << 20  # bytes of text per include directory
_DEFINE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(=.*)?$", re.S)
_MPI_CALL = re.compile(r"\bMPI_[A-Z][A-Za-z_]*\s*\(")
ANSWER_BEGIN = "// chathpc:answer-begin"  # the lines around a model's answer in an assembled program
ANSWER_END = "// chathpc:answer-end"


class ProgramOptionsError(ChathpcError):
    """A bad program option (regex, define, source or include directory); the message names it."""


class ProgramOptions(BaseModel):
    """Language, extra files, defines, output filters and time pattern of one sequential/candidate pair."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: str = Field("c", description="c, cxx or fortran (default c)")
    suffix: str | None = Field(None, description="File suffix of the programs (default: the language's, e.g. .F90); .f is fixed-form Fortran")
    sources: dict[str, str] = Field(default_factory=dict, description="Extra compilation units built into both programs: file name -> text")
    headers: dict[str, str] = Field(default_factory=dict, description="Include-directory files: incN/relative/path -> text (not compiled)")
    include_dirs: list[str] = Field(default_factory=list, description="Build-relative include directories (incN), passed as -I")
    defines: list[str] = Field(default_factory=list, description="Preprocessor defines NAME or NAME=VALUE, passed as -D")
    ignore_lines: list[str] = Field(default_factory=list, description="Regexes: output lines matching any are dropped before comparing")
    compare_lines: list[str] = Field(default_factory=list, description="Regexes: when given, only output lines matching one are compared")
    time_pattern: str | None = Field(None, description="Regex with one group, the seconds the program prints; timing uses it instead of the shim's window")
    mpi_rule: Literal["init", "answer_calls_mpi"] = Field(
        "init", description="Not-MPI rule: the candidate initializes MPI (init), or the answer between the "
                            "chathpc:answer-begin/end lines calls an MPI function (programs assembled from a function answer)",
    )

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in LANGUAGE_NAMES:
            raise ValueError(f"unknown language '{value}' (choose from {', '.join(LANGUAGE_NAMES)})")
        return value

    @field_validator("sources", "headers")
    @classmethod
    def _relative_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name.startswith("/") or ".." in name.split("/"):
                raise ValueError(f"file name {name!r} must be relative and stay inside the build directory")
        return value

    @field_validator("defines")
    @classmethod
    def _defines(cls, value: list[str]) -> list[str]:
        for define in value:
            if not _DEFINE.match(define):
                raise ValueError(f"define {define!r} is not NAME or NAME=VALUE")
        return value

    @field_validator("ignore_lines", "compare_lines")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            _compile(pattern)
        return value

    @field_validator("time_pattern")
    @classmethod
    def _time_regex(cls, value: str | None) -> str | None:
        if value is not None and _compile(value).groups != 1:
            raise ValueError(f"time pattern {value!r} must have exactly one group (the seconds)")
        return value

    @property
    def lang(self) -> Language:
        """The language object."""
        return get_language(self.language)

    @property
    def source_name(self) -> str:
        """The file name a program gets in its build directory (``prog`` + suffix)."""
        return "prog" + (self.suffix or self.lang.suffix)

    def is_mpi(self, candidate_source: str) -> bool:
        """Whether the candidate counts as an MPI program under ``mpi_rule``."""
        if self.mpi_rule == "init":
            return self.lang.initializes_mpi(candidate_source, self.suffix)
        start, end = candidate_source.find(ANSWER_BEGIN), candidate_source.rfind(ANSWER_END)
        region = candidate_source[start + len(ANSWER_BEGIN): end] if 0 <= start < end else ""
        return _MPI_CALL.search(strip_c_comments_and_strings(region)) is not None

    def not_mpi_reason(self) -> str:
        """Why a candidate failed ``is_mpi``, for the result's detail."""
        if self.mpi_rule == "init":
            return "the candidate never initializes MPI (MPI_Init): a sequential program is not a parallelization"
        return "the answer calls no MPI function: a sequential function is not a parallelization"

    @property
    def filtered(self) -> bool:
        """True when line filters apply to the outputs."""
        return bool(self.ignore_lines or self.compare_lines)

    def filter_output(self, text: str) -> str:
        """The lines of ``text`` that are compared: those matching a ``compare_lines`` regex (all when none),
        less those matching an ``ignore_lines`` regex."""
        if not self.filtered:
            return text
        keep = [re.compile(p) for p in self.compare_lines]
        drop = [re.compile(p) for p in self.ignore_lines]
        lines = [
            line for line in text.splitlines()
            if (not keep or any(p.search(line) for p in keep)) and not any(p.search(line) for p in drop)
        ]
        return "\n".join(lines) + ("\n" if lines else "")

    def empty_after_filters(self, expected: str, actual: str) -> Mismatch | None:
        """A mismatch when the filters leave nothing of either output: a comparison of nothing never passes."""
        if self.filtered and not expected.strip() and not actual.strip():
            return Mismatch(
                index=0, line=1, expected=None, actual=None,
                reason="the output filters (--compare-lines/--ignore-lines) keep no line of either output: nothing was compared",
            )
        return None

    def reported_seconds(self, stdout: str) -> float | None:
        """The seconds the program printed (the first match of ``time_pattern``), or None."""
        if self.time_pattern is None:
            return None
        match = re.search(self.time_pattern, stdout, re.M)
        if match is None:
            return None
        try:
            return float(match.group(1))
        except (TypeError, ValueError):
            return None


def _compile(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern, re.M)
    except re.error as exc:
        raise ValueError(f"invalid regex {pattern!r}: {exc}") from None


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text()
    except UnicodeDecodeError:
        raise ProgramOptionsError(f"{path}: {what} is not a text file") from None
    except OSError as exc:
        raise ProgramOptionsError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None


def _include_files(folder: Path, index: int) -> dict[str, str]:
    if not folder.is_dir():
        raise ProgramOptionsError(f"{folder}: include directory not found")
    files, total = {}, 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in INCLUDE_SUFFIXES):
        text = _read(path, "include file")
        total += len(text)
        if total > INCLUDE_DIR_LIMIT:
            raise ProgramOptionsError(f"{folder}: include directory holds more than {INCLUDE_DIR_LIMIT >> 20} MiB of sources")
        files[f"inc{index}/{path.relative_to(folder).as_posix()}"] = text
    return files


def program_options(
    *,
    language: str = "c",
    suffix: str | None = None,
    sources: list[str | Path] = (),
    include_dirs: list[str | Path] = (),
    defines: list[str] = (),
    ignore_lines: list[str] = (),
    compare_lines: list[str] = (),
    time_pattern: str | None = None,
    mpi_rule: str = "init",
    where: str = "",
) -> ProgramOptions:
    """Read extra sources and include directories from disk into ``ProgramOptions``; bad input raises
    ``ProgramOptionsError`` with one line (prefixed by ``where``, e.g. a task.yaml path)."""
    prefix = f"{where}: " if where else ""
    named: dict[str, str] = {}
    for path in map(Path, sources):
        if path.name in named or path.name.startswith("prog.") or path.name.startswith("chathpc_"):
            raise ProgramOptionsError(f"{prefix}{path}: another extra source or a harness file already has the name '{path.name}'")
        named[path.name] = _read(path, "extra source")
    headers: dict[str, str] = {}
    for index, folder in enumerate(map(Path, include_dirs)):
        headers.update(_include_files(folder, index))
    try:
        return ProgramOptions(
            language=language, suffix=suffix, sources=named, headers=headers,
            include_dirs=[f"inc{i}" for i in range(len(include_dirs))], defines=list(defines),
            ignore_lines=list(ignore_lines), compare_lines=list(compare_lines), time_pattern=time_pattern,
            mpi_rule=mpi_rule,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "options"
        name = field if where else {"defines": "-D"}.get(field, "--" + field.replace("_", "-"))
        raise ProgramOptionsError(f"{prefix}{name}: {error['msg'].removeprefix('Value error, ')}") from None

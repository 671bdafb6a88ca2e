"""The languages the harness builds: C, C++ and Fortran (compiler, flags, file names, the not-MPI rule).

A program's language comes from its file extension (``language_for_path``) or is named (``get_language``).
The compiler and flags of each language are ``HarnessConfig`` fields (``cc``/``cflags``,
``cxx``/``cxxflags``, ``fc``/``fflags``); the sequential program builds with the same compiler as the
candidate, so the timing shims (C) link into every language's programs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.errors import ChathpcError

if TYPE_CHECKING:
    from chathpc.config import HarnessConfig

_C_COMMENT_OR_STRING = re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.S)
_C_MPI_INIT = re.compile(r"\bMPI_Init(?:_thread)?\s*\(|\bMPI::Init(?:_thread)?\s*\(")
_FORTRAN_STRING = re.compile(r"'(?:[^'\n]|'')*'|\"(?:[^\"\n]|\"\")*\"")
_FORTRAN_FIXED_COMMENT = re.compile(r"^[cC*][^\n]*$", re.M)
_FORTRAN_COMMENT = re.compile(r"![^\n]*")
_FORTRAN_MPI_MODULE = re.compile(
    r"^\s*use\s*(?:,\s*intrinsic\s*)?(?:::\s*)?mpi(?:_f08)?\b|^\s*#?\s*include\s*['\"<]mpif\.h['\">]", re.I | re.M
)
_FORTRAN_MPI_INIT = re.compile(r"\bcall\s+mpi_init(?:_thread)?\b", re.I)


def strip_c_comments_and_strings(source: str) -> str:
    """C/C++ source with comments and string/character literals blanked out."""
    return _C_COMMENT_OR_STRING.sub(" ", source)


class LanguageError(ChathpcError):
    """An unknown language name, or files whose extensions name different languages."""


@dataclass(frozen=True)
class Language:
    """One source language the harness builds."""

    name: str
    title: str
    extensions: tuple[str, ...]  # the first is the default file suffix
    compiler_field: str  # HarnessConfig field of the MPI compiler wrapper
    flags_field: str  # HarnessConfig field of the compiler flags

    @property
    def suffix(self) -> str:
        """The default file suffix of a program in this language (``.c``, ``.cc``, ``.F90``)."""
        return self.extensions[0]

    def compiler(self, config: HarnessConfig) -> str:
        """The MPI compiler wrapper for this language from the harness config."""
        return getattr(config, self.compiler_field)

    def flags(self, config: HarnessConfig) -> list[str]:
        """The compiler flags for this language from the harness config."""
        return list(getattr(config, self.flags_field))

    def initializes_mpi(self, source: str, suffix: str | None = None) -> bool:
        """True when the code (comments and strings aside) initializes MPI.

        C and C++: a call of ``MPI_Init``/``MPI_Init_thread`` (or C++'s ``MPI::Init``). Fortran: ``call
        MPI_Init``/``MPI_Init_thread`` with the MPI interface in scope (``use mpi``, ``use mpi_f08`` or
        ``include 'mpif.h'``); ``suffix`` ``.f``/``.F`` reads fixed form (a ``C`` or ``*`` in column 1 is a comment).
        """
        if self.name != "fortran":
            return _C_MPI_INIT.search(strip_c_comments_and_strings(source)) is not None
        if suffix in (".f", ".F"):
            source = _FORTRAN_FIXED_COMMENT.sub("", source)
        has_interface = _FORTRAN_MPI_MODULE.search(_FORTRAN_COMMENT.sub("", source)) is not None
        code = _FORTRAN_COMMENT.sub("", _FORTRAN_STRING.sub("''", source))
        return has_interface and _FORTRAN_MPI_INIT.search(code) is not None


LANGUAGES: dict[str, Language] = {
    "c": Language("c", "C", (".c",), "cc", "cflags"),
    "cxx": Language("cxx", "C++", (".cc", ".cpp", ".cxx", ".C"), "cxx", "cxxflags"),
    "fortran": Language("fortran", "Fortran", (".F90", ".f90", ".f", ".F"), "fc", "fflags"),
}
LANGUAGE_NAMES: tuple[str, ...] = tuple(LANGUAGES)


def get_language(name: str) -> Language:
    """The language called ``name`` (c, cxx, fortran)."""
    try:
        return LANGUAGES[name]
    except KeyError:
        raise LanguageError(f"unknown language '{name}' (choose from {', '.join(LANGUAGE_NAMES)})") from None


def language_for_path(path: str | Path) -> Language | None:
    """The language a file's extension names, or None for an unknown extension."""
    suffix = Path(path).suffix
    return next((lang for lang in LANGUAGES.values() if suffix in lang.extensions), None)


def language_for_files(paths: list[str | Path], named: str | None = None) -> Language:
    """The language of a set of program files: ``named`` when given, else their extensions, which must agree.

    Files with an unknown extension take the others' language; with none known the language is C.
    """
    if named is not None:
        return get_language(named)
    found = {str(p): lang for p in paths if (lang := language_for_path(p)) is not None}
    names = {lang.name for lang in found.values()}
    if len(names) > 1:
        shown = ", ".join(f"{p} ({lang.title})" for p, lang in found.items())
        raise LanguageError(f"the programs are in different languages: {shown}; use one language or --language")
    return next(iter(found.values())) if found else LANGUAGES["c"]

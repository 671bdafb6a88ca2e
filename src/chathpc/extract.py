"""Extract the C program from a model's answer.

Answers arrive in every shape: a fenced block with chatter around it, several blocks (a
shell command, the original program, the MPI version), code cut off by the token limit, bare
code after the template's answer marker, or the prompt echoed back. ``extract_code`` returns the
program or ``None`` when the answer holds no program (the harness verdict is then
``extract_error``).

Rules, in order:

1. Cut at end-of-text tokens (``</s>``, ``<|endoftext|>``, ...). When the answer marker occurs,
   keep what follows its first occurrence, up to the next template header (a model continuing
   with a new ``### Question:``).
2. Fenced blocks (````` or ``~~~``; an unterminated last fence runs to the end) whose language
   is C-like or missing: the last one holding ``main(`` and MPI calls, else the last holding
   ``main(`` (preceded by the blocks shown before it when it lacks its ``#include`` lines), else
   all of them joined when together they form a program.
3. Otherwise bare code: from the first line that starts like C (``#include``, a type, a
   comment) to where the code ends at brace depth 0 and prose resumes.
4. What is found must define ``main``; otherwise there is no program.

C++ answers follow the same rules. For Fortran (``language="fortran"``) the program is the last fenced
block (tagged fortran/f90/f or untagged) holding a ``program`` unit, else the bare text from its first
``program`` line to ``end program``.
"""

from __future__ import annotations

import re
import textwrap

END_TOKENS = ("</s>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>", "<|end|>", "<eos>", "<|EOT|>")
NON_C_LANGUAGES = frozenset(
    {"bash", "sh", "shell", "console", "zsh", "text", "txt", "plaintext", "output", "makefile", "make",
     "cmake", "python", "py", "json", "yaml", "yml", "diff", "ini", "toml", "fortran", "f90"}
)
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.\-]*)[^\n`]*$")
_TEMPLATE_HEADER = re.compile(r"^#{2,3}\s*(Context|Question|Answer)\s*:", re.M)
_MAIN = re.compile(r"\bmain\s*\([^;{]*\)\s*\{")
_INCLUDE = re.compile(r"^\s*#\s*include\b", re.M)
_MPI_CALL = re.compile(r"\bMPI_[A-Z]\w*\s*\(")
_CODE_START = re.compile(
    r"^\s*(#\s*(include|define|ifn?def|if|pragma)\b|/\*|//"
    r"|(?:(?:static|extern|const|unsigned|signed|inline)\s+)*"
    r"(?:int|void|double|float|long|short|char|size_t|typedef|struct|enum|MPI_[A-Z]\w*)\b)"
)
_CODE_LINE_AT_TOP = re.compile(r"^\s*(#|//|/\*|\*|[{}])|[;{}),\\]\s*$")
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')


def is_program(code: str) -> bool:
    """Whether ``code`` defines a ``main`` function."""
    return bool(_MAIN.search(code))


def code_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, code)`` for every fenced block, in order (language lower-cased, may be empty)."""
    blocks: list[tuple[str, str]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, language = opening.group(1), opening.group(2).lower()
        body: list[str] = []
        i += 1
        while i < len(lines) and not (lines[i].strip().startswith(fence[0] * len(fence)) and not lines[i].strip().strip(fence[0])):
            body.append(lines[i])
            i += 1
        i += 1
        blocks.append((language, textwrap.dedent("\n".join(body)).strip("\n")))
    return blocks


def question_program(question: str) -> str | None:
    """The program a question asks about: the first fenced block (any language tag) that defines
    ``main``, else the whole text when it is a program; ``None`` when it holds none."""
    for _, code in code_blocks(question):
        if is_program(code) or _FORTRAN_PROGRAM.search(code):
            return code + "\n"
    return question if is_program(question) else None


_CXX_HINT = re.compile(r"^\s*#\s*include\s*<(?!\w+\.h>)\w+>|\bstd::|\bnamespace\b|\btemplate\s*<", re.M)


def program_language(code: str) -> str:
    """The language a program is in, by its content: fortran (a program unit, no C main), cxx (a C++ standard
    header, ``std::``, a namespace or template), else c."""
    if _FORTRAN_PROGRAM.search(code) and not is_program(code):
        return "fortran"
    return "cxx" if _CXX_HINT.search(code) else "c"


def _without_fences(text: str) -> str:
    out, inside = [], None
    for line in text.replace("\r\n", "\n").split("\n"):
        opening = _FENCE_OPEN.match(line)
        if inside is None and opening:
            inside = opening.group(1)
        elif inside is not None and line.strip().startswith(inside[0] * len(inside)) and not line.strip().strip(inside[0]):
            inside = None
        elif inside is None:
            out.append(line)
    return "\n".join(out)


def _answer_part(text: str, marker: str | None) -> str:
    text = text.replace("\r\n", "\n")
    cut = min((text.find(token) for token in END_TOKENS if token in text), default=-1)
    if cut >= 0:
        text = text[:cut]
    if marker and marker.strip() and marker.strip() in text:
        text = text.split(marker.strip(), 1)[1]
        header = _TEMPLATE_HEADER.search(text)
        if header:
            text = text[: header.start()]
    return text


def _from_fences(text: str) -> str | None:
    blocks = [code for language, code in code_blocks(text) if language not in NON_C_LANGUAGES and code.strip()]
    programs = [i for i, code in enumerate(blocks) if is_program(code)]
    mpi_programs = [i for i in programs if _MPI_CALL.search(blocks[i])]
    chosen = mpi_programs[-1] if mpi_programs else (programs[-1] if programs else None)
    if chosen is None:
        joined = "\n\n".join(blocks)
        return joined if blocks and is_program(joined) else None
    if _INCLUDE.search(blocks[chosen]):
        return blocks[chosen]
    # main without its headers: the pieces shown before it (includes, helpers) belong to it
    pieces = [code for code in blocks[:chosen] if not is_program(code)]
    return "\n\n".join([*pieces, blocks[chosen]])


def _brace_delta(line: str, in_comment: bool) -> tuple[int, bool]:
    """Brace balance of one line (strings and comments ignored) and whether a block comment is open after it."""
    code = []
    i = 0
    line = _STRINGS.sub('""', line)
    while i < len(line):
        if in_comment:
            end = line.find("*/", i)
            if end < 0:
                return sum(c == "{" for c in code) - sum(c == "}" for c in code), True
            in_comment, i = False, end + 2
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_comment, i = True, i + 2
        else:
            code.append(line[i])
            i += 1
    return sum(c == "{" for c in code) - sum(c == "}" for c in code), in_comment


def _bare_code(text: str) -> str | None:
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if _CODE_START.match(line)), None)
    if start is None:
        return None
    depth, in_comment, end = 0, False, start
    for i in range(start, len(lines)):
        line = lines[i]
        if depth <= 0 and not in_comment and line.strip() and not _CODE_LINE_AT_TOP.search(line) and not _CODE_START.match(line):
            break
        delta, in_comment = _brace_delta(line, in_comment)
        depth += delta
        if line.strip():
            end = i
    code = textwrap.dedent("\n".join(lines[start : end + 1])).strip("\n")
    return code if is_program(code) else None


_FORTRAN_PROGRAM = re.compile(r"^\s*program\s+\w+", re.I | re.M)
_FORTRAN_END = re.compile(r"^\s*end\s*program\b[^\n]*$", re.I | re.M)
_FORTRAN_TAGS = frozenset({"", "fortran", "f90", "f95", "f03", "f08", "f"})


def _fortran_program(answer: str) -> str | None:
    blocks = [code for language, code in code_blocks(answer) if language in _FORTRAN_TAGS and _FORTRAN_PROGRAM.search(code)]
    if blocks:
        return blocks[-1]
    start = _FORTRAN_PROGRAM.search(answer)
    end = _FORTRAN_END.search(answer, start.end()) if start else None
    return answer[start.start():end.end()].strip("\n") if start and end else None


def answer_code(text: str, marker: str | None = None) -> str:
    """The code of an answer that need not be a program (a function or its body): the last fenced block that is
    not shell or prose, else the answer's text (after the marker, before end tokens)."""
    answer = _answer_part(text or "", marker)
    blocks = [code for language, code in code_blocks(answer) if language not in NON_C_LANGUAGES and code.strip()]
    return blocks[-1] + "\n" if blocks else answer.strip("\n") + "\n"


def extract_code(text: str, marker: str | None = None, language: str = "c") -> str | None:
    """The program (C or C++; Fortran with ``language="fortran"``) in a model's answer, or ``None`` when it
    holds none (see the module rules)."""
    if not text or not text.strip():
        return None
    answer = _answer_part(text, marker)
    if language == "fortran":
        code = _fortran_program(answer)
        return code.rstrip() + "\n" if code else None
    code = _from_fences(answer)
    if code is None:
        code = _bare_code(_without_fences(answer))
    return code.rstrip() + "\n" if code else None

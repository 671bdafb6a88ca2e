"""Decontamination: does a generated sequential program implement the computation of a test-split task?

Whole files are a poor measure (the suite's programs share their scaffolding: train axpy and test copy
are 0.94 alike by token difflib). The comparison is on the *kernel*:

1. comments, strings, preprocessor lines are removed and the code is tokenized;
2. every function but ``main`` that prints or whose result is only printed (the checksum helpers) is dropped, and so is every statement
   that prints, parses arguments (atoi/atof/strtol), allocates or frees;
3. identifiers are renamed by first appearance (``v0``, ``v1``, ...: names go, data flow stays), numbers become
   ``NUM``, element types ``TYPE`` (keywords, operators and the math functions stay);
4. only loops are kept, and of them only loops that read an array (initialization loops, which write
   values computed from the index alone, are scaffolding too); a ``for`` header keeps only its condition;
5. the kernel is that token sequence; similarity is difflib's ratio between two kernels.

``nearest(source)`` names the closest test-split task; ``THRESHOLD`` refuses a record (calibrated in
docs/synth.md: test kernels against their own near-copies score >= 0.9, distinct computations <= 0.7).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

THRESHOLD = 0.85
"""A generated program whose kernel is at least this alike to a test task's kernel is refused."""

KEEP_NAMES = frozenset({
    "for", "while", "do", "if", "else", "return", "break", "continue", "sizeof", "size_t", "const", "static", "struct",
    "sqrt", "fabs", "exp", "log", "pow", "fmax", "fmin", "cos", "sin", "abs", "labs",
})
TYPES = frozenset({"double", "float", "int", "long", "unsigned", "short", "char", "void"})
PRINTS = ("printf", "fprintf", "puts")
DROP_CALLS = ("printf", "fprintf", "puts", "atoi", "atol", "atof", "strtol", "strtod", "malloc", "calloc", "free", "realloc")
TOKEN = re.compile(r"[A-Za-z_]\w*|\d+\.?\d*(?:[eE][-+]?\d+)?[fFlLuU]*|\.\d+(?:[eE][-+]?\d+)?|->|\+\+|--|[-+*/%<>=!&|^]=|&&|\|\||<<|>>|\S")


def _strip(source: str) -> str:
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)
    source = re.sub(r"//[^\n]*", " ", source)
    source = re.sub(r'"(?:\\.|[^"\\])*"', '""', source)
    source = re.sub(r"'(?:\\.|[^'\\])*'", "''", source)
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))


def _matching(tokens: list[str], start: int, opening: str, closing: str, step: int = 1) -> int:
    """The index of the bracket that closes ``tokens[start]`` (``step`` -1: scanning backwards from a closing
    bracket to its opening one); the last index looked at when it is unbalanced."""
    depth, j = 0, start
    while 0 <= j < len(tokens):
        depth += tokens[j] == opening
        depth -= tokens[j] == closing
        if depth == 0:
            break
        j += step
    return j


def _functions(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """Top-level functions as (name, body tokens); other top-level tokens are dropped."""
    out, i = [], 0
    while i < len(tokens):
        if tokens[i] == "{":
            j = _matching(tokens, i, "{", "}")
            k = i - 1
            while k >= 0 and tokens[k] != ")":
                k -= 1
            m = _matching(tokens, k, ")", "(", step=-1)
            name = tokens[m - 1] if m > 0 else ""
            out.append((name, tokens[i + 1:j]))
            i = j + 1
        else:
            i += 1
    return out


def _statements(body: list[str]) -> list[list[str]]:
    """Split a body into statements at ``;`` outside parentheses, keeping braces as their own items."""
    out, current, depth = [], [], 0
    for tok in body:
        current.append(tok)
        depth += tok == "("
        depth -= tok == ")"
        if depth == 0 and tok in (";", "{", "}"):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _drop_boilerplate(body: list[str]) -> list[str]:
    kept: list[str] = []
    for statement in _statements(body):
        if any(tok in DROP_CALLS for tok in statement) and statement[-1] == ";":
            continue
        kept.extend(statement)
    return kept


def _loops(tokens: list[str]) -> list[list[str]]:
    """The outermost ``for``/``while`` loops of a token list (header and body)."""
    loops, i = [], 0
    while i < len(tokens):
        if tokens[i] in ("for", "while") and i + 1 < len(tokens) and tokens[i + 1] == "(":
            j = _matching(tokens, i + 1, "(", ")") + 1
            if j < len(tokens) and tokens[j] == "{":
                j = _matching(tokens, j, "{", "}")
            else:
                depth = 0
                while j < len(tokens):
                    if tokens[j] in ("for", "while") and depth == 0:
                        j += 1
                        continue
                    depth += tokens[j] in "({"
                    depth -= tokens[j] in ")}"
                    if tokens[j] == ";" and depth <= 0:
                        break
                    j += 1
            loops.append(tokens[i:j + 1])
            i = j + 1
        else:
            i += 1
    return loops


def _reads_array(loop: list[str]) -> bool:
    """Whether a loop reads an array element: a subscript not followed by a plain ``=`` (a pure write)."""
    for pos, tok in enumerate(loop):
        if tok != "[":
            continue
        end = _matching(loop, pos, "[", "]")
        if end + 1 >= len(loop) or loop[end + 1] != "=":
            return True
    return False


def _compress_headers(tokens: list[str]) -> list[str]:
    """``for (init; cond; step)`` becomes ``for cond :``: the loop bounds matter, the header's boilerplate
    (the same in every loop) would otherwise dominate short kernels."""
    out, i = [], 0
    while i < len(tokens):
        if tokens[i] == "for" and i + 1 < len(tokens) and tokens[i + 1] == "(":
            depth, j, semis = 0, i + 1, []
            while j < len(tokens):
                depth += tokens[j] == "("
                depth -= tokens[j] == ")"
                if tokens[j] == ";" and depth == 1:
                    semis.append(j)
                if depth == 0:
                    break
                j += 1
            if len(semis) == 2:
                out += ["for", *tokens[semis[0] + 1:semis[1]], ":"]
                i = j + 1
                continue
        out.append(tokens[i])
        i += 1
    return out


def _normalize(tokens: list[str]) -> list[str]:
    """Types become TYPE, numbers NUM, and identifiers are renamed by first appearance (v0, v1, ...), so
    that which array is read where survives (x[i]*y[i] is not x[i]*x[i]) but the names do not."""
    out: list[str] = []
    names: dict[str, str] = {}
    for tok in tokens:
        if tok in TYPES:
            out.append("TYPE")
        elif tok in KEEP_NAMES:
            out.append(tok)
        elif tok[0].isalpha() or tok[0] == "_":
            out.append(names.setdefault(tok, f"v{len(names)}"))
        elif tok[0].isdigit() or (tok[0] == "." and len(tok) > 1):
            out.append("NUM")
        else:
            out.append(tok)
    return out


def kernel_tokens(source: str) -> tuple[str, ...]:
    """The normalized token sequence of the computation in ``source`` (see the module docs)."""
    tokens = TOKEN.findall(_strip(source))
    functions = _functions(tokens)
    printed = {tok for _, body in functions for statement in _statements(body)
               if any(t in PRINTS for t in statement) for tok in statement}
    kept: list[str] = []
    for name, body in functions:
        if name != "main" and (name in printed or any(t in PRINTS for t in body)):
            continue
        body = _drop_boilerplate(body)
        kept.extend(tok for loop in _loops(body) if _reads_array(loop) for tok in loop)
    return tuple(_normalize(_compress_headers(kept)))


def similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """difflib's ratio between two kernel token sequences (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Nearest:
    """The test-split task closest to a program, and how alike their kernels are."""

    task: str
    similarity: float


@lru_cache(maxsize=1)
def test_kernels() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(task id, kernel tokens) of every test-split task's sequential program."""
    from chathpc.tasks import load_suite

    return tuple((task.id, kernel_tokens(task.seq_source)) for task in load_suite("test"))


def nearest(source: str, references: tuple[tuple[str, tuple[str, ...]], ...] | None = None) -> Nearest:
    """The reference (default: the test split) whose kernel is most alike to ``source``'s kernel."""
    kernel = kernel_tokens(source)
    best = Nearest("", 0.0)
    for task, other in references if references is not None else test_kernels():
        matcher = difflib.SequenceMatcher(None, kernel, other, autojunk=False)
        if kernel and other and matcher.real_quick_ratio() > best.similarity and matcher.quick_ratio() > best.similarity:
            score = matcher.ratio()
            if score > best.similarity:
                best = Nearest(task, round(score, 4))
    return best

"""The other targets of a generated pair: OpenMP, Kokkos and hybrid MPI + OpenMP programs from the same kernel.

The families write their sequential (and MPI) bodies with *markers*: a line ``@...@`` right before a loop that
may run in parallel. The sequential and MPI programs drop the marker lines (they are byte for byte what they
were before targets existed); the other targets turn each marked loop into the target's construct:

- ``@par@``: the iterations are independent. OpenMP: ``#pragma omp parallel for``; Kokkos: ``parallel_for``.
- ``@par OP:VAR:TYPE ...@`` (OP ``+``, ``max`` or ``min``): the loop also reduces into VAR. OpenMP:
  ``reduction(OP:VAR)``; Kokkos: ``parallel_reduce`` with the variable as the lambda's reduction argument
  (``Kokkos::Max``/``Min`` reducers for max and min).
- ``@atomic@``: iterations update shared elements with one ``LHS += RHS;`` statement. OpenMP: ``#pragma omp
  atomic`` before it; Kokkos: ``Kokkos::atomic_add(&LHS, RHS)``.
- ``@scan inclusive|exclusive:VAR:TYPE@``: a prefix sum whose body updates VAR and writes one output element.
  OpenMP: ``reduction(inscan, +:VAR)`` with ``#pragma omp scan``; Kokkos: ``parallel_scan``.

Kokkos programs hold their heap arrays in Views (``kokkos_views``) of the default memory space, read directly
by host code: correct on Kokkos's host back ends (OpenMP, Threads, Serial: the harness's), not on a GPU.
"""

from __future__ import annotations

import re

MARKER = re.compile(r"^([ \t]*)@([^\n@]*)@[ \t]*\n", re.M)
_HEADER = re.compile(r"for \((\w+) (\w+) = ([^;]+); \2 < ([^;]+); \2\+\+\)")
_MALLOC_DECL = re.compile(r"^\s*(?:const )?(\w+) \*\w+ = (?:malloc|calloc)\(")
_UPDATE = re.compile(r"^(.+?) \+= (.+);$", re.S)
_KOKKOS_REDUCERS = {"+": None, "max": "Kokkos::Max", "min": "Kokkos::Min"}


def strip_markers(source: str) -> str:
    """``source`` without its marker lines (the sequential and MPI programs)."""
    return MARKER.sub("", source)


def _statement_end(text: str, start: int) -> int:
    """The end of the C statement starting at ``text[start:]`` (a block, a ``for`` with its body, or ``...;``)."""
    i = start
    while text[i].isspace():
        i += 1
    if text[i] == "{":
        depth = 0
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                return j + 1
        raise ValueError("unbalanced braces")
    if text.startswith("for", i) and text[i + 3] in " (":
        return _statement_end(text, _paren_end(text, text.index("(", i)))
    depth = 0
    for j in range(i, len(text)):
        depth += {"(": 1, ")": -1}.get(text[j], 0)
        if text[j] == ";" and depth == 0:
            return j + 1
    raise ValueError("statement without ';'")


def _paren_end(text: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(text)):
        depth += {"(": 1, ")": -1}.get(text[j], 0)
        if depth == 0:
            return j + 1
    raise ValueError("unbalanced parentheses")


def _loops(source: str):
    """Each marked loop: (marker start, loop end, indent, marker text, header match, body text)."""
    pos = 0
    while (mark := MARKER.search(source, pos)) is not None:
        header = _HEADER.match(source, mark.end() + len(mark[1]))
        if header is None:
            raise ValueError(f"marker @{mark[2]}@ is not followed by a canonical for loop")
        end = _statement_end(source, header.end())
        body = source[header.end():end].strip()
        yield mark.start(), end, mark[1], mark[2].strip(), header, body
        pos = end


def _reductions(spec: str) -> list[tuple[str, str, str]]:
    return [tuple(item.split(":")) for item in spec.split()[1:]]  # type: ignore[misc]


def to_openmp(source: str) -> str:
    """The OpenMP program of a marked source: each marked loop gets its directive."""
    out, pos = [], 0
    for start, end, indent, spec, header, body in list(_loops(source)):
        loop = source[start:end]
        loop = loop[loop.index("\n") + 1:]
        kind = spec.split()[0]
        if kind == "par":
            clauses = "".join(f" reduction({op}:{var})" for op, var, _ in _reductions(spec))
            directive = f"#pragma omp parallel for{clauses}"
        elif kind == "atomic":
            directive = "#pragma omp parallel for"
            update = body[1:-1].strip() if body.startswith("{") else body
            loop = loop.replace(update, f"{{\n#pragma omp atomic\n{indent}  {update}\n{indent}}}", 1)
        elif kind == "scan":
            mode, var, _ = spec.split()[1].split(":")
            directive = f"#pragma omp parallel for reduction(inscan, +:{var})"
            first, second = _scan_parts(body)
            loop = loop.replace(body, f"{{\n{indent}  {first}\n#pragma omp scan {mode}({var})\n{indent}  {second}\n{indent}}}", 1)
        else:
            raise ValueError(f"unknown marker @{spec}@")
        out += [source[pos:start], f"{directive}\n{loop}"]
        pos = end
    out.append(source[pos:])
    return "".join(out)


def _scan_parts(body: str) -> tuple[str, str]:
    statements = [s.strip() + ";" for s in body.strip("{} \n").split(";") if s.strip()]
    if len(statements) != 2:
        raise ValueError("a scan loop has two statements")
    return statements[0], statements[1]


def to_kokkos(source: str, label: str) -> str:
    """The Kokkos body of a marked source: each marked loop a Kokkos pattern named ``label_N`` over raw host pointers."""
    out, pos = [], 0
    for number, (start, end, indent, spec, header, body) in enumerate(list(_loops(source))):
        itype, var, lo, hi = header.groups()
        lo, hi = lo.strip(), hi.strip()
        # Kokkos 3.4 runs an inverted range (begin > end) as a huge one: clamp bounds that can cross
        bounds = f"{lo}, {hi}" if lo == "0" and "-" not in hi else f"{lo}, {lo} < {hi} ? {hi} : {lo}"
        policy = f'"{label}_{number}", Kokkos::RangePolicy<>({bounds})'
        inner = body[1:-1].strip("\n").rstrip() if body.startswith("{") else f"{indent}  {body}"
        inner = _reindent(inner, indent + "  ")
        kind = spec.split()[0]
        if kind == "par" and not _reductions(spec):
            text = f"Kokkos::parallel_for({policy}, KOKKOS_LAMBDA(const {itype} {var}) {{\n{inner}\n{indent}}});"
        elif kind == "par":
            reds = _reductions(spec)
            params = "".join(f", {ctype} &{name}" for _, name, ctype in reds)
            targets = ", ".join(name if _KOKKOS_REDUCERS[op] is None else f"{_KOKKOS_REDUCERS[op]}<{ctype}>({name})"
                                for op, name, ctype in reds)
            text = f"Kokkos::parallel_reduce({policy}, KOKKOS_LAMBDA(const {itype} {var}{params}) {{\n{inner}\n{indent}}}, {targets});"
        elif kind == "atomic":
            update = _UPDATE.match(inner.strip())
            if update is None:
                raise ValueError("an @atomic@ loop updates with one 'LHS += RHS;'")
            text = (f"Kokkos::parallel_for({policy}, KOKKOS_LAMBDA(const {itype} {var}) {{\n"
                    f"{indent}  Kokkos::atomic_add(&{update[1]}, {update[2]});\n{indent}}});")
        elif kind == "scan":
            mode, name, ctype = spec.split()[1].split(":")
            first, second = _scan_parts(body)
            write, add = (second, first) if mode == "inclusive" else (first, second)
            lines = [add, f"if (final) {write}"] if mode == "inclusive" else [f"if (final) {write}", add]
            text = (f"Kokkos::parallel_scan({policy}, KOKKOS_LAMBDA(const {itype} {var}, {ctype} &{name}, const bool final) {{\n"
                    + "".join(f"{indent}  {line}\n" for line in lines) + f"{indent}}});")
        else:
            raise ValueError(f"unknown marker @{spec}@")
        out += [source[pos:start], f"{indent}{text}"]
        pos = end
    out.append(source[pos:])
    return "".join(out)


def _reindent(text: str, indent: str) -> str:
    lines = text.split("\n")
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return "\n".join(indent + line[cut:] if line.strip() else "" for line in lines)


def cxx_allocations(source: str) -> str:
    """C allocations made C++: ``double *x = malloc(...)`` -> ``double *x = (double *)malloc(...)`` (every pointer
    of the declaration, which the families give one element type)."""
    lines = []
    for line in source.split("\n"):
        match = _MALLOC_DECL.match(line)
        if match:
            ctype = match[1]
            line = re.sub(r"= (malloc|calloc)\(", rf"= ({ctype} *)\1(", line)
        lines.append(line)
    return "\n".join(lines)


def hybrid_start(mpi_start: str) -> str:
    """The MPI start of a hybrid program: MPI_Init_thread with MPI_THREAD_FUNNELED (threads never call MPI)."""
    return mpi_start.replace(
        "MPI_Init(&argc, &argv);",
        "int provided;\n  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);\n"
        "  if (provided < MPI_THREAD_FUNNELED) MPI_Abort(MPI_COMM_WORLD, 1);")


_VIEW_DECL = re.compile(r"^(\s*)(\w+) (\*\w+ = (?:malloc|calloc)\(.*\));$")
_MALLOC_SIZE = re.compile(r"^(.*) \* sizeof\(\w+\)( \+ 1)?$")


def _top_level_split(text: str, sep: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(ch, 0)
        if ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _view_declarations(indent: str, ctype: str, declarators: str) -> tuple[list[str], list[str]]:
    lines, names = [], []
    for item in _top_level_split(declarators):
        match = re.match(r"^\*(\w+) = (malloc|calloc)\((.*)\)$", item)
        if match is None:
            raise ValueError(f"not an allocation: {item}")
        name, how, args = match.groups()
        if how == "calloc":
            extent = _top_level_split(args)[0]
        else:
            size = _MALLOC_SIZE.match(args)
            if size is None:
                raise ValueError(f"malloc size not COUNT * sizeof(T): {args}")
            extent = size[1] + (" + 1" if size[2] else "")
        lines.append(f'{indent}Kokkos::View<{ctype} *> {name}("{name}", {extent});')
        names.append(name)
    return lines, names


def kokkos_views(body: str) -> str:
    """A Kokkos body with Views for its heap arrays: ``T *x = malloc(COUNT * sizeof(T))`` (or ``calloc``) becomes
    ``Kokkos::View<T *> x("x", COUNT)`` (zero-filled), ``x[i]`` becomes ``x(i)``, ``free(x)`` goes (the View is
    released at the end of the block, before ``Kokkos::finalize``), a View passed to a helper is passed as
    ``x.data()`` (the helpers take host pointers), and pointer swaps become View swaps."""
    lines, views = [], []
    for line in body.split("\n"):
        match = _VIEW_DECL.match(line)
        if match:
            declared, names = _view_declarations(match[1], match[2], match[3])
            lines += declared
            views += names
        else:
            lines.append(line)
    text = "\n".join(lines)
    for name in views:
        text = _brackets_to_calls(text, name)
        text = re.sub(rf"\bfree\({name}\);[ \t]*", "", text)
        text = re.sub(rf"(?<=[(,] )\b{name}\b(?=[,)])|(?<=\(){name}\b(?=[,)])", f"{name}.data()", text)
        text = re.sub(rf"\b\w+ \*(\w+) = {name};", rf"auto \1 = {name};", text)
    return "\n".join(line for line in text.split("\n") if line.strip() or not line) + ("" if text.endswith("\n") else "")


def _in_string(text: str, pos: int) -> bool:
    line = text[text.rfind("\n", 0, pos) + 1: pos]
    return len(re.findall(r'(?<!\\)"', line)) % 2 == 1


def _brackets_to_calls(text: str, name: str) -> str:
    pattern = re.compile(rf"\b{name}\[")
    pos = 0
    while (match := pattern.search(text, pos)) is not None:
        pos = match.end()
        if _in_string(text, match.start()):
            continue
        depth = 0
        for j in range(match.end() - 1, len(text)):
            depth += {"[": 1, "]": -1}.get(text[j], 0)
            if depth == 0:
                break
        text = f"{text[:match.end() - 1]}({text[match.end():j]}){text[j + 1:]}"
    return text

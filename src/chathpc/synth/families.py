"""Kernel families: each draws randomized parameters and emits a sequential program, its MPI translation and
the other targets' programs of the same kernel (``Pair.programs``: OpenMP, Kokkos, hybrid; ``synth.targets``).

A family is a function ``make(rng) -> Pair``. The sequential program follows the program contract
(deterministic data from the global index, size from argv with a default, printed results); the MPI
program is the expert translation: balanced blocks with remainders, every rank builds its own block from
the global index, halo exchange with neighbours only, MPI_Reduce / Allreduce / Exscan / Allgatherv where
the computation needs them, and rank 0 prints.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable

from chathpc.synth.style import ARRAY_NAMES, INT_TYPES, REAL_TYPES, Style, c_real
from chathpc.synth.targets import cxx_allocations, hybrid_start, kokkos_views, strip_markers, to_kokkos, to_openmp

TEST_COMPUTATIONS: dict[str, str] = {
    "copy": "map: expressions have at least two operations, never a plain copy",
    "scal": "map: never a plain scaling of one vector",
    "swap": "map: one output per pair, never an exchange of two vectors",
    "rot": "map: one output per pair, never a plane rotation of two vectors",
    "asum": "reduce: never the sum of fabs(x[i]) alone",
    "nrm2": "reduce: never the square root of a sum of squares",
    "iamax": "reduce: arg-max/arg-min of derived expressions, never of |x[i]|",
    "ger": "matvec/matmul: no rank-1 updates",
    "syr": "matvec/matmul: no rank-1 updates",
    "syrk": "matmul: no rank-k updates, no symmetric storage",
    "syr2k": "matmul: no rank-2k updates, no symmetric storage",
    "symm": "matmul: general dense matrices only",
    "symv": "matvec: general dense matrices only",
    "trsv": "no triangular solves",
    "trsm": "no triangular solves",
    "cg": "iterate: elementwise iterations, no Krylov solver",
    "spmv_banded_csr": "spmv: no CSR format, no banded structure",
    "spmv_powerlaw_csr": "spmv: no CSR format",
    "spmv_sym_upper": "spmv: no CSR format, no symmetric storage",
    "tridiag_matvec": "no banded or tridiagonal products",
    "stencil2d_9pt": "stencil2d: star stencils only, no 3x3 box",
    "stencil3d_27pt": "stencil3d: the 7-point star only, no 3x3x3 box",
}
"""Every test-split computation and how the families keep clear of it (decontamination checks the result)."""

SPARSE_FORMATS = ("coo", "ell")
"""CSR is left out: CSR SpMV is the computation of three test tasks (spmv_banded_csr, spmv_powerlaw_csr, spmv_sym_upper)."""

CHECK_SIZES = (37, 61, 23, 29, 43, 53, 71, 83)
"""Correctness sizes: none divisible by 2, 3 or 4."""


@dataclass
class Pair:
    """One generated pair before it is checked."""

    family: str
    kind: str
    params: dict[str, Any]
    sequential: str
    mpi: str
    args: list[list[str]] = field(default_factory=list)
    programs: dict[str, str] = field(default_factory=dict)
    """Every target's program (mpi, openmp, kokkos; hybrid for the stencil and iterative families)."""


@dataclass(frozen=True)
class Family:
    """A kernel family: its name, the computation it emits, and its generator."""

    name: str
    kind: str
    description: str
    make: Callable[[random.Random], Pair]
    targets: tuple[str, ...] = ("mpi", "openmp", "kokkos")
    """The targets whose programs the family emits."""


def _sizes(rng: random.Random, count: int = 2, pool: tuple[int, ...] = CHECK_SIZES) -> list[int]:
    return sorted(rng.sample(pool, count))


def _header(st: Style, text: str, mpi: bool, extra: tuple[str, ...] = (), kokkos: bool = False) -> str:
    includes = sorted({"stdio.h", "stdlib.h", *extra, *(("mpi.h",) if mpi else ())})
    comment = f"/* {text} */\n" if st.comment else ""
    return comment + ("#include <Kokkos_Core.hpp>\n" if kokkos else "") + "".join(f"#include <{h}>\n" for h in includes)


def _frame(st: Style, doc: str, body_seq: str, body_mpi: str, helpers_seq: str = "", helpers_mpi: str = "",
           extra: tuple[str, ...] = (), *, body_par: str | None = None, hybrid: bool = False) -> tuple[str, str, dict[str, str]]:
    """The sequential and MPI programs (markers dropped) and every target's program, from marked bodies:
    OpenMP and Kokkos from ``body_par`` (default: the sequential body), hybrid (when ``hybrid``) from the MPI body."""
    seq = f"{_header(st, doc, False, extra)}\n{helpers_seq}\nint main(int argc, char **argv) {{\n  {body_seq}\n  return 0;\n}}\n"
    mpi_main = f"{st.split_helper()}{helpers_mpi}\nint main(int argc, char **argv) {{\n  @start@\n  {body_mpi}\n  MPI_Finalize();\n  return 0;\n}}\n"
    mpi = _header(st, doc + " (MPI: block-distributed)", True, extra) + "\n" + mpi_main.replace("@start@", st.mpi_start())
    body = body_seq if body_par is None else body_par
    programs = {
        "mpi": _tidy(strip_markers(mpi)),
        "openmp": _tidy(to_openmp(f"{_header(st, doc + ' (OpenMP: the loops shared by the threads)', False, extra)}\n{helpers_seq}\n"
                                  f"int main(int argc, char **argv) {{\n  {body}\n  return 0;\n}}\n")),
        "kokkos": _tidy(cxx_allocations(
            f"{_header(st, doc + ' (Kokkos: parallel patterns over host arrays)', False, extra, kokkos=True)}\n"
            f"{to_kokkos(helpers_seq, 'checksum')}\nint main(int argc, char **argv) {{\n  Kokkos::initialize(argc, argv);\n  {{\n"
            f"{_indent(kokkos_views(to_kokkos('  ' + body, 'kernel')))}\n  }}\n  Kokkos::finalize();\n  return 0;\n}}\n")),
    }
    if hybrid:
        head = _header(st, doc + " (MPI + OpenMP: blocks per rank, threads within each rank)", True, extra)
        programs["hybrid"] = _tidy(to_openmp(head + "\n" + mpi_main.replace("@start@", hybrid_start(st.mpi_start()))))
    return _tidy(strip_markers(seq)), programs["mpi"], programs


def _indent(text: str) -> str:
    return "\n".join("  " + line if line.strip() else "" for line in text.split("\n"))


def _tidy(source: str) -> str:
    lines = [line.rstrip() for line in source.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


def _mpi_type(ctype: str) -> str:
    return {"double": "MPI_DOUBLE", "float": "MPI_FLOAT", "int": "MPI_INT", "long": "MPI_LONG"}[ctype]


def _expr(rng: random.Random, operands: list[str], ctype: str, depth: int = 2) -> str:
    """A random arithmetic expression over ``operands`` (at least two operations)."""
    if depth == 0:
        if rng.random() < 0.25:
            return rng.choice(("2", "3", "5")) if ctype in INT_TYPES else rng.choice(("0.5", "1.5", "0.25", "3.0", "2.0"))
        return rng.choice(operands)
    ops = ("+", "-", "*")
    left, right = _expr(rng, operands, ctype, depth - 1), _expr(rng, operands, ctype, depth - 1)
    op = rng.choice(ops)
    if left == right:  # x - x is zero, x + x a plain scaling: use a constant instead
        right = rng.choice(("2", "3", "5")) if ctype in INT_TYPES else rng.choice(("0.5", "1.5", "0.25", "3.0", "2.0"))
    combined = f"({left} {op} {right})"
    if ctype in REAL_TYPES and depth == 2 and rng.random() < 0.3:
        fn = rng.choice(("sqrt(1.0 + ({0}) * ({0}))", "fabs({0})", "exp(-0.01 * fabs({0}))"))
        return fn.format(combined)
    return combined


# --- map ---------------------------------------------------------------------------------------------

def make_map(rng: random.Random) -> Pair:
    """out[i] = f(in1[i], in2[i], ...): an elementwise map over one to three inputs."""
    st = Style(rng)
    ctype = rng.choice(REAL_TYPES + INT_TYPES)
    inputs = st.names(ARRAY_NAMES, rng.choice((1, 2, 3)))
    out = st.name(ARRAY_NAMES)
    i = st.name(("i", "k", "idx", "e"))
    expr = _expr(rng, [f"{a}[{i}]" for a in inputs], ctype)
    if ctype in INT_TYPES:
        expr = f"({expr}) % {rng.choice((97, 101, 1009))}"
    while all(f"{a}[{i}]" not in expr for a in inputs) or expr.count("(") < 2:
        expr = _expr(rng, [f"{a}[{i}]" for a in inputs], ctype)
    inits = {a: st.data_expr(ctype, "{g}", signed=rng.random() < 0.3) for a in inputs}
    n, t = st.size, st.index_type
    default = rng.choice((1000000, 2000000, 500000, 4000000))
    math = ("math.h",) if "sqrt" in expr or "fabs" in expr or "exp" in expr else ()
    alloc_seq = "\n  ".join(f"{ctype} *{a} = malloc((size_t){n} * sizeof({ctype}));" for a in [*inputs, out])
    init_seq = "\n    ".join(f"{a}[{i}] = {inits[a].format(g=i)};" for a in inputs)
    free_all = " ".join(f"free({a});" for a in [*inputs, out])
    body_seq = (f"{st.size_decl(1, default)}\n  {alloc_seq}\n  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {{\n    {init_seq}\n  }}\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++)\n    {out}[{i}] = {expr};\n"
                f'  {st.summary_func}("{out}", {out}, {n});\n  {free_all}')
    local = rng.random() < 0.5
    alloc_mpi = "\n  ".join(f"{ctype} *{a} = malloc((size_t)(hi - lo + 1) * sizeof({ctype}));" for a in [*inputs, out])
    if local:
        init_mpi = "\n    ".join(f"{a}[{i}] = {inits[a].format(g='(lo + ' + i + ')')};" for a in inputs)
        loops = (f"  for ({t} {i} = 0; {i} < hi - lo; {i}++) {{\n    {init_mpi}\n  }}\n"
                 f"  for ({t} {i} = 0; {i} < hi - lo; {i}++)\n    {out}[{i}] = {expr};\n")
    else:
        init_mpi = "\n    ".join(f"{a}[{i} - lo] = {inits[a].format(g=i)};" for a in inputs)
        loops = (f"  for ({t} {i} = lo; {i} < hi; {i}++) {{\n    {init_mpi}\n  }}\n"
                 f"  for ({t} {i} = lo; {i} < hi; {i}++)\n    {out}[{i} - lo] = {expr.replace(f'[{i}]', f'[{i} - lo]')};\n")
    body_mpi = (f"{st.size_decl(1, default)}\n  {st.split_decl(n)}\n  {alloc_mpi}\n{loops}"
                f'  {st.summary_func}("{out}", {out}, lo, hi, {n}, {st.rank});\n  {free_all}')
    doc = f"elementwise map {out} = f({', '.join(inputs)}) over {ctype} vectors"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary(ctype), st.mpi_summary(ctype), math)
    sizes = _sizes(rng)
    return Pair("map", "map", {"type": ctype, "inputs": len(inputs), "expr": expr, "local_index": local}, seq, mpi,
                [[str(s)] for s in sizes], programs)


# --- reductions ---------------------------------------------------------------------------------------

def make_reduce(rng: random.Random) -> Pair:
    """A scalar reduction (sum, max, min, arg-max, arg-min, mean and variance) of a derived value."""
    st = Style(rng)
    op = rng.choice(("sum", "max", "min", "argmax", "argmin", "variance"))
    ctype = rng.choice(REAL_TYPES) if op in ("variance",) else rng.choice(REAL_TYPES + INT_TYPES)
    if op in ("argmax", "argmin"):
        ctype = rng.choice(("double", "int"))
    inputs = st.names(ARRAY_NAMES, rng.choice((1, 2)))
    i = st.name(("i", "k", "idx", "e"))
    n, t = st.size, st.index_type
    res = st.name(("result", "best", "acc", "value", "total", "extreme"))
    terms = [f"{a}[{i}]" for a in inputs]
    expr = _expr(rng, terms, ctype, 1 if ctype in INT_TYPES else 2)
    while not any(term in expr for term in terms) or expr.count("(") < 1:
        expr = _expr(rng, terms, ctype, 1)
    inits = {a: st.data_expr(ctype, "{g}", signed=op != "sum" or rng.random() < 0.5) for a in inputs}
    acc = "long" if ctype in INT_TYPES else "double"
    fmt = st.fmt(ctype)
    mpi_acc = "MPI_LONG" if acc == "long" else "MPI_DOUBLE"
    default = rng.choice((1000000, 3000000, 800000))
    math = ("math.h",) if any(f in expr for f in ("sqrt", "fabs", "exp")) else ()
    lf = "%d" if t == "int" else "%ld"
    label = rng.choice(("result", op, f"{op} of f", f"{res}"))

    def loop(lo: str, hi: str, off: str, body: str, mark: str = "") -> str:
        init = "\n    ".join(f"{a}[{i}{off}] = {inits[a].format(g=i)};" for a in inputs)
        return (f"@par@\n  for ({t} {i} = {lo}; {i} < {hi}; {i}++) {{\n    {init}\n  }}\n"
                f"  {mark}for ({t} {i} = {lo}; {i} < {hi}; {i}++) {{\n    {acc} f_val = {expr.replace(f'[{i}]', f'[{i}{off}]')};\n    {body}\n  }}")

    if op == "sum":
        start, upd = "0", f"{res} += f_val;"
    elif op in ("max", "argmax"):
        start, upd = ("-1e300" if acc == "double" else "-2000000000L"), f"if (f_val > {res}) {{ {res} = f_val;{' at = ' + i + ';' if op == 'argmax' else ''} }}"
    elif op in ("min", "argmin"):
        start, upd = ("1e300" if acc == "double" else "2000000000L"), f"if (f_val < {res}) {{ {res} = f_val;{' at = ' + i + ';' if op == 'argmin' else ''} }}"
    else:
        start, upd = "0", f"{res} += f_val;"
    alloc = lambda count: "\n  ".join(f"{ctype} *{a} = malloc((size_t)({count}) * sizeof({ctype}));" for a in inputs)  # noqa: E731
    frees = " ".join(f"free({a});" for a in inputs)
    at_decl = f"  {t} at = -1;\n" if op in ("argmax", "argmin") else ""
    if op == "variance":
        var_seq = (f"  double mean = {res} / {n}, spread = 0.0;\n"
                   f"  @par +:spread:double@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {{\n    double d = ({expr}) - mean;\n    spread += d * d;\n  }}\n"
                   f'  printf("mean {fmt}\\nvariance {fmt}\\n", mean, spread / {n});')
        var_mpi = (f"  double sum_all;\n  MPI_Allreduce(&{res}, &sum_all, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);\n"
                   f"  double mean = sum_all / {n}, spread = 0.0, spread_all = 0.0;\n"
                   f"  for ({t} {i} = lo; {i} < hi; {i}++) {{\n    double d = ({expr.replace(f'[{i}]', f'[{i} - lo]')}) - mean;\n    spread += d * d;\n  }}\n"
                   f"  MPI_Reduce(&spread, &spread_all, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);\n"
                   f'  if ({st.rank} == 0) printf("mean {fmt}\\nvariance {fmt}\\n", mean, spread_all / {n});')
        print_seq, print_mpi = var_seq, var_mpi
    elif op in ("argmax", "argmin"):
        print_seq = f'  printf("{label} {fmt} at {lf}\\n", {res}, at);'
        if acc == "double" and rng.random() < 0.7:
            loc = "MPI_MAXLOC" if op == "argmax" else "MPI_MINLOC"
            print_mpi = (f"  struct {{ double val; int pos; }} mine = {{{res}, (int)at}}, winner;\n"
                         f"  MPI_Reduce(&mine, &winner, 1, MPI_DOUBLE_INT, {loc}, 0, MPI_COMM_WORLD);\n"
                         f'  if ({st.rank} == 0) printf("{label} {fmt} at {lf}\\n", winner.val, ({t})winner.pos);')
        else:
            cmp = "MPI_MAX" if op == "argmax" else "MPI_MIN"
            print_mpi = (f"  {acc} global;\n  MPI_Allreduce(&{res}, &global, 1, {mpi_acc}, {cmp}, MPI_COMM_WORLD);\n"
                         f"  long cand = ({res} == global && at >= 0) ? (long)at : 2147483647L, first;\n"
                         f"  MPI_Reduce(&cand, &first, 1, MPI_LONG, MPI_MIN, 0, MPI_COMM_WORLD);\n"
                         f'  if ({st.rank} == 0) printf("{label} {fmt} at {lf}\\n", global, ({t})first);')
    else:
        mop = {"sum": "MPI_SUM", "max": "MPI_MAX", "min": "MPI_MIN"}[op]
        print_seq = f'  printf("{label} = {fmt}\\n", {res});'
        if rng.random() < 0.5:
            print_mpi = (f"  {acc} global = 0;\n  MPI_Reduce(&{res}, &global, 1, {mpi_acc}, {mop}, 0, MPI_COMM_WORLD);\n"
                         f'  if ({st.rank} == 0) printf("{label} = {fmt}\\n", global);')
        else:
            print_mpi = (f"  MPI_Reduce({st.rank} == 0 ? MPI_IN_PLACE : &{res}, &{res}, 1, {mpi_acc}, {mop}, 0, MPI_COMM_WORLD);\n"
                         f'  if ({st.rank} == 0) printf("{label} = {fmt}\\n", {res});')
    reduction = {"sum": "+", "variance": "+", "max": "max", "min": "min"}.get(op)
    mark = f"@par {reduction}:{res}:{acc}@\n  " if reduction else ""
    body_seq = (f"{st.size_decl(1, default)}\n  {alloc(n)}\n  {acc} {res} = {start};\n{at_decl}  {loop('0', n, '', upd, mark)}\n"
                f"{print_seq}\n  {frees}")
    body_par = None
    if op in ("argmax", "argmin"):  # two reductions: the extreme, then the first index that reaches it
        better = ">" if op == "argmax" else "<"
        two_pass = (f"@par {op[3:]}:{res}:{acc}@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {{\n    {acc} f_val = {expr};\n"
                    f"    if (f_val {better} {res}) {res} = f_val;\n  }}\n"
                    f"  @par min:at:{t}@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {{\n    {acc} f_val = {expr};\n"
                    f"    if (f_val == {res} && {i} < at) at = {i};\n  }}")
        seq_loop = loop('0', n, '', upd)
        body_par = body_seq.replace(seq_loop, seq_loop[: seq_loop.rindex("  for (")] + "  " + two_pass).replace(at_decl, f"  {t} at = {n};\n")
    body_mpi = (f"{st.size_decl(1, default)}\n  {st.split_decl(n)}\n  {alloc('hi - lo + 1')}\n  {acc} {res} = {start};\n{at_decl}"
                f"  {loop('lo', 'hi', ' - lo', upd)}\n{print_mpi}\n  {frees}")
    doc = {"sum": "sum", "max": "largest value", "min": "smallest value", "argmax": "largest value and its first index",
           "argmin": "smallest value and its first index", "variance": "mean and variance"}[op] + f" of f(i) over {ctype} data"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, extra=math, body_par=body_par)
    return Pair("reduce", f"reduce_{op}", {"type": ctype, "op": op, "expr": expr}, seq, mpi, [[str(s)] for s in _sizes(rng)], programs)


# --- dense mat-vec and mat-mat ----------------------------------------------------------------------

def _matrix_entry(rng: random.Random, r: str, c: str) -> str:
    return rng.choice((
        f"1.0 / (1.0 + (({r} + 2 * {c}) % {rng.choice((5, 7, 11))}))",
        f"(({r} * {rng.choice((3, 5))} + {c} * {rng.choice((2, 7))}) % {rng.choice((9, 13))}) * 0.125 - 0.5",
        f"0.25 * (({r} + {c}) % {rng.choice((4, 6, 10))}) + 0.5",
        f"(({r} ^ {c}) % {rng.choice((7, 15))}) * 0.0625 + 0.125",
    ))


def make_matvec(rng: random.Random) -> Pair:
    """y = A*x or y = A^T*x for a dense rows x cols matrix (row blocks; A^T*x reduces partial vectors)."""
    st = Style(rng)
    transpose = rng.random() < 0.4
    A, x, y = st.names(("A", "M", "mat", "K", "B", "G"), 1)[0], st.name(ARRAY_NAMES), st.name(ARRAY_NAMES)
    rows, cols = st.size, st.name(("cols", "m", "ncol", "width"))
    r, c = st.name(("i", "r", "row")), st.name(("j", "c", "col"))
    t = st.index_type
    shape = rng.choice(("square", "wide", "tall"))
    cols_expr = {"square": rows, "wide": f"2 * {rows} + 1", "tall": f"{rows} / 2 + 3"}[shape]
    entry = _matrix_entry(rng, r, c)
    xin = st.data_expr("double", "{g}")
    alpha = rng.choice((None, "0.5", "1.5", "2.0"))
    scale = f"{alpha} * " if alpha else ""
    default = rng.choice((2000, 3000, 1500))
    head = f"{st.size_decl(1, default, rows)}\n  {t} {cols} = {cols_expr};"
    if not transpose:
        body_seq = (f"{head}\n  double *{A} = malloc((size_t){rows} * {cols} * sizeof(double));\n"
                    f"  double *{x} = malloc((size_t){cols} * sizeof(double)), *{y} = malloc((size_t){rows} * sizeof(double));\n"
                    f"  @par@\n  for ({t} {c} = 0; {c} < {cols}; {c}++) {x}[{c}] = {xin.format(g=c)};\n"
                    f"  @par@\n  for ({t} {r} = 0; {r} < {rows}; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {A}[(size_t){r} * {cols} + {c}] = {entry};\n"
                    f"  @par@\n  for ({t} {r} = 0; {r} < {rows}; {r}++) {{\n    double dot = 0.0;\n    for ({t} {c} = 0; {c} < {cols}; {c}++) dot += {A}[(size_t){r} * {cols} + {c}] * {x}[{c}];\n    {y}[{r}] = {scale}dot;\n  }}\n"
                    f'  {st.summary_func}("{y}", {y}, {rows});\n  free({A}); free({x}); free({y});')
        body_mpi = (f"{head}\n  {st.split_decl(rows)}\n  double *{A} = malloc((size_t)(hi - lo + 1) * {cols} * sizeof(double));\n"
                    f"  double *{x} = malloc((size_t){cols} * sizeof(double)), *{y} = malloc((size_t)(hi - lo + 1) * sizeof(double));\n"
                    f"  /* x is computed from the index on every rank: no broadcast needed */\n"
                    f"  for ({t} {c} = 0; {c} < {cols}; {c}++) {x}[{c}] = {xin.format(g=c)};\n"
                    f"  for ({t} {r} = lo; {r} < hi; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {A}[(size_t)({r} - lo) * {cols} + {c}] = {entry};\n"
                    f"  for ({t} {r} = lo; {r} < hi; {r}++) {{\n    double dot = 0.0;\n    for ({t} {c} = 0; {c} < {cols}; {c}++) dot += {A}[(size_t)({r} - lo) * {cols} + {c}] * {x}[{c}];\n    {y}[{r} - lo] = {scale}dot;\n  }}\n"
                    f'  {st.summary_func}("{y}", {y}, lo, hi, {rows}, {st.rank});\n  free({A}); free({x}); free({y});')
        helpers = (st.seq_summary("double"), st.mpi_summary("double"))
        body_par = None
    else:
        body_seq = (f"{head}\n  double *{A} = malloc((size_t){rows} * {cols} * sizeof(double));\n"
                    f"  double *{x} = malloc((size_t){rows} * sizeof(double)), *{y} = calloc((size_t){cols}, sizeof(double));\n"
                    f"  @par@\n  for ({t} {r} = 0; {r} < {rows}; {r}++) {x}[{r}] = {xin.format(g=r)};\n"
                    f"  @par@\n  for ({t} {r} = 0; {r} < {rows}; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {A}[(size_t){r} * {cols} + {c}] = {entry};\n"
                    f"  for ({t} {r} = 0; {r} < {rows}; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {y}[{c}] += {scale}{A}[(size_t){r} * {cols} + {c}] * {x}[{r}];\n"
                    f'  {st.summary_func}("{y}", {y}, {cols});\n  free({A}); free({x}); free({y});')
        body_mpi = (f"{head}\n  {st.split_decl(rows)}\n  double *{A} = malloc((size_t)(hi - lo + 1) * {cols} * sizeof(double));\n"
                    f"  double *{x} = malloc((size_t)(hi - lo + 1) * sizeof(double)), *{y} = calloc((size_t){cols}, sizeof(double));\n"
                    f"  for ({t} {r} = lo; {r} < hi; {r}++) {x}[{r} - lo] = {xin.format(g=r)};\n"
                    f"  for ({t} {r} = lo; {r} < hi; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {A}[(size_t)({r} - lo) * {cols} + {c}] = {entry};\n"
                    f"  /* each rank adds its rows' contribution to the whole of {y}; one reduction combines them */\n"
                    f"  for ({t} {r} = lo; {r} < hi; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {y}[{c}] += {scale}{A}[(size_t)({r} - lo) * {cols} + {c}] * {x}[{r} - lo];\n"
                    f"  MPI_Reduce({st.rank} == 0 ? MPI_IN_PLACE : {y}, {y}, (int){cols}, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);\n"
                    f'  if ({st.rank} == 0) {st.summary_func}("{y}", {y}, {cols});\n  free({A}); free({x}); free({y});')
        helpers = (st.seq_summary("double"), st.seq_summary("double"))
        product = f"  for ({t} {r} = 0; {r} < {rows}; {r}++)\n    for ({t} {c} = 0; {c} < {cols}; {c}++) {y}[{c}] += {scale}{A}[(size_t){r} * {cols} + {c}] * {x}[{r}];\n"
        # threads own columns of y (the rows loop inside): no two threads write one element, same order of sums
        body_par = body_seq.replace(product, f"  @par@\n  for ({t} {c} = 0; {c} < {cols}; {c}++) {{\n    double col_sum = 0.0;\n"
                                             f"    for ({t} {r} = 0; {r} < {rows}; {r}++) col_sum += {scale}{A}[(size_t){r} * {cols} + {c}] * {x}[{r}];\n"
                                             f"    {y}[{c}] += col_sum;\n  }}\n")
    doc = f"dense {'transposed ' if transpose else ''}matrix-vector product {y} = {alpha + '*' if alpha else ''}{A}{'^T' if transpose else ''}*{x}, {A} is {rows} x {cols} ({shape})"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, helpers[0], helpers[1], body_par=body_par)
    return Pair("matvec", "matvec_t" if transpose else "matvec", {"transpose": transpose, "shape": shape, "entry": entry, "alpha": alpha},
                seq, mpi, [[str(s)] for s in _sizes(rng, 2, (13, 23, 29, 37))], programs)


def make_matmul(rng: random.Random) -> Pair:
    """C = A*B for rectangular dense matrices (rows of A and C in blocks, B built on every rank)."""
    st = Style(rng)
    A, B, C = st.names(("A", "B", "C", "P", "Q", "R", "L", "Rm"), 3)
    m, kd, p = st.size, st.name(("k", "inner", "depth")), st.name(("p", "ncols", "width"))
    i, j, l = st.name(("i", "r")), st.name(("j", "c")), st.name(("l", "q", "s2"))
    t = st.index_type
    kexpr = rng.choice((f"{m} + 3", f"{m} / 2 + 1", f"2 * {m} - 1"))
    pexpr = rng.choice((f"{m}", f"{m} + 5", f"{m} / 3 + 2"))
    order = rng.choice(("ijl", "ilj"))
    ea, eb = _matrix_entry(rng, i, l), _matrix_entry(rng, l, j)
    default = rng.choice((400, 500, 600))

    def kernel(row_lo: str, row_hi: str, off: str) -> str:
        if order == "ijl":
            return (f"for ({t} {i} = {row_lo}; {i} < {row_hi}; {i}++)\n    for ({t} {j} = 0; {j} < {p}; {j}++) {{\n"
                    f"      double s = 0.0;\n      for ({t} {l} = 0; {l} < {kd}; {l}++) s += {A}[(size_t)({i}{off}) * {kd} + {l}] * {B}[(size_t){l} * {p} + {j}];\n"
                    f"      {C}[(size_t)({i}{off}) * {p} + {j}] = s;\n    }}")
        return (f"for ({t} {i} = {row_lo}; {i} < {row_hi}; {i}++) {{\n    for ({t} {j} = 0; {j} < {p}; {j}++) {C}[(size_t)({i}{off}) * {p} + {j}] = 0.0;\n"
                f"    for ({t} {l} = 0; {l} < {kd}; {l}++) {{\n      double a_il = {A}[(size_t)({i}{off}) * {kd} + {l}];\n"
                f"      for ({t} {j} = 0; {j} < {p}; {j}++) {C}[(size_t)({i}{off}) * {p} + {j}] += a_il * {B}[(size_t){l} * {p} + {j}];\n    }}\n  }}")

    head = f"{st.size_decl(1, default, m)}\n  {t} {kd} = {kexpr}, {p} = {pexpr};"
    fill_b = f"@par@\n  for ({t} {l} = 0; {l} < {kd}; {l}++)\n    for ({t} {j} = 0; {j} < {p}; {j}++) {B}[(size_t){l} * {p} + {j}] = {eb};"
    body_seq = (f"{head}\n  double *{A} = malloc((size_t){m} * {kd} * sizeof(double)), *{B} = malloc((size_t){kd} * {p} * sizeof(double));\n"
                f"  double *{C} = malloc((size_t){m} * {p} * sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {m}; {i}++)\n    for ({t} {l} = 0; {l} < {kd}; {l}++) {A}[(size_t){i} * {kd} + {l}] = {ea};\n  {fill_b}\n"
                f"  @par@\n  {kernel('0', m, '')}\n"
                f'  {st.summary_func}("{C}", {C}, ({t}){m} * {p});\n  free({A}); free({B}); free({C});')
    body_mpi = (f"{head}\n  {st.split_decl(m)}\n  double *{A} = malloc((size_t)(hi - lo + 1) * {kd} * sizeof(double)), *{B} = malloc((size_t){kd} * {p} * sizeof(double));\n"
                f"  double *{C} = malloc((size_t)(hi - lo + 1) * {p} * sizeof(double));\n"
                f"  for ({t} {i} = lo; {i} < hi; {i}++)\n    for ({t} {l} = 0; {l} < {kd}; {l}++) {A}[(size_t)({i} - lo) * {kd} + {l}] = {ea};\n"
                f"  /* {B} is needed whole by every rank and is cheap to build from the index */\n  {fill_b}\n"
                f"  {kernel('lo', 'hi', ' - lo')}\n"
                f'  {st.summary_func}("{C}", {C}, lo * {p}, hi * {p}, ({t}){m} * {p}, {st.rank});\n  free({A}); free({B}); free({C});')
    doc = f"dense matrix product {C} = {A}*{B}, {A} is {m} x {kd}, {B} is {kd} x {p} ({order} loop order)"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary("double"), st.mpi_summary("double"))
    return Pair("matmul", "matmul", {"k": kexpr, "p": pexpr, "order": order}, seq, mpi, [[str(s)] for s in _sizes(rng, 2, (13, 17, 23, 29))], programs)


# --- stencils ----------------------------------------------------------------------------------------

def _weights(rng: random.Random, count: int) -> list[str]:
    """``count`` positive weights, multiples of 1/16 summing to at most 1 (a contraction)."""
    raw = [rng.randint(1, 4) for _ in range(count)]
    total = sum(raw)
    denom = 16 if total <= 16 else 32 if total <= 32 else 64
    return [c_real(v / denom) for v in raw]


def make_stencil1d(rng: random.Random) -> Pair:
    """Radius-r 1D stencil sweeps with fixed ends; MPI: r ghost cells per side exchanged with MPI_Sendrecv."""
    st = Style(rng)
    radius = rng.choice((1, 2, 3))
    u, v = st.names(("u", "v", "cur", "nxt", "old", "new_", "a", "b"), 2)
    n, t = st.size, st.index_type
    sweeps = st.name(("steps", "iters", "sweeps", "nt"))
    i = st.name(("i", "k", "x"))
    w = _weights(rng, 2 * radius + 1)
    init = st.data_expr("double", "{g}")
    terms = " + ".join(f"{w[d + radius]} * {{a}}[{{c}} {'+' if d >= 0 else '-'} {abs(d)}]" for d in range(-radius, radius + 1))
    default_steps = rng.choice((50, 100, 200))
    default = rng.choice((1000000, 400000))
    head = f"{st.size_decl(1, default)}\n  {st.size_decl(2, default_steps, sweeps)}"
    body_seq = (f"{head}\n  double *{u} = malloc((size_t){n} * sizeof(double)), *{v} = malloc((size_t){n} * sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {u}[{i}] = {v}[{i}] = {init.format(g=i)};\n"
                f"  for (int it = 0; it < {sweeps}; it++) {{\n"
                f"    @par@\n    for ({t} {i} = {radius}; {i} < {n} - {radius}; {i}++)\n      {v}[{i}] = {terms.format(a=u, c=i)};\n"
                f"    double *swap_tmp = {u};\n    {u} = {v};\n    {v} = swap_tmp;\n  }}\n"
                f'  {st.summary_func}("{u}", {u}, {n});\n  free({u}); free({v});')
    R = radius
    body_mpi = (f"{head}\n  {st.halo_split_decl(n, radius)}\n  {t} mine = hi - lo;\n"
                f"  int left = {st.rank} > 0 && {st.rank} < active ? {st.rank} - 1 : MPI_PROC_NULL, right = {st.rank} < active - 1 ? {st.rank} + 1 : MPI_PROC_NULL;\n"
                f"  /* local cells live at [{R}, {R} + mine); {R} ghost cells on each side */\n"
                f"  double *{u} = calloc((size_t)mine + {2 * R}, sizeof(double)), *{v} = calloc((size_t)mine + {2 * R}, sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = lo; {i} < hi; {i}++) {u}[{i} - lo + {R}] = {v}[{i} - lo + {R}] = {init.format(g=i)};\n"
                f"  {t} from = lo > {R} ? lo : {R}, to = hi < {n} - {R} ? hi : {n} - {R};\n"
                f"  for (int it = 0; it < {sweeps}; it++) {{\n"
                f"    MPI_Sendrecv(&{u}[{R}], {R}, MPI_DOUBLE, left, 0, &{u}[mine + {R}], {R}, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                f"    MPI_Sendrecv(&{u}[mine], {R}, MPI_DOUBLE, right, 1, &{u}[0], {R}, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                f"    @par@\n    for ({t} {i} = from; {i} < to; {i}++)\n      {v}[{i} - lo + {R}] = {terms.format(a=u, c=f'{i} - lo + {R}')};\n"
                f"    double *swap_tmp = {u};\n    {u} = {v};\n    {v} = swap_tmp;\n  }}\n"
                f'  {st.summary_func}("{u}", {u} + {R}, lo, hi, {n}, {st.rank});\n  free({u}); free({v});')
    doc = f"1D stencil of radius {radius} (weights {', '.join(w)}) applied {sweeps} times, the first and last {radius} cells fixed"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary("double"), st.mpi_summary("double"), hybrid=True)
    sizes = _sizes(rng, 2, (37, 43, 53, 61, 71))
    return Pair("stencil1d", f"stencil1d_r{radius}", {"radius": radius, "weights": w}, seq, mpi,
                [[str(s), str(rng.randint(3, 12))] for s in sizes], programs)


def make_stencil2d(rng: random.Random) -> Pair:
    """2D star stencils (radius 1 or 2, rectangular grid) with row blocks and halo rows."""
    st = Style(rng)
    radius = rng.choice((1, 2))
    u, v = st.names(("u", "v", "T", "Tn", "phi", "phin", "grid", "next"), 2)
    rows, t = st.size, st.index_type
    cols = st.name(("cols", "nx", "width", "m"))
    sweeps = st.name(("steps", "iters", "sweeps", "nt"))
    i, j = st.name(("i", "r", "y")), st.name(("j", "c", "x"))
    cols_expr = rng.choice((rows, f"{rows} + 7", f"2 * {rows} - 3"))
    w = _weights(rng, 1 + 2 * radius)
    offsets = [(0, 0)] + [(d, 0) for d in range(-radius, radius + 1) if d] + [(0, d) for d in range(-radius, radius + 1) if d]
    weights = [w[0]] + [w[1 + (abs(d) - 1) * 2] for d in range(-radius, radius + 1) if d] * 2
    init = f"1.0 + (({{r}} * 3 + {{c}} * 5) % {rng.choice((7, 11, 13))}) * 0.125"

    def stencil(a: str, idx: str) -> str:
        parts = []
        for (di, dj), wt in zip(offsets, weights):
            off = f" + {di} * {cols}" if di > 0 else f" - {-di} * {cols}" if di < 0 else (f" + {dj}" if dj > 0 else f" - {-dj}" if dj < 0 else "")
            parts.append(f"{wt} * {a}[{idx}{off}]")
        return " + ".join(parts)

    R = radius
    head = f"{st.size_decl(1, rng.choice((1500, 2000)), rows)}\n  {t} {cols} = {cols_expr};\n  {st.size_decl(2, rng.choice((50, 100)), sweeps)}"
    body_seq = (f"{head}\n  double *{u} = malloc((size_t){rows} * {cols} * sizeof(double)), *{v} = malloc((size_t){rows} * {cols} * sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {rows}; {i}++)\n    for ({t} {j} = 0; {j} < {cols}; {j}++) {u}[(size_t){i} * {cols} + {j}] = {v}[(size_t){i} * {cols} + {j}] = {init.format(r=i, c=j)};\n"
                f"  for (int it = 0; it < {sweeps}; it++) {{\n"
                f"    @par@\n    for ({t} {i} = {R}; {i} < {rows} - {R}; {i}++)\n      for ({t} {j} = {R}; {j} < {cols} - {R}; {j}++) {{\n"
                f"        size_t at = (size_t){i} * {cols} + {j};\n        {v}[at] = {stencil(u, 'at')};\n      }}\n"
                f"    double *swap_tmp = {u};\n    {u} = {v};\n    {v} = swap_tmp;\n  }}\n"
                f'  {st.summary_func}("{u}", {u}, ({t}){rows} * {cols});\n  free({u}); free({v});')
    body_mpi = (f"{head}\n  {st.halo_split_decl(rows, radius)}\n  {t} mine = hi - lo;\n"
                f"  int up = {st.rank} > 0 && {st.rank} < active ? {st.rank} - 1 : MPI_PROC_NULL, down = {st.rank} < active - 1 ? {st.rank} + 1 : MPI_PROC_NULL;\n"
                f"  /* my rows plus {R} halo row(s) above and below */\n"
                f"  double *{u} = calloc((size_t)(mine + {2 * R}) * {cols}, sizeof(double)), *{v} = calloc((size_t)(mine + {2 * R}) * {cols}, sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = lo; {i} < hi; {i}++)\n    for ({t} {j} = 0; {j} < {cols}; {j}++) {u}[(size_t)({i} - lo + {R}) * {cols} + {j}] = {v}[(size_t)({i} - lo + {R}) * {cols} + {j}] = {init.format(r=i, c=j)};\n"
                f"  {t} first = lo > {R} ? lo : {R}, last = hi < {rows} - {R} ? hi : {rows} - {R};\n"
                f"  int halo = (int)({R} * {cols});\n"
                f"  for (int it = 0; it < {sweeps}; it++) {{\n"
                f"    MPI_Sendrecv(&{u}[(size_t){R} * {cols}], halo, MPI_DOUBLE, up, 0, &{u}[(size_t)(mine + {R}) * {cols}], halo, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                f"    MPI_Sendrecv(&{u}[(size_t)mine * {cols}], halo, MPI_DOUBLE, down, 1, &{u}[0], halo, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                f"    @par@\n    for ({t} {i} = first; {i} < last; {i}++)\n      for ({t} {j} = {R}; {j} < {cols} - {R}; {j}++) {{\n"
                f"        size_t at = (size_t)({i} - lo + {R}) * {cols} + {j};\n        {v}[at] = {stencil(u, 'at')};\n      }}\n"
                f"    double *swap_tmp = {u};\n    {u} = {v};\n    {v} = swap_tmp;\n  }}\n"
                f'  {st.summary_func}("{u}", {u} + (size_t){R} * {cols}, lo * {cols}, hi * {cols}, ({t}){rows} * {cols}, {st.rank});\n  free({u}); free({v});')
    doc = f"2D star stencil of radius {radius} ({len(offsets)} points) on a {rows} x {cols} grid, {sweeps} sweeps, fixed border"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary("double"), st.mpi_summary("double"), hybrid=True)
    sizes = _sizes(rng, 2, (13, 17, 19, 23, 29))
    return Pair("stencil2d", f"stencil2d_star{len(offsets)}", {"radius": radius, "weights": w, "cols": cols_expr}, seq, mpi,
                [[str(s), str(rng.randint(2, 6))] for s in sizes], programs)


def make_stencil3d(rng: random.Random) -> Pair:
    """3D 7-point star sweeps on an n x n x m box, planes in blocks, halo planes."""
    st = Style(rng)
    u, v = st.names(("u", "v", "T", "Tn", "phi", "vol", "nxt"), 2)
    n, t = st.size, st.index_type
    sweeps = st.name(("steps", "iters", "sweeps", "nt"))
    depth = st.name(("nz", "depth", "planes"))
    depth_expr = rng.choice((n, f"{n} + 6"))  # the distributed dimension: 11, 13, 17 or 17, 19, 23
    i, j, k = "i", "j", "k"
    w = _weights(rng, 4)
    init = f"0.5 + (({{a}} + 2 * {{b}} + 3 * {{c}}) % {rng.choice((5, 7, 11))}) * 0.25"

    def stencil(a: str, idx: str, plane: str) -> str:
        return (f"{w[0]} * {a}[{idx}] + {w[1]} * ({a}[{idx} - {plane}] + {a}[{idx} + {plane}]) + "
                f"{w[2]} * ({a}[{idx} - {n}] + {a}[{idx} + {n}]) + {w[3]} * ({a}[{idx} - 1] + {a}[{idx} + 1])")

    head = f"{st.size_decl(1, rng.choice((120, 160)))}\n  {t} {depth} = {depth_expr};\n  {st.size_decl(2, rng.choice((20, 40)), sweeps)}\n  size_t plane = (size_t){n} * {n};"
    body_seq = (f"{head}\n  double *{u} = malloc(plane * {depth} * sizeof(double)), *{v} = malloc(plane * {depth} * sizeof(double));\n"
                f"  @par@\n  for ({t} {k} = 0; {k} < {depth}; {k}++)\n    for ({t} {i} = 0; {i} < {n}; {i}++)\n      for ({t} {j} = 0; {j} < {n}; {j}++)\n"
                f"        {u}[{k} * plane + (size_t){i} * {n} + {j}] = {v}[{k} * plane + (size_t){i} * {n} + {j}] = {init.format(a=i, b=j, c=k)};\n"
                f"  for (int it = 0; it < {sweeps}; it++) {{\n    @par@\n    for ({t} {k} = 1; {k} < {depth} - 1; {k}++)\n      for ({t} {i} = 1; {i} < {n} - 1; {i}++)\n        for ({t} {j} = 1; {j} < {n} - 1; {j}++) {{\n"
                f"          size_t at = {k} * plane + (size_t){i} * {n} + {j};\n          {v}[at] = {stencil(u, 'at', 'plane')};\n        }}\n"
                f"    double *swap_tmp = {u};\n    {u} = {v};\n    {v} = swap_tmp;\n  }}\n"
                f'  {st.summary_func}("{u}", {u}, ({t})(plane * {depth}));\n  free({u}); free({v});')
    body_mpi = (f"{head}\n  {st.halo_split_decl(depth, 1)}\n  {t} mine = hi - lo;\n"
                f"  int below = {st.rank} > 0 && {st.rank} < active ? {st.rank} - 1 : MPI_PROC_NULL, above = {st.rank} < active - 1 ? {st.rank} + 1 : MPI_PROC_NULL;\n"
                f"  double *{u} = calloc(plane * (mine + 2), sizeof(double)), *{v} = calloc(plane * (mine + 2), sizeof(double));\n"
                f"  @par@\n  for ({t} {k} = lo; {k} < hi; {k}++)\n    for ({t} {i} = 0; {i} < {n}; {i}++)\n      for ({t} {j} = 0; {j} < {n}; {j}++)\n"
                f"        {u}[({k} - lo + 1) * plane + (size_t){i} * {n} + {j}] = {v}[({k} - lo + 1) * plane + (size_t){i} * {n} + {j}] = {init.format(a=i, b=j, c=k)};\n"
                f"  {t} kfirst = lo > 1 ? lo : 1, klast = hi < {depth} - 1 ? hi : {depth} - 1;\n"
                f"  for (int it = 0; it < {sweeps}; it++) {{\n"
                f"    MPI_Sendrecv(&{u}[plane], (int)plane, MPI_DOUBLE, below, 0, &{u}[(mine + 1) * plane], (int)plane, MPI_DOUBLE, above, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                f"    MPI_Sendrecv(&{u}[mine * plane], (int)plane, MPI_DOUBLE, above, 1, &{u}[0], (int)plane, MPI_DOUBLE, below, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);\n"
                f"    @par@\n    for ({t} {k} = kfirst; {k} < klast; {k}++)\n      for ({t} {i} = 1; {i} < {n} - 1; {i}++)\n        for ({t} {j} = 1; {j} < {n} - 1; {j}++) {{\n"
                f"          size_t at = ({k} - lo + 1) * plane + (size_t){i} * {n} + {j};\n          {v}[at] = {stencil(u, 'at', 'plane')};\n        }}\n"
                f"    double *swap_tmp = {u};\n    {u} = {v};\n    {v} = swap_tmp;\n  }}\n"
                f'  {st.summary_func}("{u}", {u} + plane, ({t})(lo * plane), ({t})(hi * plane), ({t})(plane * {depth}), {st.rank});\n  free({u}); free({v});')
    doc = f"3D 7-point stencil (weights {', '.join(w)}) on a {n} x {n} x {depth} box, {sweeps} sweeps, fixed faces"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary("double"), st.mpi_summary("double"), hybrid=True)
    return Pair("stencil3d", "stencil3d_7pt", {"weights": w, "depth": depth_expr}, seq, mpi,
                [[str(s), str(rng.randint(2, 4))] for s in _sizes(rng, 2, (11, 13, 17))], programs)


# --- sparse ------------------------------------------------------------------------------------------

def make_spmv(rng: random.Random) -> Pair:
    """y = A*x (+ a second product z = A*y) for a generated sparse structure in CSR, COO or ELL."""
    st = Style(rng)
    fmt = rng.choice(SPARSE_FORMATS)
    twice = rng.random() < 0.4
    n, t = st.size, st.index_type
    x, y, z = st.names(("x", "y", "z", "xin", "yout", "w", "res", "tmp"), 3)
    i, e = st.name(("i", "row", "r")), st.name(("e", "p", "jj", "q"))
    kmax = rng.choice((3, 4, 5, 7))
    stride = rng.choice([m for m in (2, 3, 5, 7) if math.gcd(m, kmax) == 1])  # coprime: every row length occurs
    per_row = f"(1 + (({{r}} * {stride}) % {kmax}))"
    col = f"(({{r}} * {rng.choice((7, 11, 13))} + {{s}} * {rng.choice((17, 19, 23))} + {rng.randint(1, 9)}) % {n})"
    val = f"(0.5 + (({{r}} + {{s}}) % {rng.choice((3, 5, 7))}) * 0.25) / {kmax}.0"
    xin = st.data_expr("double", "{g}")
    out_label = z if twice else y

    def build(lo: str, hi: str, off: str) -> str:
        if fmt == "csr":
            return (f"{t} *ptr = malloc((size_t)({hi} - {lo} + 1) * sizeof({t}));\n  ptr[0] = 0;\n"
                    f"  for ({t} {i} = {lo}; {i} < {hi}; {i}++) ptr[{i}{off} + 1] = ptr[{i}{off}] + {per_row.format(r=i)};\n"
                    f"  {t} *cols = malloc((size_t)ptr[{hi} - {lo}] * sizeof({t}) + 1);\n  double *vals = malloc((size_t)ptr[{hi} - {lo}] * sizeof(double) + 1);\n"
                    f"  for ({t} {i} = {lo}; {i} < {hi}; {i}++)\n    for ({t} s = 0; s < {per_row.format(r=i)}; s++) {{\n"
                    f"      cols[ptr[{i}{off}] + s] = {col.format(r=i, s='s')};\n      vals[ptr[{i}{off}] + s] = {val.format(r=i, s='s')};\n    }}")
        if fmt == "coo":
            return (f"{t} nnz = 0;\n  for ({t} {i} = {lo}; {i} < {hi}; {i}++) nnz += {per_row.format(r=i)};\n"
                    f"  {t} *ri = malloc((size_t)nnz * sizeof({t}) + 1), *ci = malloc((size_t)nnz * sizeof({t}) + 1);\n  double *vals = malloc((size_t)nnz * sizeof(double) + 1);\n"
                    f"  {t} {e} = 0;\n  for ({t} {i} = {lo}; {i} < {hi}; {i}++)\n    for ({t} s = 0; s < {per_row.format(r=i)}; s++, {e}++) {{\n"
                    f"      ri[{e}] = {i}{off};\n      ci[{e}] = {col.format(r=i, s='s')};\n      vals[{e}] = {val.format(r=i, s='s')};\n    }}")
        return (f"/* ELL: {kmax} slots per row, unused slots hold column 0 and value 0 */\n"
                f"  {t} *cols = calloc((size_t)({hi} - {lo}) * {kmax} + 1, sizeof({t}));\n  double *vals = calloc((size_t)({hi} - {lo}) * {kmax} + 1, sizeof(double));\n"
                f"  for ({t} {i} = {lo}; {i} < {hi}; {i}++)\n    for ({t} s = 0; s < {per_row.format(r=i)}; s++) {{\n"
                f"      cols[({i}{off}) * {kmax} + s] = {col.format(r=i, s='s')};\n      vals[({i}{off}) * {kmax} + s] = {val.format(r=i, s='s')};\n    }}")

    def product(src: str, dst: str, rows: str) -> str:
        if fmt == "csr":
            return (f"for ({t} {i} = 0; {i} < {rows}; {i}++) {{\n    double acc = 0.0;\n"
                    f"    for ({t} {e} = ptr[{i}]; {e} < ptr[{i} + 1]; {e}++) acc += vals[{e}] * {src}[cols[{e}]];\n    {dst}[{i}] = acc;\n  }}")
        if fmt == "coo":
            return (f"@par@\n  for ({t} {i} = 0; {i} < {rows}; {i}++) {dst}[{i}] = 0.0;\n"
                    f"  @atomic@\n  for ({t} {e} = 0; {e} < nnz; {e}++) {dst}[ri[{e}]] += vals[{e}] * {src}[ci[{e}]];")
        return (f"@par@\n  for ({t} {i} = 0; {i} < {rows}; {i}++) {{\n    double acc = 0.0;\n"
                f"    for (int s = 0; s < {kmax}; s++) acc += vals[{i} * {kmax} + s] * {src}[cols[{i} * {kmax} + s]];\n    {dst}[{i}] = acc;\n  }}")

    frees = {"csr": "free(ptr); free(cols); free(vals);", "coo": "free(ri); free(ci); free(vals);", "ell": "free(cols); free(vals);"}[fmt]
    head = st.size_decl(1, rng.choice((200000, 500000)))
    body_seq = (f"{head}\n  {build('0', n, '')}\n  double *{x} = malloc((size_t){n} * sizeof(double)), *{y} = malloc((size_t){n} * sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {x}[{i}] = {xin.format(g=i)};\n  {product(x, y, n)}\n")
    if twice:
        body_seq += f"  double *{z} = malloc((size_t){n} * sizeof(double));\n  {product(y, z, n)}\n"
    body_seq += f'  {st.summary_func}("{out_label}", {out_label}, {n});\n  {frees} free({x}); free({y});{f" free({z});" if twice else ""}'
    body_mpi = (f"{head}\n  {st.split_decl(n)}\n  {t} mine = hi - lo;\n  {build('lo', 'hi', ' - lo')}\n"
                f"  /* columns reach anywhere: every rank builds the whole of {x} from the index (no communication) */\n"
                f"  double *{x} = malloc((size_t){n} * sizeof(double)), *{y} = malloc((size_t)(mine + 1) * sizeof(double));\n"
                f"  for ({t} {i} = 0; {i} < {n}; {i}++) {x}[{i}] = {xin.format(g=i)};\n  {product(x, y, 'mine')}\n")
    if twice:
        body_mpi += (f"  /* the second product needs all of {y}: gather the blocks on every rank */\n"
                     f"  int *counts = malloc({st.nprocs} * sizeof(int)), *starts = malloc({st.nprocs} * sizeof(int));\n"
                     f"  int my_count = (int)mine;\n  MPI_Allgather(&my_count, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);\n"
                     f"  starts[0] = 0;\n  for (int q = 1; q < {st.nprocs}; q++) starts[q] = starts[q - 1] + counts[q - 1];\n"
                     f"  double *{y}_all = malloc((size_t){n} * sizeof(double)), *{z} = malloc((size_t)(mine + 1) * sizeof(double));\n"
                     f"  MPI_Allgatherv({y}, my_count, MPI_DOUBLE, {y}_all, counts, starts, MPI_DOUBLE, MPI_COMM_WORLD);\n"
                     f"  {product(y + '_all', z, 'mine')}\n")
    body_mpi += (f'  {st.summary_func}("{out_label}", {out_label}, lo, hi, {n}, {st.rank});\n  {frees} free({x}); free({y});'
                 + (f" free({z}); free({y}_all); free(counts); free(starts);" if twice else ""))
    doc = f"sparse matrix-vector product{' applied twice' if twice else ''} in {fmt.upper()} format, 1 to {kmax} entries a row at scattered columns"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary("double"), st.mpi_summary("double"))
    return Pair("spmv", f"spmv_{fmt}{'_twice' if twice else ''}", {"format": fmt, "twice": twice, "kmax": kmax}, seq, mpi,
                [[str(s)] for s in _sizes(rng)], programs)


# --- scans, histograms, iterations ---------------------------------------------------------------------

def make_scan(rng: random.Random) -> Pair:
    """Inclusive or exclusive prefix sums; MPI: local scan plus MPI_Exscan (or MPI_Scan) of the block totals."""
    st = Style(rng)
    ctype = rng.choice(("double", "long", "int"))
    inclusive = rng.random() < 0.5
    acc = st.sum_type(ctype)
    a, out = st.names(ARRAY_NAMES, 2)
    n, t = st.size, st.index_type
    i = st.name(("i", "k", "idx"))
    init = st.data_expr(ctype, "{g}", signed=rng.random() < 0.3)
    mpi_acc = "MPI_LONG" if acc == "long" else "MPI_DOUBLE"
    step = (f"running += {a}[{{i}}];\n    {out}[{{i}}] = running;" if inclusive else f"{out}[{{i}}] = running;\n    running += {a}[{{i}}];")
    body_seq = (f"{st.size_decl(1, rng.choice((1000000, 2000000)))}\n  {ctype} *{a} = malloc((size_t){n} * sizeof({ctype}));\n  {acc} *{out} = malloc((size_t){n} * sizeof({acc}));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {a}[{i}] = {init.format(g=i)};\n  {acc} running = 0;\n"
                f"  @scan {'inclusive' if inclusive else 'exclusive'}:running:{acc}@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {{\n    {step.format(i=i)}\n  }}\n"
                f'  {st.summary_func}("{out}", {out}, {n});\n  free({a}); free({out});')
    if rng.random() < 0.6:
        offset = (f"  {acc} offset = 0;\n  MPI_Exscan(&block_total, &offset, 1, {mpi_acc}, MPI_SUM, MPI_COMM_WORLD);\n"
                  f"  if ({st.rank} == 0) offset = 0; /* MPI_Exscan leaves rank 0's result undefined */\n")
    else:
        offset = (f"  {acc} through = 0;\n  MPI_Scan(&block_total, &through, 1, {mpi_acc}, MPI_SUM, MPI_COMM_WORLD);\n"
                  f"  {acc} offset = through - block_total;\n")
    body_mpi = (f"{st.size_decl(1, rng.choice((1000000, 2000000)))}\n  {st.split_decl(n)}\n  {ctype} *{a} = malloc((size_t)(hi - lo + 1) * sizeof({ctype}));\n"
                f"  {acc} *{out} = malloc((size_t)(hi - lo + 1) * sizeof({acc}));\n"
                f"  {acc} block_total = 0;\n  for ({t} {i} = lo; {i} < hi; {i}++) {{\n    {a}[{i} - lo] = {init.format(g=i)};\n    block_total += {a}[{i} - lo];\n  }}\n"
                f"{offset}  {acc} running = offset;\n"
                f"  for ({t} {i} = 0; {i} < hi - lo; {i}++) {{\n    {step.format(i=i)}\n  }}\n"
                f'  {st.summary_func}("{out}", {out}, lo, hi, {n}, {st.rank});\n  free({a}); free({out});')
    doc = f"{'inclusive' if inclusive else 'exclusive'} prefix sum of a {ctype} vector"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary(acc), st.mpi_summary(acc))
    return Pair("scan", f"scan_{'inclusive' if inclusive else 'exclusive'}", {"type": ctype, "inclusive": inclusive}, seq, mpi,
                [[str(s)] for s in _sizes(rng)], programs)


def make_histogram(rng: random.Random) -> Pair:
    """Counts (or weighted sums) per bin of a derived key; MPI: local bins, one MPI_Reduce."""
    st = Style(rng)
    bins = rng.choice((8, 10, 16, 20, 32, 50))
    weighted = rng.random() < 0.4
    n, t = st.size, st.index_type
    hist, data = st.name(("hist", "bins", "counts", "freq", "tally")), st.name(ARRAY_NAMES)
    i = st.name(("i", "k", "idx"))
    nb = st.name(("nbins", "B", "buckets"))
    key = rng.choice((f"(int)(({i} * {rng.choice((7, 13, 31))} + {i} / {rng.choice((3, 5))}) % {nb})",
                      f"(int)((long)({data}[{{loc}}] * {rng.choice((4, 8, 16))}) % {nb})"))
    init = st.data_expr("double", "{g}")
    htype, mpi_h, hfmt = ("double", "MPI_DOUBLE", st.real_format()) if weighted else ("long", "MPI_LONG", "%ld")
    add = f"{data}[{{loc}}]" if weighted else "1"
    show = rng.choice(("all", "nonzero"))
    printing = (f'for (int b = 0; b < {nb}; b++) printf("bin %2d: {hfmt}\\n", b, {{h}}[b]);' if show == "all" else
                f'for (int b = 0; b < {nb}; b++)\n      if ({{h}}[b] != 0) printf("{hist}[%d] = {hfmt}\\n", b, {{h}}[b]);')
    head = f"{st.size_decl(1, rng.choice((2000000, 5000000)))}\n  const int {nb} = {bins};"
    body_seq = (f"{head}\n  double *{data} = malloc((size_t){n} * sizeof(double));\n  {htype} {hist}[{bins}] = {{0}};\n"
                f"  for ({t} {i} = 0; {i} < {n}; {i}++) {data}[{i}] = {init.format(g=i)};\n"
                f"  for ({t} {i} = 0; {i} < {n}; {i}++) {hist}[{key.format(loc=i)}] += {add.format(loc=i)};\n"
                f"  {printing.format(h=hist)}\n  free({data});")
    body_par = (f"{head}\n  double *{data} = malloc((size_t){n} * sizeof(double));\n  {htype} *{hist} = calloc({bins}, sizeof({htype}));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {data}[{i}] = {init.format(g=i)};\n"
                f"  @atomic@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {hist}[{key.format(loc=i)}] += {add.format(loc=i) if weighted else '1L'};\n"
                f"  {printing.format(h=hist)}\n  free({data}); free({hist});")
    body_mpi = (f"{head}\n  {st.split_decl(n)}\n  double *{data} = malloc((size_t)(hi - lo + 1) * sizeof(double));\n  {htype} {hist}[{bins}] = {{0}}, global[{bins}];\n"
                f"  for ({t} {i} = lo; {i} < hi; {i}++) {data}[{i} - lo] = {init.format(g=i)};\n"
                f"  for ({t} {i} = lo; {i} < hi; {i}++) {hist}[{key.format(loc=i + ' - lo')}] += {add.format(loc=i + ' - lo')};\n"
                f"  MPI_Reduce({hist}, global, {nb}, {mpi_h}, MPI_SUM, 0, MPI_COMM_WORLD);\n"
                f"  if ({st.rank} == 0) {{\n    {printing.format(h='global')}\n  }}\n  free({data});")
    doc = f"{'weighted ' if weighted else ''}histogram of {n} keys into {bins} bins"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, body_par=body_par)
    return Pair("histogram", f"histogram{'_weighted' if weighted else ''}", {"bins": bins, "weighted": weighted, "key": key}, seq, mpi,
                [[str(s)] for s in _sizes(rng)], programs)


def make_iterate(rng: random.Random) -> Pair:
    """An elementwise fixed-point iteration until the largest change is below a tolerance (Allreduce MAX)."""
    st = Style(rng)
    x, c = st.names(ARRAY_NAMES, 2)
    n, t = st.size, st.index_type
    i = st.name(("i", "k", "idx"))
    rule = rng.choice(("newton_sqrt", "cube_root", "damped", "logistic"))
    update = {"newton_sqrt": f"0.5 * ({x}[{{i}}] + {c}[{{i}}] / {x}[{{i}}])",
              "cube_root": f"(2.0 * {x}[{{i}}] + {c}[{{i}}] / ({x}[{{i}}] * {x}[{{i}}])) / 3.0",
              "damped": f"{x}[{{i}}] + 0.5 * (cos({x}[{{i}}]) * {c}[{{i}}] - {x}[{{i}}])",
              "logistic": f"{x}[{{i}}] + 0.25 * {c}[{{i}}] * {x}[{{i}}] * (1.0 - {x}[{{i}}] / ({c}[{{i}}] + 1.0))"}[rule]
    tol = rng.choice(("1e-10", "1e-9", "1e-12"))
    limit = st.name(("maxit", "max_iter", "limit"))
    cinit = f"(1.0 + ({{g}} % {rng.choice((7, 11, 13))}) * {rng.choice(('0.5', '0.25'))})"
    x0 = rng.choice(("1.0", "0.5", "0.75"))
    head = f"{st.size_decl(1, rng.choice((500000, 1000000)))}\n  {st.size_decl(2, rng.choice((100, 200)), limit)}\n  const double tol = {tol};"
    loop = (f"  int iter = 0;\n  double change = 1.0;\n  while (change > tol && iter < {limit}) {{\n    change = 0.0;\n"
            f"    @par max:change:double@\n    for ({t} {i} = 0; {i} < {{count}}; {i}++) {{\n      double next = {update.format(i=i)};\n"
            f"      double d = fabs(next - {x}[{i}]);\n      if (d > change) change = d;\n      {x}[{i}] = next;\n    }}\n{{reduce}}    iter++;\n  }}\n")
    body_seq = (f"{head}\n  double *{x} = malloc((size_t){n} * sizeof(double)), *{c} = malloc((size_t){n} * sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < {n}; {i}++) {{\n    {c}[{i}] = {cinit.format(g=i)};\n    {x}[{i}] = {x0};\n  }}\n"
                + loop.replace("{count}", n).replace("{reduce}", "")
                + f'  printf("converged after %d iterations (change %.3e)\\n", iter, change);\n  {st.summary_func}("{x}", {x}, {n});\n  free({x}); free({c});')
    body_mpi = (f"{head}\n  {st.split_decl(n)}\n  double *{x} = malloc((size_t)(hi - lo + 1) * sizeof(double)), *{c} = malloc((size_t)(hi - lo + 1) * sizeof(double));\n"
                f"  @par@\n  for ({t} {i} = 0; {i} < hi - lo; {i}++) {{\n    {c}[{i}] = {cinit.format(g='(lo + ' + i + ')')};\n    {x}[{i}] = {x0};\n  }}\n"
                + loop.replace("{count}", "hi - lo").replace("{reduce}", "    /* every rank must take the same decision: the largest change over all ranks */\n    MPI_Allreduce(MPI_IN_PLACE, &change, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);\n")
                + f'  if ({st.rank} == 0) printf("converged after %d iterations (change %.3e)\\n", iter, change);\n'
                f'  {st.summary_func}("{x}", {x}, lo, hi, {n}, {st.rank});\n  free({x}); free({c});')
    doc = f"elementwise fixed-point iteration ({rule.replace('_', ' ')}) until the largest change is below {tol}"
    seq, mpi, programs = _frame(st, doc, body_seq, body_mpi, st.seq_summary("double"), st.mpi_summary("double"), ("math.h",), hybrid=True)
    return Pair("iterate", f"iterate_{rule}", {"rule": rule, "tol": tol}, seq, mpi, [[str(s)] for s in _sizes(rng)], programs)


WITH_HYBRID = ("mpi", "openmp", "kokkos", "hybrid")
"""The targets of the families that have hybrid programs: the suite's hybrid tasks are stencils and iterative solvers."""

FAMILIES: dict[str, Family] = {}


def register(family: Family) -> None:
    """Add a family to ``FAMILIES``."""
    FAMILIES[family.name] = family


for _family in (
    Family("map", "map", "elementwise maps of one to three vectors (float, double, int, long)", make_map),
    Family("reduce", "reduce", "sum, max, min, arg-max, arg-min, mean and variance of a derived value", make_reduce),
    Family("matvec", "matvec", "dense y = A*x and y = A^T*x, square, wide and tall", make_matvec),
    Family("matmul", "matmul", "dense rectangular C = A*B, ijl and ilj loop orders", make_matmul),
    Family("stencil1d", "stencil", "1D stencils of radius 1-3 with random weights and sweep counts (halo exchange)", make_stencil1d, WITH_HYBRID),
    Family("stencil2d", "stencil", "2D star stencils of radius 1-2 on rectangular grids (halo rows)", make_stencil2d, WITH_HYBRID),
    Family("stencil3d", "stencil", "3D 7-point stencils with random weights (halo planes)", make_stencil3d, WITH_HYBRID),
    Family("spmv", "sparse", "sparse y = A*x (and z = A*y with MPI_Allgatherv) in COO and ELL (CSR is a test computation)", make_spmv),
    Family("scan", "scan", "inclusive and exclusive prefix sums (MPI_Exscan or MPI_Scan)", make_scan),
    Family("histogram", "histogram", "counting and weighted histograms (one MPI_Reduce of the bins)", make_histogram),
    Family("iterate", "iterate", "elementwise fixed-point iterations with a global convergence test (MPI_Allreduce MAX)", make_iterate, WITH_HYBRID),
):
    register(_family)

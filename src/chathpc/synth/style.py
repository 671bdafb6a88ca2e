"""Randomized surface of a generated pair: names, the element type, the block split, data formulas, output.

Every family draws a ``Style`` from its ``random.Random`` and asks it for the pieces both programs share, so
that two pairs of one family differ in names, helpers, comments and print formats, not only in numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

REAL_TYPES = ("double", "float")
INT_TYPES = ("int", "long")
ARRAY_NAMES = ("x", "y", "z", "a", "b", "u", "v", "w", "p", "q", "r", "s", "src", "dst", "vals", "data", "buf",
               "field", "grid", "cur", "nxt", "acc", "in", "out", "lhs", "rhs", "coef", "f", "g", "h")
SIZE_NAMES = ("n", "len", "count", "size_n", "npts", "nelem", "length", "dim", "N", "total")
LOOP_NAMES = ("i", "k", "idx", "e", "t", "j", "ii", "pos", "gi", "row")
RANK_NAMES = (("rank", "nprocs"), ("me", "np"), ("myid", "numprocs"), ("pid", "nranks"), ("rank", "world"), ("id", "p"))
SUMMARY_FUNCS = ("report", "print_summary", "show", "dump_checksums", "emit", "summarize", "print_result", "output")


@dataclass
class Style:
    """The surface choices of one pair (read by the families)."""

    rng: random.Random
    used: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.rank, self.nprocs = self.rng.choice(RANK_NAMES)
        self.used |= {self.rank, self.nprocs, "main", "argc", "argv"}
        self.size = self.name(SIZE_NAMES)
        self.index_type = self.rng.choice(("int", "long"))
        self.split = self.rng.choice(("ratio", "remainder"))
        self.summary_func = self.name(SUMMARY_FUNCS)
        self.out_format = self.rng.randrange(4)
        self.samples = self.rng.choice((4, 5, 6, 8))
        self.weight_mod = self.rng.choice((5, 7, 9, 11, 13))
        self.comment = self.rng.random() < 0.7

    def name(self, pool: tuple[str, ...]) -> str:
        """A name from ``pool`` not used yet in this pair (suffixed when the pool runs out)."""
        free = [n for n in pool if n not in self.used]
        chosen = self.rng.choice(free) if free else f"{self.rng.choice(pool)}{len(self.used)}"
        self.used.add(chosen)
        return chosen

    def names(self, pool: tuple[str, ...], count: int) -> list[str]:
        """``count`` distinct unused names."""
        return [self.name(pool) for _ in range(count)]

    # --- sizes and the block split -------------------------------------------------------------------

    def atoi(self) -> str:
        """The C conversion of a size argument."""
        return "atoi" if self.index_type == "int" else "atol"

    def size_decl(self, position: int, default: int, name: str | None = None) -> str:
        """``int n = argc > 1 ? atoi(argv[1]) : default;`` for argument ``position``."""
        name = name or self.size
        if self.rng.random() < 0.5:
            return f"{self.index_type} {name} = argc > {position} ? {self.atoi()}(argv[{position}]) : {default};"
        return f"{self.index_type} {name} = {default};\n  if (argc > {position}) {name} = {self.atoi()}(argv[{position}]);"

    def split_helper(self) -> str:
        """The helper function the block split needs (empty for the remainder form)."""
        t = self.index_type
        if self.split == "ratio":
            return f"/* first global index owned by rank r when n items are split over p ranks */\nstatic {t} block_start(int r, int p, {t} n) {{ return ({t})((long)r * n / p); }}\n"
        return ""

    def split_decl(self, n: str, lo: str = "lo", hi: str = "hi") -> str:
        """Declarations of ``lo``/``hi``: this rank's balanced block of ``n`` items, remainders spread."""
        t, r, p = self.index_type, self.rank, self.nprocs
        if self.split == "ratio":
            return f"{t} {lo} = block_start({r}, {p}, {n}), {hi} = block_start({r} + 1, {p}, {n});"
        return (f"{t} chunk = {n} / {p}, extra = {n} % {p};\n"
                f"  {t} {lo} = {r} * chunk + ({r} < extra ? {r} : extra);\n"
                f"  {t} {hi} = {lo} + chunk + ({r} < extra ? 1 : 0);")

    def halo_split_decl(self, n: str, radius: int) -> str:
        """``active`` (ranks owning at least ``radius`` items, which a halo exchange needs) and ``lo``/``hi``:
        the balanced block of ``n`` over the active ranks; the other ranks own nothing and exchange nothing."""
        t, r, p = self.index_type, self.rank, self.nprocs
        head = (f"/* only ranks that own at least {radius} item(s) take part: a halo exchange needs that many */\n"
                f"  int active = {p};\n  if ((long)active * {radius} > {n}) active = {n} >= {radius} ? (int)({n} / {radius}) : 1;\n"
                f"  int slot = {r} < active ? {r} : active;\n")
        if self.split == "ratio":
            return head + f"  {t} lo = block_start(slot, active, {n}), hi = {r} < active ? block_start(slot + 1, active, {n}) : lo;"
        return head + (f"  {t} chunk = {n} / active, extra = {n} % active;\n"
                       f"  {t} lo = slot * chunk + (slot < extra ? slot : extra);\n"
                       f"  {t} hi = lo + ({r} < active ? chunk + (slot < extra ? 1 : 0) : 0);")

    def mpi_start(self) -> str:
        """MPI_Init and the rank / size queries."""
        return (f"MPI_Init(&argc, &argv);\n  int {self.rank}, {self.nprocs};\n"
                f"  MPI_Comm_rank(MPI_COMM_WORLD, &{self.rank});\n  MPI_Comm_size(MPI_COMM_WORLD, &{self.nprocs});")

    # --- data --------------------------------------------------------------------------------------

    def data_expr(self, ctype: str, index: str, signed: bool = False) -> str:
        """A deterministic value of element ``index`` (a C expression) of type ``ctype``."""
        rng = self.rng
        if ctype in INT_TYPES:
            mod, mul, add = rng.choice((7, 11, 13, 17, 19, 23)), rng.choice((1, 3, 5)), rng.randrange(10)  # prime mod > mul
            shift = rng.randrange(1, mod) if signed else 0
            body = f"(({index} * {mul} + {add}) % {mod})"
            return f"({ctype})({body} - {shift})" if shift else f"({ctype}){body}"
        step = rng.choice(("0.125", "0.25", "0.0625", "0.5", "0.375"))
        mod = rng.choice((5, 7, 9, 11, 13, 17))
        base = rng.choice(("1.0", "0.5", "2.0", "1.5", "0.75"))
        kind = rng.randrange(3)
        if signed:
            return f"({ctype})(({index} % {mod}) * {step} - {rng.choice(('1.0', '0.75', '1.25'))})"
        if kind == 0:
            return f"({ctype})({base} + ({index} % {mod}) * {step})"
        if kind == 1:
            mod = rng.choice((11, 13, 17))  # prime, so the multiplier permutes the residues
            mul = rng.choice((3, 5, 7))
            return f"({ctype})({base} + (({index} * {mul}) % {mod}) * {step})"
        return f"({ctype})({base} + {step} * (({index} + {rng.randrange(1, 5)}) % {mod}))"

    # --- output ------------------------------------------------------------------------------------

    def sum_type(self, ctype: str) -> str:
        """The accumulator type of checksums over ``ctype`` elements."""
        return "long" if ctype in INT_TYPES else "double"

    def real_format(self) -> str:
        """The printf conversion of real numbers, fixed per pair."""
        if not hasattr(self, "_real_fmt"):
            self._real_fmt = self.rng.choice(("%.12e", "%.13e", "%.14e"))
        return self._real_fmt

    def fmt(self, ctype: str) -> str:
        """The printf conversion of a checksum over ``ctype`` elements."""
        return "%ld" if ctype in INT_TYPES else self.real_format()

    def summary_lines(self, label: str, ctype: str, total: str, weighted: str, sample_at: str, sample_value: str) -> str:
        """printf statements of a checksum report; ``label`` is a C string expression."""
        f, k = self.fmt(ctype), self.samples
        lf = "%d" if self.index_type == "int" else "%ld"
        if self.out_format == 0:
            return (f'printf("%s sum {f} wsum {f}\\n", {label}, {total}, {weighted});\n'
                    f'    for (int s = 0; s < {k}; s++) printf("%s[{lf}] {f}\\n", {label}, {sample_at}, {sample_value});')
        if self.out_format == 1:
            return (f'printf("checksum(%s) = {f}\\n", {label}, {total});\n    printf("weighted(%s) = {f}\\n", {label}, {weighted});\n'
                    f'    for (int s = 0; s < {k}; s++) printf("  %s at {lf}: {f}\\n", {label}, {sample_at}, {sample_value});')
        if self.out_format == 2:
            return (f'printf("%s: total={f} weighted={f}\\n", {label}, {total}, {weighted});\n'
                    f'    printf("samples:");\n    for (int s = 0; s < {k}; s++) printf(" {f}", {sample_value});\n    printf("\\n");')
        return (f'printf("%-10s {f}\\n", "sum", {total});\n    printf("%-10s {f}\\n", "weighted", {weighted});\n'
                f'    for (int s = 0; s < {k}; s++) printf("%s_{lf} {f}\\n", {label}, {sample_at}, {sample_value});')

    def sample_index(self, n: str) -> str:
        """Global index of sample ``s`` of ``samples`` (C expression in ``s``)."""
        t = self.index_type
        return f"({t})((long)s * {n} / {self.samples})"

    def seq_summary(self, ctype: str) -> str:
        """The sequential program's checksum helper ``summary_func(label, v, n)``."""
        acc, t, w = self.sum_type(ctype), self.index_type, self.weight_mod
        lines = self.summary_lines("label", ctype, "total", "weighted", self.sample_index("n"), f"({acc})v[{self.sample_index('n')}]")
        return (f"static void {self.summary_func}(const char *label, const {ctype} *v, {t} n) {{\n"
                f"  {acc} total = 0, weighted = 0;\n"
                f"  @par +:total:{acc} +:weighted:{acc}@\n  for ({t} i = 0; i < n; i++) {{\n    total += v[i];\n    weighted += (i % {w} + 1) * ({acc})v[i];\n  }}\n"
                f"  {{\n    {lines}\n  }}\n}}\n")

    def mpi_summary(self, ctype: str) -> str:
        """The MPI program's checksum helper ``summary_func(label, v, lo, hi, n, rank)``: v holds [lo, hi)."""
        acc, t, w, k = self.sum_type(ctype), self.index_type, self.weight_mod, self.samples
        mpi_acc = "MPI_LONG" if acc == "long" else "MPI_DOUBLE"
        at = self.sample_index("n")
        lines = self.summary_lines("label", ctype, "part[0]", "part[1]", at, "part[2 + s]")
        if self.rng.random() < 0.5:
            reduce = f"MPI_Reduce(rank == 0 ? MPI_IN_PLACE : part, part, {k + 2}, {mpi_acc}, MPI_SUM, 0, MPI_COMM_WORLD);"
        else:
            reduce = (f"{acc} all[{k + 2}];\n  MPI_Reduce(part, all, {k + 2}, {mpi_acc}, MPI_SUM, 0, MPI_COMM_WORLD);\n"
                      f"  for (int s = 0; s < {k + 2}; s++) part[s] = all[s];")
        return (f"/* checksums of the distributed vector: every rank adds its block, rank 0 prints */\n"
                f"static void {self.summary_func}(const char *label, const {ctype} *v, {t} lo, {t} hi, {t} n, int rank) {{\n"
                f"  {acc} part[{k + 2}] = {{0}};\n"
                f"  for ({t} i = lo; i < hi; i++) {{\n    part[0] += v[i - lo];\n    part[1] += (i % {w} + 1) * ({acc})v[i - lo];\n  }}\n"
                f"  for (int s = 0; s < {k}; s++) {{\n    {t} at = {at};\n    if (at >= lo && at < hi) part[2 + s] = v[at - lo];\n  }}\n"
                f"  {reduce}\n"
                f"  if (rank == 0) {{\n    {lines}\n  }}\n}}\n")


def c_real(value: float) -> str:
    """A C literal of an exactly representable value."""
    text = repr(float(value))
    return text if ("." in text or "e" in text) else text + ".0"

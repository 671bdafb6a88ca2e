"""MPI bug classes as source mutations of a verified MPI program.

Each mutation is a function ``(source, rng) -> str | None`` (None: the program has nothing it applies to).
A mutant is kept for repair data only when the harness fails it (``chathpc.synth.repair``).
"""

from __future__ import annotations

import random
import re
from typing import Callable

Mutation = Callable[[str, random.Random], "str | None"]


def _calls(source: str, names: tuple[str, ...]) -> list[tuple[int, int, list[str]]]:
    """(start of the argument list, end, arguments split at top-level commas) of every call to ``names``."""
    found = []
    for match in re.finditer(r"\b(" + "|".join(names) + r")\s*\(", source):
        start = match.end()
        depth, pos, args, last = 1, start, [], start
        while pos < len(source) and depth:
            ch = source[pos]
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
            elif ch == "," and depth == 1:
                args.append(source[last:pos])
                last = pos + 1
            pos += 1
        args.append(source[last:pos - 1])
        found.append((start, pos - 1, args))
    return found


def _replace_args(source: str, call: tuple[int, int, list[str]], args: list[str]) -> str:
    start, end, _ = call
    return source[:start] + ",".join(args) + source[end:]


def _pick(rng: random.Random, items: list) -> object | None:
    return rng.choice(items) if items else None


def dropped_remainder(source: str, rng: random.Random) -> str | None:
    """The block split forgets the remainder: the last n % p items belong to nobody."""
    mutated = re.sub(r"return \((int|long)\)\(\(long\)\s*(\w+) \* (\w+) / (\w+)\);", r"return \2 * (\3 / \4);", source)
    if mutated != source:
        return mutated
    mutated = re.sub(r"\((\w+) < (\w+) \? \1 : \2\)", "0", source)
    mutated = re.sub(r" \+ \((\w+) < (\w+) \? 1 : 0\)", "", mutated)
    return mutated if mutated != source else None


def wrong_root(source: str, rng: random.Random) -> str | None:
    """A reduction delivers its result to rank 1 while rank 0 prints (and at one rank, to a rank that does not exist)."""
    calls = [c for c in _calls(source, ("MPI_Reduce",)) if len(c[2]) == 7 and c[2][5].strip() == "0"]
    call = _pick(rng, calls)
    if call is None:
        return None
    args = list(call[2])
    args[5] = " 1"
    return _replace_args(source, call, args)


def wrong_count(source: str, rng: random.Random) -> str | None:
    """A collective or halo exchange moves one element too few."""
    calls = [(name, c) for name in ("MPI_Reduce", "MPI_Allreduce", "MPI_Sendrecv", "MPI_Allgatherv") for c in _calls(source, (name,))]
    picked = _pick(rng, calls)
    if picked is None:
        return None
    name, call = picked
    args = list(call[2])
    position = 1 if name in ("MPI_Sendrecv", "MPI_Allgatherv") else 2  # the send count
    count = args[position].strip()
    args[position] = f" {int(count) - 1}" if count.isdigit() else f" {count} - 1"
    return _replace_args(source, call, args)


def wrong_datatype(source: str, rng: random.Random) -> str | None:
    """A collective declares the wrong element type (double sent as float, long as int)."""
    calls = [c for c in _calls(source, ("MPI_Reduce", "MPI_Allreduce", "MPI_Sendrecv", "MPI_Exscan", "MPI_Scan", "MPI_Allgatherv"))
             if any(a.strip() in ("MPI_DOUBLE", "MPI_LONG") for a in c[2])]
    call = _pick(rng, calls)
    if call is None:
        return None
    swap = {"MPI_DOUBLE": "MPI_FLOAT", "MPI_LONG": "MPI_INT"}
    args = [f" {swap[a.strip()]}" if a.strip() in swap else a for a in call[2]]
    return _replace_args(source, call, args)


def deadlock(source: str, rng: random.Random) -> str | None:
    """A halo exchange written as blocking synchronous sends to both neighbours before the receives: every
    rank waits in its first send for a neighbour that is itself sending."""
    calls = _calls(source, ("MPI_Sendrecv",))
    if len(calls) < 2:
        return None
    first, second = calls[0], calls[1]
    a, b = ([x.strip() for x in c[2]] for c in (first, second))
    start = source.rfind("MPI_Sendrecv", 0, first[0])
    indent = source[source.rfind("\n", 0, start) + 1:start]
    text = (f"MPI_Ssend({a[0]}, {a[1]}, {a[2]}, {a[3]}, {a[4]}, {a[10]});\n"
            f"{indent}MPI_Ssend({b[0]}, {b[1]}, {b[2]}, {b[3]}, {b[4]}, {b[10]});\n"
            f"{indent}MPI_Recv({a[5]}, {a[6]}, {a[7]}, {a[8]}, {a[9]}, {a[10]}, {a[11]});\n"
            f"{indent}MPI_Recv({b[5]}, {b[6]}, {b[7]}, {b[8]}, {b[9]}, {b[10]}, {b[11]})")
    return source[:start] + text + source[second[1] + 1:]


def collective_on_root(source: str, rng: random.Random) -> str | None:
    """A collective called by rank 0 only: the other ranks never join it and rank 0 waits forever."""
    rank = re.search(r"MPI_Comm_rank\(MPI_COMM_WORLD, &(\w+)\)", source)
    if rank is None:
        return None
    lines = source.splitlines()
    candidates = [i for i, line in enumerate(lines) if re.match(r"\s*MPI_(Allreduce|Exscan|Scan|Allgather)\(", line)]
    if not candidates:
        return None
    i = rng.choice(candidates)
    indent = re.match(r"\s*", lines[i]).group(0)
    lines[i] = f"{indent}if ({rank.group(1)} == 0) {lines[i].strip()}"
    return "\n".join(lines) + "\n"


def missing_finalize(source: str, rng: random.Random) -> str | None:
    """MPI_Finalize is never called."""
    mutated = re.sub(r"\n\s*MPI_Finalize\(\);", "", source)
    return mutated if mutated != source else None


def missing_include(source: str, rng: random.Random) -> str | None:
    """``#include <mpi.h>`` is missing."""
    mutated = re.sub(r"#include <mpi\.h>\n", "", source)
    return mutated if mutated != source else None


def all_ranks_print(source: str, rng: random.Random) -> str | None:
    """The rank-0 guard around the output is gone: every rank prints."""
    mutated = re.sub(r"if \(\s*\w+ == 0\s*\) (?!\w+ = )", "", source)
    return mutated if mutated != source else None


def wrong_op(source: str, rng: random.Random) -> str | None:
    """A reduction combines with the wrong operation."""
    swap = {"MPI_SUM": "MPI_MAX", "MPI_MAX": "MPI_MIN", "MPI_MIN": "MPI_MAX", "MPI_MAXLOC": "MPI_MINLOC", "MPI_MINLOC": "MPI_MAXLOC"}
    calls = [c for c in _calls(source, ("MPI_Reduce", "MPI_Allreduce", "MPI_Exscan", "MPI_Scan")) if any(a.strip() in swap for a in c[2])]
    call = _pick(rng, calls)
    if call is None:
        return None
    args = [f" {swap[a.strip()]}" if a.strip() in swap else a for a in call[2]]
    return _replace_args(source, call, args)


def off_by_one_halo(source: str, rng: random.Random) -> str | None:
    """The halo exchange sends the cells one place off (a ghost cell instead of an owned one)."""
    calls = _calls(source, ("MPI_Sendrecv",))
    if not calls:
        return None
    call = rng.choice(calls)
    args = list(call[2])
    match = re.fullmatch(r"\s*&(\w+)\[(.*)\]\s*", args[0])
    if match is None:
        return None
    args[0] = f"&{match.group(1)}[{match.group(2)} - 1]"
    return _replace_args(source, call, args)


MUTATIONS: dict[str, Mutation] = {
    "dropped_remainder": dropped_remainder,
    "wrong_root": wrong_root,
    "wrong_count": wrong_count,
    "wrong_datatype": wrong_datatype,
    "deadlock": deadlock,
    "collective_on_root": collective_on_root,
    "missing_finalize": missing_finalize,
    "missing_include": missing_include,
    "all_ranks_print": all_ranks_print,
    "wrong_op": wrong_op,
    "off_by_one_halo": off_by_one_halo,
}
"""Bug class -> mutation (at least 8 MPI bug classes, see docs/synth.md)."""

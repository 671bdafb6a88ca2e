"""Decontamination of the outside set: each outside task's nearest suite task and nearest data-engine program.

For every task under ``src/chathpc/tasks/outside`` (or ``--tasks``) it reports, by
``chathpc.synth.decontam``'s kernel similarity (difflib ratio of normalized kernel tokens):

- the nearest task of the built-in suite, all splits (train, test, refine);
- the nearest sequential program among the data engine's first ``--count`` candidates of seed ``--seed``
  over every family (``chathpc.synth.engine.candidate``: generated only, no harness check, so the sample is
  deterministic and cheap; the engine keeps the candidates that pass, so this covers what it would train on).

Writes Markdown to stdout, or to ``--out`` (refused when it exists, unless ``--force``).
Usage: python benchmarks/outside_decontamination.py [--seed 0] [--count 300] [--out docs/results/outside-suite-decontamination.md]
"""

from __future__ import annotations

import argparse
import shlex
import sys

from chathpc.files import atomic_write_text, refuse_existing
from chathpc.report.tables import markdown_table
from chathpc.synth.decontam import THRESHOLD, kernel_tokens, nearest
from chathpc.synth.engine import candidate
from chathpc.synth.families import FAMILIES
from chathpc.tasks import OUTSIDE_DIR, load_suite

NO_KERNEL = "(no kernel: no loop reads an array)"


def synth_kernels(seed: int, count: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(``family#index``, kernel tokens) of the data engine's first ``count`` candidates of ``seed``."""
    families = list(FAMILIES)
    pairs = ((index, candidate(seed, index, families)) for index in range(count))
    return tuple((f"{pair.family}#{index}", kernel_tokens(pair.sequential)) for index, pair in pairs)


def report(tasks_root: str, seed: int, count: int) -> str:
    """The Markdown report: one row per outside task, then the largest similarities."""
    suite = tuple((task.id, kernel_tokens(task.seq_source)) for task in load_suite())
    synth = synth_kernels(seed, count)
    rows, to_suite, to_synth = [], [], []
    for task in load_suite(root=tasks_root):
        if not kernel_tokens(task.seq_source):
            rows.append([task.id, task.domain, NO_KERNEL, "-", NO_KERNEL, "-"])
            continue
        near_suite, near_synth = nearest(task.seq_source, suite), nearest(task.seq_source, synth)
        to_suite.append(near_suite.similarity)
        to_synth.append(near_synth.similarity)
        rows.append([task.id, task.domain, near_suite.task, f"{near_suite.similarity:.3f}", near_synth.task,
                     f"{near_synth.similarity:.3f}"])
    command = "python benchmarks/outside_decontamination.py " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        "# Outside the suite: decontamination",
        "",
        f"Produced by `{command.strip()}` (PYTHONPATH=src).",
        "",
        f"Kernel similarity of `chathpc.synth.decontam` (difflib ratio of normalized kernel tokens; the data engine "
        f"refuses a record at >= {THRESHOLD}). Suite: all {len(suite)} tasks, every split. Data engine: the first "
        f"{count} candidates of seed {seed} over all {len(FAMILIES)} families (`synth.engine.candidate`, generated "
        f"without the harness check), named `family#index`.",
        "",
        *markdown_table(["outside task", "domain", "nearest suite task", "similarity", "nearest engine program",
                         "similarity"], rows),
        "",
        f"{NO_KERNEL}: decontam's kernel is the program's loops that read an array; a program whose loops only "
        "compute from their index (here: the quadratures, the trial division and the Game of Life) "
        "has none, so this measure cannot compare it, and nothing in the suite or the engine's families is a "
        "quadrature, a prime count or a cellular automaton.",
        "",
        f"Largest similarity to the suite: {max(to_suite):.3f}; to the data engine's sample: {max(to_synth):.3f} "
        f"(threshold {THRESHOLD}). Outside tasks at or above the threshold: "
        f"{sum(s >= THRESHOLD for s in to_suite)} (suite), {sum(s >= THRESHOLD for s in to_synth)} (engine).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", default=str(OUTSIDE_DIR), help="the outside task root (default src/chathpc/tasks/outside)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--out", help="write the Markdown here instead of stdout")
    parser.add_argument("--force", action="store_true", help="overwrite --out")
    args = parser.parse_args()
    if args.out:
        refuse_existing(args.out, args.force)
    text = report(args.tasks, args.seed, args.count)
    if args.out:
        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()

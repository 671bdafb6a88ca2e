"""pass@k of an MPI assistant on the held-out split by sampling (issue 26, item 6): ``--samples`` answers per item at
``--temperature``, decoded by llama.cpp from a q8_0 GGUF export, each checked by execution at ranks 1-4.

One stage after the export: ``chathpc test -m llamacpp:FILE -n N -k 1 -k N`` on the test split (22 suite tasks, never
in the assistants' training data), resumable (``--resume`` continues the results file). The report (``--report``,
default docs/results/pass-at-k.md) gives pass@1 and pass@N (unbiased estimators, Wilson intervals from the verb's
summary), build@1 and build@N, per-item passing and building samples, the verdicts, and the distinct answers per item
(how much the samples differ). Its hand-written "What this shows" section is kept.

Usage: python benchmarks/pass_at_k.py [--model smollm2-mpi] [--samples 8] [--temperature 0.8]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from collection import export_stage
from engine import chathpc_test
from real_model import GENERATION, KEPT_SECTION, Stages, measured_on

from chathpc.files import atomic_write_text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-mpi", help="a shipped assistant name or a run/model directory (default smollm2-mpi)")
    parser.add_argument("--samples", type=int, default=8, help="answers per item (default 8)")
    parser.add_argument("--temperature", type=float, default=0.8, help="sampling temperature (default 0.8; top_p 0.95)")
    parser.add_argument("--out", type=Path, default=Path("runs/pass-at-k"), help="working directory (default runs/pass-at-k)")
    parser.add_argument("--report", type=Path, default=Path("docs/results/pass-at-k.md"), help="the Markdown report to write")
    args = parser.parse_args()

    from chathpc.evaluate.metrics import BUILT_VERDICTS, summarize
    from chathpc.evaluate.results import read_results

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    stages = Stages(out / "stages.json")
    name = Path(args.model).name
    gguf = stages.run(f"export {name} (GGUF q8_0)", lambda: export_stage(Path(args.model), out / f"{name}.gguf"))
    results = out / f"{name}-n{args.samples}-t{args.temperature}.jsonl"
    label = f"test split: {args.samples} samples per item at temperature {args.temperature}"
    settings = {**GENERATION, "temperature": args.temperature}
    selection = ("-n", str(args.samples), "-k", "1", "-k", str(args.samples))
    stages.run(label, lambda: None if label in stages.done else chathpc_test(f"llamacpp:{gguf}", results, *selection, generation=settings))
    lines = read_results(results).lines
    summary = summarize(lines, ks=(1, args.samples))
    per_item: dict[str, dict] = {}
    for line in lines:
        item = per_item.setdefault(line.item_id, {"samples": 0, "passed": 0, "built": 0, "answers": set(), "verdicts": {}})
        item["samples"] += 1
        item["passed"] += line.passed
        item["built"] += line.verdict in BUILT_VERDICTS
        item["answers"].add(" ".join((line.code or line.raw_output).split()))
        item["verdicts"][line.verdict] = item["verdicts"].get(line.verdict, 0) + 1
    command = "python benchmarks/pass_at_k.py " + " ".join(sys.argv[1:])
    text = report(args, summary, per_item, stages, command)
    atomic_write_text(out / "found.json", json.dumps({k: {**v, "answers": len(v["answers"])} for k, v in per_item.items()}, indent=2))
    earlier = args.report.read_text(encoding="utf-8") if args.report.is_file() else ""
    if KEPT_SECTION in earlier:
        text += "\n\n" + earlier[earlier.index(KEPT_SECTION):].rstrip()
    atomic_write_text(args.report, text + "\n")
    print(f"wrote {args.report}")
    return 0


def report(args, summary, per_item: dict, stages: Stages, command: str) -> str:
    """The Markdown report."""
    from chathpc.report.tables import markdown_table

    overall, n = summary.overall, args.samples
    rate = lambda metric, k: f"{100 * metric[k].value:.1f}% [{100 * metric[k].low:.0f}-{100 * metric[k].high:.0f}]"  # noqa: E731
    lines = [f"# pass@k of `{Path(args.model).name}` on the held-out split, {n} samples per item", "",
             measured_on(("llama_cpp_python",)), "", f"Reproduce: `{command}` (resumes).", "",
             f"Protocol: the test split's 22 items (never in the assistant's training data), {n} answers per item sampled at "
             f"temperature {args.temperature} (top_p 0.95, at most 1700 new tokens, the answer ends at its first code block), "
             "decoded by llama.cpp from a q8_0 GGUF export, each checked by execution at ranks 1-4 against the sequential "
             "program. pass@k and build@k are the unbiased estimators over the item's samples (95% Wilson intervals).", "",
             *markdown_table(["items", "samples", "pass@1", f"pass@{n}", "build@1", f"build@{n}", "failures"],
                             [[str(overall.items), str(overall.samples), rate(overall.pass_at, 1), rate(overall.pass_at, n),
                               rate(overall.build_at, 1), rate(overall.build_at, n),
                               ", ".join(f"{v} {c}" for v, c in overall.failures.items() if c and v != "pass") or "none"]]), "",
             "## Per item", "",
             *markdown_table(["item", "samples", "passed", "built", "distinct answers", "verdicts"],
                             [[item, str(v["samples"]), str(v["passed"]), str(v["built"]), str(len(v["answers"])),
                               ", ".join(f"{k} {c}" for k, c in sorted(v["verdicts"].items()))] for item, v in sorted(per_item.items())]), "",
             "## Stages (wall and CPU seconds)", "",
             *markdown_table(["stage", "wall s", "CPU s"], [[s, f"{w:.0f}", f"{c:.0f}"] for s, w, c in stages.rows])]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

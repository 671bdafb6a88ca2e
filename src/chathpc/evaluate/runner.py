"""``verify`` and ``test``: generate answers for dataset items, check them by execution, append results.

Two stages per round of items: generate (the prompt is rendered with the run's template, the provider
generates ``generation.samples`` answers), then check (``check_samples``: the code is extracted and
every program is checked through ``chathpc.schedule.Scheduler``, identical programs once, against the
item's sequential program):

- ``metadata.task`` names a suite task (of the built-in suite, or of ``tasks_root``): its sequential program,
  argument sets, timing arguments, tolerances and program options (language, extra files, filters);
- otherwise the question's program (``extract.question_program``: the first fenced block that
  defines ``main``, whatever its language tag), run with ``metadata.args`` if given, else no arguments;
- items with neither are compared with the expected answer by normalized text (``check_mode="text"``),
  and reported separately from the execution metrics; items with no expected answer either (prompts, as in
  ChatHPC's test data) keep their answers unchecked (``check_mode="prompt"``, verdict ``unchecked``).

Each (item, sample) line is appended and fsynced as soon as it is checked; ``resume=True`` skips the
lines already in the file (cutting a truncated last line) so that an interrupted run continues where
it stopped and ends with the same file as an uninterrupted one.
"""

from __future__ import annotations

import glob
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from pydantic import BaseModel, Field

from chathpc.config import RunConfig
from chathpc.data import Record, load_records, load_template
from chathpc.errors import ChathpcError
from chathpc.evaluate.items import ItemCheck, answer_program, item_check, item_id, normalized_text, records_target, suite_tasks
from chathpc.evaluate.metrics import EvaluationSummary, summarize
from chathpc.evaluate.results import ResultLine, ResultsWriter, SampleLine, Timings, open_results, read_results
from chathpc.files import atomic_write_text



class RunOutcome(BaseModel):
    """What a run wrote and what it measured."""

    path: str
    provider: str
    items: int
    lines: int = Field(description="lines in the file at the end")
    written: int = Field(description="lines this call appended")
    skipped: int = Field(description="lines already present (resume)")
    summary: EvaluationSummary


def generation_settings(config: RunConfig) -> dict[str, Any]:
    """The generation settings a results or samples file records (a resumed file must match them)."""
    return config.generation.model_dump(mode="json")


def generate_rounds(
    records: Sequence[Record], checks: Sequence[ItemCheck], todo: Sequence[int], done: set[tuple[int, int]],
    config: RunConfig, spec: str, template, *, per_round: int,
) -> Iterator[list[SampleLine]]:
    """The generate stage: the samples not yet ``done`` of the ``todo`` items, ``per_round`` items at a time
    (the provider is asked ``generation.batch_size`` items per call), as the lines a samples file holds."""
    from chathpc.providers import generation_request, get_provider

    provider = get_provider(spec, config)
    n = config.generation.samples
    batch_size = config.generation.batch_size
    generation = generation_settings(config)
    for round_start in range(0, len(todo), per_round):
        samples: list[SampleLine] = []
        for start in range(round_start, min(round_start + per_round, len(todo)), batch_size):
            chunk = todo[start:min(start + batch_size, round_start + per_round)]
            requests = [generation_request(records[i], template) for i in chunk]
            begin = time.perf_counter()
            answers = provider.generate(requests, n, config.generation)
            generate_share = (time.perf_counter() - begin) / max(1, len(chunk) * n)
            if len(answers) != len(chunk) or any(len(a) != n for a in answers):
                raise ChathpcError(f"provider '{spec}' returned the wrong number of answers")
            samples += [
                SampleLine(item_id=item_id(records[index], index), item_index=index, sample=sample, domain=checks[index].domain,
                           task=checks[index].task, record=records[index], prompt=request.prompt, raw_output=raw,
                           provider=spec, generation=generation, generate_s=generate_share)
                for index, request, texts in zip(chunk, requests, answers)
                for sample, raw in enumerate(texts) if (index, sample) not in done
            ]
        yield samples


def _workers(timing) -> int:
    """A timing's key in a results line: ranks x threads (the rank count for MPI, the thread count for openmp/kokkos)."""
    return timing.ranks * (timing.threads or 1)


def check_samples(
    samples: Sequence[SampleLine], records: Sequence[Record], checks: Sequence[ItemCheck], marker: str | None,
    config: RunConfig, perf: bool, *, provider: str, generation: dict[str, Any],
    emit: Callable[[ResultLine], None] | None = None,
) -> list[ResultLine]:
    """The results line of every sample, in order: code extracted, text items matched, programs checked
    through ``chathpc.schedule.Scheduler`` (identical programs of an item once, e.g. greedy samples).
    ``emit`` gets each line, in order, as soon as it and every line before it are checked.

    Raises ``ReferenceProgramError`` when an item's sequential program fails.
    """
    from chathpc.harness import CheckResult
    from chathpc.schedule import CheckJob, Scheduler
    from chathpc.schedule.local import raise_first_error

    codes = [answer_program(s.raw_output, checks[s.item_index], marker) for s in samples]
    jobs: dict[int, CheckJob] = {}
    for position, (s, code) in enumerate(zip(samples, codes)):
        item = checks[s.item_index]
        if item.mode == "execution" and code is not None:
            jobs[position] = CheckJob(sequential=item.sequential or "", candidate=code, args=item.args,
                                      perf=perf or item.baseline is not None, perf_args=item.perf_args, rtol=item.rtol,
                                      atol=item.atol, options=item.options, baseline=item.baseline)
    job_positions = list(jobs)
    results: dict[int, Any] = {}
    lines: list[ResultLine] = []

    def line_at(position: int) -> ResultLine:
        s, code = samples[position], codes[position]
        record, item = records[s.item_index], checks[s.item_index]
        timings, measured, improvement = [], [], None
        if item.mode == "prompt":
            passed, verdict, check, seconds = False, "unchecked", None, 0.0
            feedback = "No program to run and no expected answer: the answer is kept for review, not checked."
        elif item.mode == "text":
            passed = normalized_text(code if code is not None else s.raw_output) == normalized_text(record.answer)
            verdict, check, feedback, seconds = ("pass" if passed else "wrong_output"), None, "" if passed else \
                "The answer differs from the expected answer (normalized text match).", 0.0
        else:
            title = item.options.lang.title if item.options is not None else "C"
            result = results.get(position) or CheckResult.extraction_failed(
                f"The answer holds no {title} program (no code block and no recognizable code).")
            passed, verdict, check, feedback, seconds = (
                result.passed, result.verdict.value, result.model_dump(mode="json"), result.feedback(), result.seconds)
            measured = result.perf.timings if result.perf is not None else []
            timings = measured if result.perf is not None and result.perf.timeable else []  # no speedup from noise
            if item.baseline is not None:
                found = result.perf.improvement() if result.perf is not None and result.perf.timeable else None
                improvement = found[0] if found is not None else None
        return ResultLine(
            item_id=item_id(record, s.item_index), item_index=s.item_index, sample=s.sample, domain=item.domain,
            task=item.task, record=record, prompt=s.prompt, raw_output=s.raw_output, code=code, check_mode=item.mode,
            verdict=verdict, passed=passed, check=check, feedback=feedback,
            perf_requested=(perf or item.baseline is not None) and item.mode == "execution", improvement=improvement,
            optimization=item.baseline is not None, speedup={_workers(t): t.speedup for t in timings},
            efficiency={_workers(t): t.efficiency for t in timings},
            memory_mib={_workers(t): t.max_rss_mib for t in measured if t.max_rss_mib is not None}, provider=provider, generation=generation,
            timings=Timings(generate_s=s.generate_s, check_s=seconds),
        )

    def flush() -> None:
        while len(lines) < len(samples):
            position = len(lines)
            if position in jobs and not isinstance(results.get(position), CheckResult):
                return  # not checked yet (or its sequential program failed: raised below)
            lines.append(line_at(position))
            if emit is not None:
                emit(lines[-1])

    def finished(positions: list[int], index: int, outcome, stage: str) -> None:
        position = positions[index]
        if stage == "time" or not (jobs[position].perf and isinstance(outcome, CheckResult) and outcome.passed):
            results[position] = outcome
            flush()

    flush()
    by_target: dict[str, list[int]] = {}  # a kind's items are checked at their own target, one target at a time
    for position in job_positions:
        by_target.setdefault(checks[samples[position].item_index].target or config.harness.target, []).append(position)
    for target, positions in by_target.items():
        harness = config.harness.model_copy(update={"target": target})
        raise_first_error(Scheduler(harness, config.schedule).map([jobs[p] for p in positions], partial(finished, positions)))
    flush()
    return lines


def run_evaluation(
    records: Sequence[Record],
    config: RunConfig,
    out: str | Path,
    *,
    provider_spec: str | None = None,
    perf: bool = False,
    resume: bool = False,
    force: bool = False,
    ks: Sequence[int] = (1,),
    progress: bool = True,
    on_line: Callable[[ResultLine], None] | None = None,
    shard: tuple[int, int] | None = None,
    tasks_root: str | Path | None = None,
) -> RunOutcome:
    """Generate, check and append results for ``records``; see the module docs. ``tasks_root`` is the task
    directory that ``metadata.task`` names refer to (default: the built-in suite).

    ``shard=(k, n)`` (a task of a Slurm job array) takes only the items whose index is k modulo n and
    writes them to ``shard_path(out, shard)``; a later run with ``resume`` gathers the shards into ``out``.
    """
    from chathpc.providers.registry import provider_spec as resolve_spec

    if not records:
        raise ChathpcError("no items to evaluate")
    path = Path(out)
    if shard is not None:
        path = shard_path(path, shard)
    elif resume:
        gather_shards(path)
    spec = resolve_spec(provider_spec, config)
    generation = generation_settings(config)
    ids = [item_id(r, i) for i, r in enumerate(records)]
    done, cut_at, kept = open_results(path, spec, generation, ids, perf=perf, resume=resume, force=force)
    n = config.generation.samples
    mine = range(len(records)) if shard is None else range(shard[0], len(records), shard[1])
    todo = [i for i in mine if any((i, s) not in done for s in range(n))]
    template = load_template(config.data.template, config.data.system)
    tasks = suite_tasks(records, tasks_root)
    config = config.model_copy(update={"harness": config.harness.model_copy(update={"target": records_target(records, config.harness.target)})})
    checks = [item_check(r, tasks, config.harness.target) for r in records]
    written = 0
    if todo:
        from tqdm import tqdm

        from chathpc.schedule import Scheduler

        passed_so_far = 0
        bar = tqdm(total=len(records) * n, initial=len(done), desc=f"{spec}", unit="sample", disable=not progress, file=sys.stderr, dynamic_ncols=True)
        # items generated (generation.batch_size per provider call), then checked together
        per_round = max(config.generation.batch_size, Scheduler(config.harness, config.schedule).workers)
        with ResultsWriter(path, truncate_at=cut_at) as writer:
            for samples in generate_rounds(records, checks, todo, done, config, spec, template, per_round=per_round):
                def emit(line: ResultLine) -> None:
                    nonlocal written, passed_so_far
                    writer.append(line)
                    written += 1
                    passed_so_far += line.passed
                    bar.set_postfix_str(f"pass {passed_so_far}/{written}", refresh=False)
                    bar.update(1)
                    if on_line is not None:
                        on_line(line)

                check_samples(samples, records, checks, template.answer_marker, config, perf, provider=spec,
                              generation=generation, emit=emit)
        bar.close()
    final = read_results(path).lines
    return RunOutcome(
        path=str(path), provider=spec, items=len(records), lines=len(final), written=written, skipped=kept,
        summary=summarize(final, ks),
    )


def shard_path(path: str | Path, shard: tuple[int, int]) -> Path:
    """Where the array task ``shard=(k, n)`` of a run writing ``path`` writes: ``PATH.shard-K-of-N``."""
    path = Path(path)
    return path.with_name(f"{path.name}.shard-{shard[0]}-of-{shard[1]}")


def gather_shards(path: str | Path) -> int:
    """Fold the shard files of ``path`` (``shard_path``) into it: every (item, sample) once, in order, the
    lines already in ``path`` first; the shard files are removed. Returns the lines now in ``path``."""
    path = Path(path)
    shards = sorted(path.parent.glob(f"{glob.escape(path.name)}.shard-*-of-*"))
    if not shards:
        return 0
    lines: dict[tuple[int, int], ResultLine] = {}
    for source in ([path] if path.exists() else []) + shards:
        for line in read_results(source).lines:
            lines.setdefault((line.item_index, line.sample), line)
    atomic_write_text(path, "".join(lines[key].model_dump_json() + "\n" for key in sorted(lines)))
    for source in shards:
        source.unlink()
    return len(lines)


def dataset_records(split_or_file: str | None, config: RunConfig, default_split: str, tasks_root: str | Path | None = None,
                    kind: str | None = None) -> list[Record]:
    """Records of a dataset file, or of a built-in split (``train``/``test``/``refine``) by name; with
    ``tasks_root`` and no dataset named, one record per task of that task directory (every split). ``kind`` (an
    assistant kind other than mpi) picks the built-in split of that kind, or the kind's records of ``tasks_root``."""
    from chathpc.tasks import SPLITS, dataset_file, get_kind, load_suite

    chosen = get_kind(kind) if kind is not None and kind != "mpi" else None
    if tasks_root is not None and split_or_file is None:
        if chosen is not None:
            return [record for task in load_suite(root=tasks_root) for record in chosen.records(task)]
        return _for_target([task.to_record() for task in load_suite(root=tasks_root)], config.harness.target, tasks_root)

    configured = {"train": config.data.train_file, "test": config.data.test_file, "refine": config.data.refine_file}
    if chosen is not None:
        name = split_or_file or default_split
        return load_records(dataset_file(name, chosen.name) if name in SPLITS else name)
    name = split_or_file or configured.get(default_split) or default_split
    if name in SPLITS:
        return _for_target(load_records(configured.get(name) or dataset_file(name)), config.harness.target, tasks_root)
    if not Path(name).suffix and not Path(name).exists():  # a mistyped split name, not a file
        raise ChathpcError(f"{name}: neither a split ({', '.join(SPLITS)}) nor a dataset file")
    return _for_target(load_records(name), config.harness.target, tasks_root)


def _for_target(records: list[Record], target: str, tasks_root: str | Path | None) -> list[Record]:
    """Records asking for ``target``: a suite task's record gets the task's question for that target (the
    datasets hold MPI questions) and, as its answer, the task's solution of that target (empty when it has
    none); other records, and those of an assistant kind (``metadata.kind``: checked at their own target), are
    kept as they are."""
    if target == "mpi":
        return records
    from chathpc.tasks import load_suite
    from chathpc.tasks.loader import FENCE_TAGS

    tasks = {t.id: t for t in load_suite(root=tasks_root)}
    retargeted = []
    for record in records:
        task = tasks.get((record.metadata or {}).get("task"))
        # a kind's record asks its kind's question; a function-answer task of this target asks its own prompt
        if task is None or "kind" in (record.metadata or {}) or task.answer_target == target:
            retargeted.append(record)
            continue
        solution = task.solutions(target).get("reference")
        fence = "cpp" if target == "kokkos" else FENCE_TAGS[task.options.language]
        answer = f"```{fence}\n{solution.rstrip()}\n```" if solution else ""
        retargeted.append(record.model_copy(update={"question": task.question(target), "answer": answer}))
    return retargeted


def check_answers(records: Sequence[Record], config: RunConfig, *, perf: bool = False, tasks_root: str | Path | None = None,
                  progress: bool = False) -> list[Any]:
    """Every record's own answer checked as a model's answer would be (its kind's target and check), in order: a
    ``CheckResult`` each. An optimization record's answer is checked for equal output; with ``perf`` it is also
    timed beside its input program and must beat it by ``harness.optimize_margin``. Raises
    ``ReferenceProgramError`` when an item's sequential program fails."""
    from tqdm import tqdm

    from chathpc.harness import CheckResult
    from chathpc.schedule import CheckJob, Scheduler
    from chathpc.schedule.local import raise_first_error

    tasks = suite_tasks(records, tasks_root)
    results: list[Any] = [None] * len(records)
    by_target: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        by_target.setdefault(records_target([record], config.harness.target), []).append(index)
    bar = tqdm(total=len(records), desc="check answers", unit="item", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    for target, indices in by_target.items():
        harness = config.harness.model_copy(update={"target": target})
        jobs: dict[int, CheckJob] = {}
        for index in indices:
            item = item_check(records[index], tasks, target)
            code = answer_program(records[index].answer, item, None) if item.mode == "execution" else None
            if code is None:
                results[index] = CheckResult.extraction_failed("the record's answer holds no program to run")
                bar.update(1)
                continue
            jobs[index] = CheckJob(sequential=item.sequential or "", candidate=code, args=item.args, perf=perf, perf_args=item.perf_args,
                                   rtol=item.rtol, atol=item.atol, options=item.options, baseline=item.baseline if perf else None)
        order = list(jobs)

        def finished(position: int, outcome, stage: str) -> None:
            if stage == "time" or not (jobs[order[position]].perf and isinstance(outcome, CheckResult) and outcome.passed):
                bar.update(1)

        for index, outcome in zip(order, raise_first_error(Scheduler(harness, config.schedule).map(list(jobs.values()), finished))):
            results[index] = outcome
    bar.close()
    return results

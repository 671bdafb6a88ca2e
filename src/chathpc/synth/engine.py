"""``synth``: generate pairs, drop duplicates and test-split look-alikes, verify the rest, write the dataset.

Candidate ``index`` of a run with seed ``S`` is drawn by family ``families[index % len(families)]`` from
``random.Random(f"{S}:{index}")``, so a candidate depends on nothing but the seed, its index and the
family list. Candidates are decided in index order: a duplicate (same normalized sequential program as an
earlier candidate) or a contaminated one (kernel similarity to a test-split task >= threshold) is
rejected without a check; the others are checked through the scheduler at the target's configurations
(``options.target``: ranks 1-4 for MPI, threads for OpenMP and Kokkos, layouts for hybrid) on sizes that do
not divide evenly, a sample of each family (``explore_rate``) with ``--explore``; for a port
(``options.source``) the question's program is checked too, at its own target's configurations, and both
must pass. Decontamination compares the sequential program whatever the target. Every decision is appended to
``checked.jsonl`` as it is made (the checkpoint ``--resume`` continues); the dataset is the first ``count``
passing candidates by index, so the same seed gives the same file whatever the jobs or interruptions.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from pathlib import Path
from statistics import median
from typing import Any, Callable, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.data import Record
from chathpc.data.records import dump_records
from chathpc.data.stats import estimate_tokens
from chathpc.errors import ChathpcError
from chathpc.evaluate.results import ResultsWriter
from chathpc.files import atomic_write_text, refuse_existing
from chathpc.harness import CheckResult
from chathpc.harness.targets import configuration_label, get_target
from chathpc.report.tables import markdown_table
from chathpc.schedule import CheckJob, Scheduler
from chathpc.synth.decontam import THRESHOLD, nearest
from chathpc.synth.families import FAMILIES, Pair
from chathpc.tasks.kinds import get_kind
from chathpc.tasks.loader import FENCE_TAGS

CHECKPOINT = "checked.jsonl"
OPTIONS = "options.json"
OUTPUTS = ("dataset.jsonl", "stats.md", "stats.json", "decontamination.md", "decontamination.json")
EXPLORE_BUDGET = 20.0
"""Seconds of exploration per explored candidate."""
TARGETS = ("mpi", "openmp", "kokkos", "hybrid")
TARGET_TITLES = {"mpi": "MPI", "openmp": "OpenMP", "kokkos": "Kokkos", "hybrid": "hybrid MPI+OpenMP"}
ANSWER_LANGUAGE = {"mpi": "c", "openmp": "c", "hybrid": "c", "kokkos": "cxx"}


def assistant_kind(target: str, source: str | None = None) -> str:
    """The assistant kind a record trains: the target (``openmp``) or the port (``openmp-to-kokkos``)."""
    return target if source is None else f"{source}-to-{target}"


class SynthOptions(BaseModel):
    """What one synth run generates."""

    count: int = Field(ge=1, description="Verified pairs wanted")
    seed: int = Field(0, ge=0)
    families: list[str] = Field(default_factory=lambda: list(FAMILIES))
    explore_rate: float = Field(0.1, ge=0.0, le=1.0, description="Share of candidates checked with --explore")
    sizes: int = Field(2, ge=1, le=2, description="Check sizes per candidate (each runs at every rank count)")
    threshold: float = Field(THRESHOLD, gt=0.0, le=1.0, description="Kernel similarity to a test task that refuses a candidate")
    max_candidates: int | None = Field(None, ge=0, description="Give up after this many candidates (default: 4 x count + 50)")
    target: Literal["mpi", "openmp", "kokkos", "hybrid"] = Field("mpi", description="The answer's programming model (--target)")
    source: Literal["mpi", "openmp", "kokkos", "hybrid"] | None = Field(
        None, description="Portability pairs (--port SOURCE-to-TARGET): the model of the question's program; none: sequential")

    @model_validator(mode="before")
    @classmethod
    def _default_families(cls, data: Any) -> Any:
        """Without ``families``: every family that emits the target's (and the source's) program."""
        if isinstance(data, dict) and data.get("families") is None:
            needed = {data.get("target") or "mpi", data.get("source") or "mpi"}
            data = {**data, "families": [f.name for f in FAMILIES.values() if needed <= set(f.targets)]}
        return data

    @model_validator(mode="after")
    def _two_targets(self) -> "SynthOptions":
        if self.source == self.target:
            raise ValueError(f"a port needs two targets, got {self.target} twice")
        return self


class SynthLine(BaseModel):
    """One decided candidate in ``checked.jsonl``."""

    schema_version: int = 1
    index: int
    family: str
    kind: str
    params: dict[str, Any]
    seq_hash: str
    status: str = Field(description="pass, failed, duplicate or contaminated")
    verdict: str | None = None
    detail: str | None = None
    nearest_task: str
    similarity: float
    explored: bool = False
    args: list[list[str]]
    ranks: list[int]
    sequential: str | None = Field(None, description="Kept for passing candidates")
    program: str | None = Field(None, description="The answer: the target's program (kept for passing candidates)")
    source_program: str | None = Field(None, description="Ports: the question's program (kept for passing candidates)")


def candidate(seed: int, index: int, families: list[str]) -> Pair:
    """Candidate ``index`` of a run (deterministic: seed, index and family list decide it)."""
    family = FAMILIES[families[index % len(families)]]
    return family.make(random.Random(f"{seed}:{index}"))


def normalized_hash(source: str) -> str:
    """Hash of a program without comments and whitespace (what duplicate detection compares)."""
    text = re.sub(r"/\*.*?\*/|//[^\n]*", " ", source, flags=re.S)
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:16]


def explored(index: int, families: int, rate: float) -> bool:
    """Whether candidate ``index`` is checked with exploration: every ``round(1 / rate)``-th round over the
    families, starting with the first, so that each family is explored from its first candidate on."""
    if rate <= 0:
        return False
    return (index // families) % max(1, round(1 / rate)) == 0


def record_of(line: SynthLine, seed: int, target: str = "mpi", source: str | None = None,
              configurations: list[str] | None = None) -> Record:
    """The dataset record of a passing candidate in its assistant kind's wording and context (``tasks.kinds``),
    provenance in metadata (``kind``: the assistant kind, ``computation``: the family's kernel, ``target``;
    ``source_target`` and the source's configurations for a port)."""
    assert line.sequential is not None and line.program is not None
    kind = get_kind(assistant_kind(target, source))
    if source is None:
        question = kind.question(line.sequential, "c")
    else:
        assert line.source_program is not None
        question = kind.question(line.source_program, ANSWER_LANGUAGE[source])
    metadata: dict[str, Any] = {
        "source": "synth", "family": line.family, "computation": line.kind, "params": line.params, "seed": seed,
        "index": line.index, "verdict": line.verdict, "args": line.args, "ranks": line.ranks, "explored": line.explored,
        "nearest_test_task": line.nearest_task, "similarity": line.similarity, "target": target, "kind": kind.name,
    }
    if source is not None:
        metadata["source_target"] = source
    if configurations is not None:
        metadata["configurations"] = configurations
    return Record(
        question=question,
        context=kind.context,
        answer=f"```{FENCE_TAGS[ANSWER_LANGUAGE[target]]}\n{line.program.rstrip()}\n```",
        id=record_id(seed, line.index, kind.name),
        metadata=metadata,
    )


def record_id(seed: int, index: int, kind: str) -> str:
    """``synth-SEED-INDEX`` (MPI, as before targets) or ``synth-KIND-SEED-INDEX``."""
    return f"synth-{seed}-{index}" if kind == "mpi" else f"synth-{kind}-{seed}-{index}"


def configuration_labels(harness: HarnessConfig, target: str) -> list[str]:
    """The configurations a target's programs are checked at, as labels (np2, t2, 2x2)."""
    return [configuration_label(p.ranks, p.threads, target) for p in get_target(target).configurations(harness)]


def check_family_names(names: list[str], targets: tuple[str, ...] = ("mpi",)) -> list[str]:
    """``names`` validated against the known families and the ``targets`` each must emit (one-line errors)."""
    unknown = [n for n in names if n not in FAMILIES]
    if unknown or not names:
        raise ChathpcError(f"unknown famil{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown) or '(none given)'} "
                           f"(choose from {', '.join(FAMILIES)})")
    for target in targets:
        lacking = [n for n in names if target not in FAMILIES[n].targets]
        if lacking:
            having = [f.name for f in FAMILIES.values() if target in f.targets]
            raise ChathpcError(f"famil{'ies' if len(lacking) > 1 else 'y'} {', '.join(lacking)} emit{'' if len(lacking) > 1 else 's'} "
                               f"no {target} program (the {target} families: {', '.join(having)})")
    return names


def read_checkpoint(path: Path) -> tuple[list[SynthLine], int, bool]:
    """The complete lines of ``checked.jsonl``, the bytes they span, and whether a cut last line follows
    (a killed run); a broken line elsewhere is an error."""
    raw = path.read_bytes()
    lines: list[SynthLine] = []
    offset = 0
    chunks = raw.split(b"\n")
    for number, chunk in enumerate(chunks, 1):
        if chunk.strip():
            try:
                lines.append(SynthLine.model_validate_json(chunk))
            except ValidationError:
                if number == len(chunks):
                    return lines, offset, True
                raise ChathpcError(f"{path}:{number}: not a synth checkpoint line") from None
        offset += len(chunk) + 1
    return lines, min(offset, len(raw)), False


def synthesize(out: str | Path, options: SynthOptions, *, harness: HarnessConfig | None = None,
               schedule: ScheduleConfig | None = None, jobs: int | None = None, resume: bool = False,
               force: bool = False, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run synth into directory ``out`` (see the module docs); returns the stats written to stats.json."""
    out = Path(out)
    families = check_family_names(options.families, (options.target, *((options.source,) if options.source else ())))
    checkpoint = out / CHECKPOINT
    if resume and force:
        raise ChathpcError("--resume and --force exclude each other")
    decisive = options.model_dump(exclude={"count", "max_candidates"})
    if not resume:
        for name in (CHECKPOINT, OPTIONS, *OUTPUTS):
            refuse_existing(out / name, force, hint="use --force to start over or --resume to continue")
        if force:
            for name in (CHECKPOINT, OPTIONS, *OUTPUTS):
                (out / name).unlink(missing_ok=True)
        atomic_write_text(out / OPTIONS, json.dumps(decisive, indent=2) + "\n")
    elif not checkpoint.exists():
        raise ChathpcError(f"{checkpoint}: nothing to resume (run without --resume first)")
    elif (out / OPTIONS).exists() and json.loads((out / OPTIONS).read_text()) != decisive:
        raise ChathpcError(f"{out / OPTIONS}: the run was started with other options ({(out / OPTIONS).read_text().strip()}); "
                           "resume with the same --seed, --families, --sizes, --explore-rate and --threshold")
    lines: list[SynthLine] = []
    truncate_at = None
    if checkpoint.exists():
        lines, valid_bytes, truncated = read_checkpoint(checkpoint)
        truncate_at = valid_bytes if truncated else None
    harness = (harness or HarnessConfig()).model_copy(update={"target": options.target})
    plain = Scheduler(harness.model_copy(update={"explore": False}), schedule, jobs=jobs)
    exploring = Scheduler(harness.model_copy(update={"explore": True, "explore_budget": EXPLORE_BUDGET}), schedule, jobs=jobs)
    source_checks = (Scheduler(harness.model_copy(update={"target": options.source, "explore": False}), schedule, jobs=jobs)
                     if options.source else None)
    seen = {line.seq_hash for line in lines if line.status != "duplicate"}
    passed = sum(line.status == "pass" for line in lines)
    index = len(lines)
    limit = options.max_candidates if options.max_candidates is not None else 4 * options.count + 50
    batch_size = max(8, 2 * plain.workers)
    with ResultsWriter(checkpoint, truncate_at=truncate_at) as writer:
        while passed < options.count and index < limit:
            batch: list[tuple[SynthLine, Pair | None]] = []
            while len([p for _, p in batch if p is not None]) < batch_size and index < limit:
                pair = candidate(options.seed, index, families)
                pair.args = pair.args[: options.sizes]
                near = nearest(pair.sequential)
                digest = normalized_hash(pair.sequential)
                status = "duplicate" if digest in seen else "contaminated" if near.similarity >= options.threshold else "check"
                seen.add(digest)
                line = SynthLine(index=index, family=pair.family, kind=pair.kind, params=pair.params, seq_hash=digest,
                                 status=status, nearest_task=near.task, similarity=near.similarity,
                                 explored=status == "check" and explored(index, len(families), options.explore_rate),
                                 args=pair.args, ranks=list(harness.ranks) if "mpi" in (options.target, options.source) else [])
                batch.append((line, pair if status == "check" else None))
                index += 1
            to_check = [(line, pair) for line, pair in batch if pair is not None]
            outcomes: dict[int, Any] = {}
            for scheduler, chosen in ((plain, [x for x in to_check if not x[0].explored]), (exploring, [x for x in to_check if x[0].explored])):
                if chosen:
                    results = scheduler.map([CheckJob(sequential=p.sequential, candidate=p.programs[options.target], args=p.args)
                                             for _, p in chosen])
                    outcomes.update({line.index: result for (line, _), result in zip(chosen, results)})
            source_outcomes: dict[int, Any] = {}
            if source_checks is not None and to_check:
                results = source_checks.map([CheckJob(sequential=p.sequential, candidate=p.programs[options.source], args=p.args)
                                             for _, p in to_check])
                source_outcomes = {line.index: result for (line, _), result in zip(to_check, results)}
            for line, pair in batch:
                if pair is not None:
                    _decide(line, outcomes[line.index], source_outcomes.get(line.index), options.source)
                    if line.status == "pass":
                        line.sequential, line.program = pair.sequential, pair.programs[options.target]
                        line.source_program = pair.programs[options.source] if options.source else None
                        passed += 1
                writer.append(line)
                lines.append(line)
            if progress is not None:
                progress(f"{index} candidates, {passed} verified of {options.count}")
    if passed < options.count:
        raise ChathpcError(f"synth: only {passed} of {options.count} pairs verified after {index} candidates (see {checkpoint})")
    return write_outputs(out, lines, options, harness)


def _decide(line: SynthLine, result: Any, source_result: Any, source: str | None) -> None:
    """The status, verdict and detail of a checked candidate: its answer's check, and for a port its source's too."""
    for outcome, label in ((source_result, f"the {source} source program: "), (result, "")):
        if outcome is None:
            continue
        if not isinstance(outcome, CheckResult):
            line.verdict, line.detail, line.status = "reference_error", label + str(outcome), "failed"
            return
        line.verdict, line.detail = outcome.verdict.value, None if outcome.passed else label + outcome.summary()
        line.status = "pass" if outcome.passed else "failed"
        if not outcome.passed:
            return


def write_outputs(out: Path, lines: list[SynthLine], options: SynthOptions, harness: HarnessConfig | None = None) -> dict[str, Any]:
    """dataset.jsonl (the first ``count`` passing candidates by index), stats and decontamination reports."""
    kept = [line for line in lines if line.status == "pass"][: options.count]
    last = kept[-1].index if kept else -1
    decided = [line for line in lines if line.index <= last]
    harness = harness or HarnessConfig()
    configurations = None if options.target == "mpi" else configuration_labels(harness, options.target)
    records = [record_of(line, options.seed, options.target, options.source, configurations) for line in kept]
    atomic_write_text(out / "dataset.jsonl", dump_records(records, "jsonl"))
    stats = _stats(decided, kept, records, options)
    atomic_write_text(out / "stats.json", json.dumps(stats, indent=2) + "\n")
    atomic_write_text(out / "stats.md", _stats_markdown(stats))
    decon = _decontamination(decided, kept, options)
    atomic_write_text(out / "decontamination.json", json.dumps(decon, indent=2) + "\n")
    atomic_write_text(out / "decontamination.md", _decontamination_markdown(decon))
    return stats


def _stats(decided: list[SynthLine], kept: list[SynthLine], records: list[Record], options: SynthOptions) -> dict[str, Any]:
    families: dict[str, dict[str, int]] = {}
    for line in decided:
        row = families.setdefault(line.family, {"candidates": 0, "pass": 0, "failed": 0, "duplicate": 0, "contaminated": 0, "kept": 0})
        row["candidates"] += 1
        row[line.status] += 1
    for line in kept:
        families[line.family]["kept"] += 1
    verdicts: dict[str, int] = {}
    for line in decided:
        if line.verdict:
            verdicts[line.verdict] = verdicts.get(line.verdict, 0) + 1
    kinds: dict[str, int] = {}
    for line in kept:
        kinds[line.kind] = kinds.get(line.kind, 0) + 1
    q = [estimate_tokens(r.question) for r in records]
    a = [estimate_tokens(r.answer) for r in records]
    return {
        "seed": options.seed, "count": options.count, "target": options.target, "source": options.source,
        "assistant_kind": assistant_kind(options.target, options.source), "families_requested": options.families,
        "families_without_target": [f.name for f in FAMILIES.values() if f.name not in options.families
                                    and not {options.target, options.source or "mpi"} <= set(f.targets)],
        "explore_rate": options.explore_rate, "sizes": options.sizes, "threshold": options.threshold,
        "candidates": len(decided), "kept": len(kept), "explored_kept": sum(line.explored for line in kept),
        "families": families, "kinds": dict(sorted(kinds.items())), "verdicts": verdicts,
        "rejections": [{"index": line.index, "family": line.family, "status": line.status, "verdict": line.verdict,
                        "detail": line.detail} for line in decided if line.status in ("failed", "contaminated")],
        "tokens": {"question_median": int(median(q)) if q else 0, "question_max": max(q, default=0),
                   "answer_median": int(median(a)) if a else 0, "answer_max": max(a, default=0)},
    }


def _stats_markdown(stats: dict[str, Any]) -> str:
    rows = [[name, *(str(row[k]) for k in ("candidates", "pass", "failed", "duplicate", "contaminated", "kept"))]
            for name, row in sorted(stats["families"].items())]
    tok = stats["tokens"]
    lines = [
        f"# synth: {stats['kept']} verified {stats['assistant_kind']} pairs (seed {stats['seed']})", "",
        f"{stats['candidates']} candidates decided; {stats['explored_kept']} of the kept pairs were checked with --explore "
        f"(rate {stats['explore_rate']}); decontamination threshold {stats['threshold']}.", "",
        *([f"Families without a {stats['target']} program, not generated: {', '.join(stats['families_without_target'])}.", ""]
          if stats["families_without_target"] else []),
        "## Families", "", *markdown_table(["family", "candidates", "pass", "failed", "duplicate", "contaminated", "kept"], rows), "",
        "## Kinds kept", "", *markdown_table(["kind", "pairs"], [[k, str(v)] for k, v in stats["kinds"].items()]), "",
        "## Verdicts of the checked candidates", "", *markdown_table(["verdict", "candidates"], [[k, str(v)] for k, v in sorted(stats["verdicts"].items())]), "",
        "## Token lengths (estimated, 3.5 characters a token)", "",
        *markdown_table(["", "median", "max"], [["question", str(tok["question_median"]), str(tok["question_max"])],
                                                 ["answer", str(tok["answer_median"]), str(tok["answer_max"])]]), "",
        "## Rejections", "",
    ]
    rejections = stats["rejections"]
    if rejections:
        lines += markdown_table(["index", "family", "status", "verdict", "detail"],
                                [[str(r["index"]), r["family"], r["status"], r["verdict"] or "-", (r["detail"] or "-")[:120]] for r in rejections])
    else:
        lines.append("None: every checked candidate passed and none was refused by decontamination.")
    return "\n".join(lines) + "\n"


def _decontamination(decided: list[SynthLine], kept: list[SynthLine], options: SynthOptions) -> dict[str, Any]:
    buckets = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, options.threshold, 1.0001]
    edges = sorted(set(buckets))
    histogram = []
    for lo, hi in zip(edges, edges[1:]):
        histogram.append({"from": lo, "to": min(hi, 1.0), "candidates": sum(lo <= line.similarity < hi for line in decided)})
    nearest_tasks: dict[str, int] = {}
    for line in kept:
        nearest_tasks[line.nearest_task] = nearest_tasks.get(line.nearest_task, 0) + 1
    return {
        "threshold": options.threshold,
        "method": "kernel token sequences (loops that read arrays, printing/argument/allocation statements and printing helpers "
                  "removed, identifiers renamed by first appearance, numbers and types normalized), difflib ratio against "
                  "every test-split task's sequential program",
        "refused": [{"index": line.index, "family": line.family, "kind": line.kind, "nearest_task": line.nearest_task,
                     "similarity": line.similarity} for line in decided if line.status == "contaminated"],
        "max_kept_similarity": max((line.similarity for line in kept), default=0.0),
        "histogram": histogram,
        "nearest_task_counts": dict(sorted(nearest_tasks.items(), key=lambda kv: -kv[1])),
        "records": [{"id": record_id(options.seed, line.index, assistant_kind(options.target, options.source)), "family": line.family, "kind": line.kind,
                     "nearest_task": line.nearest_task, "similarity": line.similarity} for line in kept],
    }


def _decontamination_markdown(decon: dict[str, Any]) -> str:
    lines = [
        "# synth: decontamination against the test split", "",
        f"Method: {decon['method']}. A candidate at or above {decon['threshold']} is refused.", "",
        f"Refused: {len(decon['refused'])}; highest similarity among the kept records: {decon['max_kept_similarity']}.", "",
        "## Similarity of every decided candidate to its nearest test task", "",
        *markdown_table(["similarity", "candidates"], [[f"[{h['from']:.2f}, {h['to']:.2f})", str(h["candidates"])] for h in decon["histogram"]]), "",
        "## Nearest test task of the kept records", "",
        *markdown_table(["test task", "records"], [[k, str(v)] for k, v in decon["nearest_task_counts"].items()]), "",
    ]
    if decon["refused"]:
        lines += ["## Refused", "", *markdown_table(["index", "family", "kind", "nearest test task", "similarity"],
                                                    [[str(r["index"]), r["family"], r["kind"], r["nearest_task"], f"{r['similarity']:.3f}"] for r in decon["refused"]]), ""]
    lines += ["## Every kept record", "", *markdown_table(["id", "family", "kind", "nearest test task", "similarity"],
                                                          [[r["id"], r["family"], r["kind"], r["nearest_task"], f"{r['similarity']:.3f}"] for r in decon["records"]])]
    return "\n".join(lines) + "\n"

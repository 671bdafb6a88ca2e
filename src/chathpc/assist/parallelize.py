"""``parallelize``: generate MPI candidates for a sequential program (or the answers of an assistant kind: OpenMP,
Kokkos, hybrid, portability, optimization; ``chathpc.tasks.kinds``), verify each, repair failures.

1. The provider answers the translation prompt ``samples`` times; each answer's program is
   extracted and checked by the harness (identical programs are checked once).
2. While nothing passed and repair rounds are left, every distinct failed candidate of the last
   round is sent back in a repair prompt (the sequential program, the failed code and the
   harness feedback, under a fixed instruction) rendered with the same template as any record.
3. The best passing candidate (the fastest at the largest timed rank count with ``perf``, else
   the first to pass) is written to ``output`` atomically. A run where nothing passed writes
   nothing, and an existing file is never replaced unless ``overwrite``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from pydantic import BaseModel, Field, computed_field

from chathpc.config import RunConfig
from chathpc.data import Record, load_template
from chathpc.errors import ChathpcError
from chathpc.extract import extract_code
from chathpc.files import atomic_write_text, refuse_existing
from chathpc.harness.results import CheckResult, RankTiming
from chathpc.providers.base import Provider, generation_request
from chathpc.tasks.kinds import AssistantKind, get_kind
from chathpc.tasks.loader import TARGET_TITLES

REPAIR_INSTRUCTION = (
    "Your MPI version of the sequential C program below failed verification. Fix it: answer with the "
    "complete corrected MPI program in one ```c block. It must take the same command-line arguments "
    "and print the same results, from rank 0 only, for any number of ranks."
)
NO_PROGRAM_NOTE = "Your previous answer contained no complete C program (no main function was found)."
KIND_REPAIR_INSTRUCTION = (
    "Your answer to the request below failed verification. Fix it: answer with the complete corrected {title} program "
    "in one ```{fence} block."
)
"""The repair request of every assistant kind but ``mpi`` (which keeps ``REPAIR_INSTRUCTION``)."""


class Candidate(BaseModel):
    """One answer: where it came from, the program extracted from it, and its verdict."""

    round: int = Field(description="0 for the first generation, r for the r-th repair round")
    sample: int = Field(description="Index of the candidate within its round")
    repairs: int | None = Field(None, description="Index (in ParallelizeResult.candidates) of the candidate this one repairs")
    raw_output: str
    code: str | None
    check: CheckResult


class ParallelizeResult(BaseModel):
    """Everything one ``parallelize`` run did, JSON-serializable."""

    provider: str
    samples: int
    repair_rounds: int = Field(description="Repair rounds allowed")
    rounds_used: int = Field(0, description="Repair rounds actually run")
    candidates: list[Candidate] = Field(default_factory=list)
    best: int | None = Field(None, description="Index of the chosen passing candidate")
    output: str | None = Field(None, description="File the chosen program was written to")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """Whether a candidate passed."""
        return self.best is not None

    def best_candidate(self) -> Candidate | None:
        """The chosen passing candidate, if any."""
        return None if self.best is None else self.candidates[self.best]

    def verdict_counts(self) -> dict[str, int]:
        """How many candidates got each verdict."""
        counts: dict[str, int] = {}
        for candidate in self.candidates:
            counts[candidate.check.verdict.value] = counts.get(candidate.check.verdict.value, 0) + 1
        return counts

    def report(self) -> str:
        """A short human-readable report: one line per candidate, then the outcome."""
        lines = [f"{'cand':>4}  {'round':>5}  {'verdict':<13}  {'speedup':>8}  {'bytes moved':>11}  detail"]
        for index, candidate in enumerate(self.candidates):
            timing = largest_timing(candidate.check)
            speedup = f"{timing.speedup:.2f}x" if timing and candidate.check.perf.timeable else "-"
            moved = str(bytes_moved(timing)) if timing and timing.comm else "-"
            mark = " *" if index == self.best else ""
            lines.append(
                f"{index:>4}  {candidate.round:>5}  {candidate.check.verdict.value:<13}  {speedup:>8}  {moved:>11}  "
                f"{candidate.check.summary()}{mark}"
            )
        counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(self.verdict_counts().items()))
        best = self.best_candidate()
        if best is None:
            lines.append(
                f"no candidate passed ({counts}) after {self.rounds_used} of {self.repair_rounds} repair round(s); nothing written"
            )
        else:
            where = f"wrote {self.output}" if self.output else "best candidate"
            outcome = f"{where}: candidate {self.best} passed in round {best.round}"
            timing = largest_timing(best.check)
            if timing and best.check.perf.timeable:
                outcome += f", speedup {timing.speedup:.2f}x at {timing.ranks} ranks"
                if timing.comm:
                    outcome += f", {bytes_moved(timing)} bytes moved"
            lines.append(f"{outcome} ({counts})")
        return "\n".join(lines)


def largest_timing(result: CheckResult) -> RankTiming | None:
    """The timing at the largest timed rank count, when the check was timed."""
    if result.perf is None or not result.perf.timings:
        return None
    return max(result.perf.timings, key=lambda t: t.ranks)


def bytes_moved(timing: RankTiming) -> int:
    """Point-to-point plus collective bytes sent, summed over the ranks of one timed run."""
    return sum(c.p2p_bytes + c.collective_bytes for c in timing.comm)


def translation_record(sequential_source: str, target: str = "mpi") -> Record:
    """The translation request for a sequential program to ``target`` (harness.target), worded exactly like the suite's records."""
    from chathpc.tasks.loader import CONTEXT, translation_question

    return Record(question=translation_question(sequential_source, target=target), context=CONTEXT)


def kind_record(kind: AssistantKind, program: str) -> Record:
    """The request of ``kind`` for ``program`` (the sequential program, or the kind's input), worded like its datasets."""
    language = "cxx" if kind.source_target == "kokkos" else "c"
    return Record(question=kind.question(program, language), context=kind.context)


def repair_record(base: Record, sequential_source: str, candidate: Candidate, round_number: int, kind: AssistantKind | None = None) -> Record:
    """The repair request for a failed candidate: the program (for a ``kind`` other than mpi, the original
    request), the failed code and the harness feedback."""
    fence = "cpp" if kind is not None and kind.target == "kokkos" else "c"
    previous = (
        f"Your previous answer:\n```{fence}\n{candidate.code.rstrip()}\n```" if candidate.code is not None else NO_PROGRAM_NOTE
    )
    if kind is None or kind.name == "mpi":
        request = f"{REPAIR_INSTRUCTION}\n\nSequential program:\n```c\n{sequential_source.rstrip()}\n```"
    else:
        instruction = KIND_REPAIR_INSTRUCTION.format(title=TARGET_TITLES[kind.target], fence=fence)
        request = f"{instruction}\n\nRequest:\n{base.question}"
    question = (
        f"{request}\n\n{previous}\n\n"
        f"Verification result: {candidate.check.verdict.value}\n{candidate.check.feedback().strip()}"
    )
    return base.model_copy(update={"question": question, "answer": "", "metadata": {**base.metadata, "repair_round": round_number}})


def select_best(candidates: list[Candidate], perf: bool) -> int | None:
    """The first passing candidate, or with ``perf`` the fastest at the largest timed rank count."""
    passing = [i for i, c in enumerate(candidates) if c.check.passed]
    if not passing:
        return None
    if not perf:
        return passing[0]

    def speed(index: int) -> tuple[int, float]:
        timing = largest_timing(candidates[index].check)
        return (timing.ranks, timing.speedup) if timing and candidates[index].check.perf.timeable else (0, 0.0)

    return max(passing, key=lambda i: (speed(i), -i))


def write_program(code: str, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``code`` atomically; refuse to replace an existing file unless ``overwrite``."""
    return atomic_write_text(path, code, overwrite=overwrite)


def parallelize(
    sequential_source: str,
    provider: Provider,
    config: RunConfig,
    *,
    samples: int | None = None,
    repair_rounds: int = 0,
    args: list[list[str]] | None = None,
    perf: bool = False,
    perf_args: list[str] | None = None,
    output: str | os.PathLike[str] | None = None,
    overwrite: bool = False,
    on_candidate: Callable[[Candidate], None] | None = None,
    kind: str | None = None,
    program: str | None = None,
) -> ParallelizeResult:
    """Generate, verify and repair candidates for ``sequential_source`` (see the module docs): translations to
    ``harness.target``, or the answers of assistant ``kind`` (``chathpc.tasks.kinds``) whose input ``program`` (a
    portability kind's solution, an optimization kind's slow program) is not the sequential program; they are
    checked against ``sequential_source`` at the kind's target, an optimization also for speed against ``program``."""
    from chathpc.schedule import check_many

    chosen = get_kind(kind) if kind is not None else None
    if chosen is not None:
        if chosen.input != "sequential" and program is None:
            raise ChathpcError(f"parallelize: kind {chosen.name} needs its input program ({chosen.input} of {chosen.source_target}) beside the sequential program")
        config = config.model_copy(update={"harness": config.harness.model_copy(update={"target": chosen.target})})
    baseline = program if chosen is not None and chosen.optimizes else None
    samples = samples or config.generation.samples
    if samples < 1 or repair_rounds < 0:
        raise ChathpcError("parallelize: samples must be >= 1 and repair rounds >= 0")
    if output is not None:
        refuse_existing(output, overwrite)
    template = load_template(config.data.template, config.data.system)
    gen = config.generation
    base = kind_record(chosen, program or sequential_source) if chosen is not None else translation_record(sequential_source, config.harness.target)
    result = ParallelizeResult(provider=provider.name, samples=samples, repair_rounds=repair_rounds)
    checked: dict[str, CheckResult] = {}

    def verify(answers: list[str], round_number: int, parents: list[int | None]) -> list[int]:
        codes = [extract_code(answer, template.answer_marker) for answer in answers]
        fresh = list(dict.fromkeys(code for code in codes if code is not None and code not in checked))
        if fresh:
            outcomes = check_many(
                [(sequential_source, code) for code in fresh],
                schedule=config.schedule,
                args=args,
                config=config.harness,
                perf=perf,
                perf_args=perf_args,
                baseline=baseline,
            )
            checked.update(zip(fresh, outcomes))
        indices = []
        for sample, (answer, code, parent) in enumerate(zip(answers, codes, parents)):
            check = checked[code] if code is not None else CheckResult.extraction_failed(
                "no C program with a main function could be extracted from the answer"
            )
            candidate = Candidate(round=round_number, sample=sample, repairs=parent, raw_output=answer, code=code, check=check)
            result.candidates.append(candidate)
            indices.append(len(result.candidates) - 1)
            if on_candidate is not None:
                on_candidate(candidate)
        return indices

    request = generation_request(base, template)
    latest = verify(provider.generate([request], samples, gen)[0], 0, [None] * samples)
    for round_number in range(1, repair_rounds + 1):
        if any(result.candidates[i].check.passed for i in latest):
            break
        distinct: dict[tuple[str | None, str], int] = {}
        for index in latest:
            candidate = result.candidates[index]
            distinct.setdefault((candidate.code, candidate.check.feedback()), index)
        parents = list(distinct.values())
        records = [repair_record(base, sequential_source, result.candidates[i], round_number, chosen) for i in parents]
        requests = [generation_request(record, template) for record in records]
        answers = [texts[0] for texts in provider.generate(requests, 1, gen)]
        latest = verify(answers, round_number, parents)
        result.rounds_used = round_number
    result.best = select_best(result.candidates, perf or baseline is not None)
    best = result.best_candidate()
    if best is not None and best.code is not None and output is not None:
        result.output = str(write_program(best.code, output, overwrite=overwrite))
    return result

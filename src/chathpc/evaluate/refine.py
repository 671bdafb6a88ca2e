"""``refine``: turn a results file into work for an expert and into new training data.

- Failed items become a refinement dataset (the ChatHPC record format): the original question and
  context, the model's answer as the answer to correct, and in ``metadata`` the harness's verdict and
  feedback. A Markdown view lists the same items with a rating template for the expert.
- Optionally, samples that passed verification (with a measured speedup at or above a threshold)
  are harvested as new training examples.

``chathpc train`` with ``data.refine_file`` pointing at the corrected file closes the loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from pydantic import BaseModel

from chathpc.data import Record, save_records
from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text, refuse_existing
from chathpc.evaluate.metrics import group_by_item
from chathpc.evaluate.results import ResultLine

RATING_FIELDS: tuple[tuple[str, str], ...] = (
    ("correctness", "Correctness"), ("performance", "Performance"), ("style", "Style and MPI usage"),
)
"""The expert's ratings of an answer (0-5 each), as (key, label); ``notes`` goes beside them."""

RATING_SCALE = (0, 5)

RATING_TEMPLATE = (
    "**Expert rating** (fill in, then correct the answer in the refinement file):\n"
    + "".join(f"- {label} ({RATING_SCALE[0]}-{RATING_SCALE[1]}):\n" for _, label in RATING_FIELDS)
    + "- Notes:\n"
)


class RefineOutcome(BaseModel):
    """What ``refine_results`` wrote."""

    failed_items: int
    refine_file: str | None
    markdown_file: str | None
    harvested: int
    harvest_file: str | None


def _fenced(code: str | None, raw: str) -> str:
    return f"```c\n{code.rstrip()}\n```" if code else raw


def refinement_record(first: ResultLine, samples: Sequence[ResultLine], answer: str, **extra: object) -> Record:
    """The refinement record of an item: its question and context, ``answer`` as the answer, and in
    ``metadata.refine`` the provider, ``first``'s verdict and feedback, every sample's verdict and the
    expected answer (``extra`` adds keys to ``metadata.refine``)."""
    metadata = {
        **first.record.metadata,
        "refine": {
            "provider": first.provider, "verdict": first.verdict, "feedback": first.feedback,
            "verdicts": [s.verdict for s in samples], "expected_answer": first.record.answer, **extra,
        },
    }
    return Record(question=first.record.question, context=first.record.context, answer=answer,
                  system=first.record.system, id=first.item_id, metadata=metadata)


def failed_records(lines: Sequence[ResultLine]) -> list[tuple[Record, ResultLine]]:
    """One refinement record per item with no passing sample (its first sample's answer to correct)."""
    out = []
    for samples in group_by_item(lines).values():
        if any(s.passed for s in samples):
            continue
        first = samples[0]
        out.append((refinement_record(first, samples, _fenced(first.code, first.raw_output)), first))
    return out


def harvested_records(lines: Sequence[ResultLine], min_speedup: float) -> list[Record]:
    """Per item, the passing sample with the best measured speedup if it reaches ``min_speedup`` (0: any passing sample)."""
    out = []
    for item_id, samples in group_by_item(lines).items():
        passing = [s for s in samples if s.passed and s.code and s.check_mode == "execution"]
        if not passing:
            continue
        best = max(passing, key=lambda s: max(s.speedup.values(), default=0.0))
        speedup = max(best.speedup.values(), default=None)
        if min_speedup > 0 and (speedup is None or speedup < min_speedup):
            continue
        metadata = {**best.record.metadata, "harvest": {"provider": best.provider, "sample": best.sample, "speedup": best.speedup}}
        out.append(Record(question=best.record.question, context=best.record.context, answer=_fenced(best.code, best.raw_output),
                          system=best.record.system, id=item_id, metadata=metadata))
    return out


def refine_markdown(items: list[tuple[Record, ResultLine]]) -> str:
    """The expert's view: per failed item, the sequential code, the model's answer, the verdict and feedback, a rating template."""
    parts = [f"# Refinement: {len(items)} failed item(s)", ""]
    for record, line in items:
        parts += [
            f"## {record.id} ({line.domain or 'other'}): {line.verdict}", "",
            "### Question", "", record.question.strip(), "",
            "### Model answer", "", record.answer.strip(), "",
            "### Harness feedback", "", "```text", (line.feedback or line.verdict).strip(), "```", "",
            RATING_TEMPLATE,
        ]
    return "\n".join(parts)


def refine_results(
    lines: Sequence[ResultLine],
    out: str | Path,
    *,
    markdown: str | Path | None = None,
    harvest: str | Path | None = None,
    min_speedup: float = 1.0,
    force: bool = False,
) -> RefineOutcome:
    """Write the refinement dataset (``out``) and its Markdown view, and optionally harvested examples.

    Files with nothing to hold (no failed item, nothing harvested) are not written.
    """
    if not lines:
        raise ChathpcError("the results hold no lines")
    targets = [Path(p) for p in (out, markdown, harvest) if p is not None]
    if len(set(targets)) != len(targets):
        raise ChathpcError("the refinement, Markdown and harvest files must be different paths")
    for path in targets:
        refuse_existing(path, force)
    failed = failed_records(lines)
    if failed:
        save_records([r for r, _ in failed], out, overwrite=force)
        if markdown is not None:
            atomic_write_text(markdown, refine_markdown(failed), overwrite=force)
    harvested = harvested_records(lines, min_speedup) if harvest is not None else []
    if harvested:
        save_records(harvested, harvest, overwrite=force)
    return RefineOutcome(
        failed_items=len(failed),
        refine_file=str(out) if failed else None,
        markdown_file=str(markdown) if failed and markdown is not None else None,
        harvested=len(harvested),
        harvest_file=str(harvest) if harvested else None,
    )

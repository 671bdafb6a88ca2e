"""What an item is checked against (``ItemCheck``: one type for evaluation and the GRPO reward), how an
answer becomes the program to check (``answer_program``) and the text match of items without a program."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel, Field

from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.harness.languages import LANGUAGE_NAMES
from chathpc.harness.program import ProgramOptions
from chathpc.tasks.kinds import kind_of
from chathpc.tasks.template import AnswerTemplate


class ItemCheck(BaseModel):
    """How one item is checked: against a sequential program (execution) or by text."""

    mode: str = Field(description="execution, text, or prompt (no program and no expected answer: nothing to check)")
    sequential: str | None = None
    args: list[list[str]] | None = None
    perf_args: list[str] | None = None
    rtol: float | None = None
    atol: float | None = None
    task: str | None = None
    domain: str | None = None
    options: ProgramOptions | None = Field(None, description="Language, extra files, filters, time pattern (default: one C file)")
    template: AnswerTemplate | None = Field(None, description="The answer is a function assembled into this program")
    kind: str | None = Field(None, description="The record's assistant kind (metadata.kind), if it names one")
    target: str | None = Field(None, description="The target answers are checked as (metadata.target; None: the run's harness.target)")
    baseline: str | None = Field(None, description="An optimization's input program: the answer must beat it (harness.optimize_margin)")


def record_target(record: Record) -> str | None:
    """The target a record's answers are checked as: its ``metadata.target`` (a kind's record), else None."""
    from chathpc.harness.targets import TARGET_NAMES

    target = (record.metadata or {}).get("target")
    if target is not None and target not in TARGET_NAMES:
        raise ChathpcError(f"item {record.id or '(no id)'}: metadata.target {target!r} is not one of {', '.join(TARGET_NAMES)}")
    return target


def records_target(records: Sequence[Record], default: str) -> str:
    """The run's target for a set of records: the target their kind names (``metadata.target``) when every record
    names the same one, else ``default`` (harness.target, what records without a kind are checked at); a kind's
    item is checked at its own target either way."""
    targets = {record_target(record) for record in records}
    return targets.pop() or default if len(targets) == 1 else default


def item_check(record: Record, tasks: dict[str, Any], target: str = "mpi") -> ItemCheck:
    """The sequential program and arguments an item is checked against (see module docs); a record of an assistant
    kind (``metadata.kind``) is checked at its kind's target, an optimization record also against its input program
    (``baseline``: the task's variant ``metadata.variant``, or outside the suite the question's program, with the
    sequential program in ``metadata.sequential``). For a target other than the task's own (mpi, or a function-answer
    task's ``answer.target``) a suite task's answer is a whole program (no function template)."""
    meta = record.metadata or {}
    kind = kind_of(record)
    target = record_target(record) or (kind.target if kind is not None else target)
    named = {"kind": kind.name if kind is not None else None, "target": target if kind is not None else None}
    task = tasks.get(meta.get("task")) if isinstance(meta.get("task"), str) else None
    if task is not None:
        own = target == (task.answer_target or "mpi")  # the task's own answers: through its template, if it has one
        baseline = None
        if kind is not None and kind.optimizes:
            baseline = task.solutions(target).get(str(meta.get("variant")))
            if baseline is None:
                raise ChathpcError(f"item {record.id or '(no id)'}: task {task.id} has no {target} variant {meta.get('variant')!r}")
        return ItemCheck(
            mode="execution", sequential=task.seq_source, args=task.args, perf_args=task.perf_args,
            rtol=task.rtol, atol=task.atol, task=task.id, domain=task.domain,
            options=task.options if own else task.program("", target)[1], template=task.template if own else None,
            baseline=baseline, **named,
        )
    domain = meta.get("domain") if isinstance(meta.get("domain"), str) else None
    from chathpc.extract import program_language, question_program

    program = question_program(record.question)
    baseline = None
    if kind is not None and kind.input != "sequential":  # the question shows a parallel program, not the reference
        baseline = program if kind.optimizes else None
        program = meta.get("sequential") if isinstance(meta.get("sequential"), str) else None
    if program is None:  # no program: compare with the expected answer, or with none (a prompt) keep the answer unchecked
        return ItemCheck(mode="text" if record.answer.strip() else "prompt", domain=domain, task=meta.get("task"), **named)
    language = meta["language"] if "language" in meta else program_language(program)
    if language not in LANGUAGE_NAMES:
        raise ChathpcError(f"item {record.id or '(no id)'}: metadata.language {language!r} is not one of {', '.join(LANGUAGE_NAMES)}")
    args = meta.get("args")
    perf_args = meta.get("perf_args")
    return ItemCheck(
        mode="execution",
        sequential=program,
        args=[[str(a) for a in argset] for argset in args] if isinstance(args, list) and args else None,
        perf_args=[str(a) for a in perf_args] if isinstance(perf_args, list) and perf_args else None,
        domain=domain,
        task=meta.get("task") if isinstance(meta.get("task"), str) else None,
        options=ProgramOptions(language=language) if language != "c" else None,
        baseline=baseline, **named,
    )


def normalized_text(text: str) -> str:
    """An answer reduced for text matching: the code of its first fenced block (or all of it), tokenized."""
    from chathpc.extract import code_blocks
    from chathpc.tasks import normalize_code

    blocks = code_blocks(text)
    return normalize_code(blocks[0][1] if blocks else text)


def suite_tasks(records: Sequence[Record], root: str | Path | None = None) -> dict[str, Any]:
    """The suite's tasks by id (of ``root``, default the built-in suite) when a record names one, else {}."""
    if not any(isinstance((r.metadata or {}).get("task"), str) for r in records):
        return {}
    from chathpc.tasks import load_suite

    return {task.id: task for task in load_suite(root=root)}


def item_id(record: Record, index: int) -> str:
    """The record's id, or ``item<index>``."""
    return record.id if record.id else f"item{index}"


def answer_program(raw: str, item: ItemCheck, marker: str | None) -> str | None:
    """The program an answer stands for: its code (in the item's language), or for an item whose answer is a
    function, the program the item's template assembles around it; None when the answer holds no code."""
    from chathpc.extract import answer_code, extract_code

    if item.template is not None:
        return item.template.assemble(answer_code(raw, marker))
    return extract_code(raw, marker=marker, language=item.options.language if item.options is not None else "c")

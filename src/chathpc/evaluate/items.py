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


def item_check(record: Record, tasks: dict[str, Any], target: str = "mpi") -> ItemCheck:
    """The sequential program and arguments an item is checked against (see module docs); for a target other
    than the task's own (mpi, or a function-answer task's ``answer.target``) a suite task's answer is a whole
    program (no function template)."""
    meta = record.metadata or {}
    task = tasks.get(meta.get("task")) if isinstance(meta.get("task"), str) else None
    if task is not None:
        own = target == (task.answer_target or "mpi")  # the task's own answers: through its template, if it has one
        return ItemCheck(
            mode="execution", sequential=task.seq_source, args=task.args, perf_args=task.perf_args,
            rtol=task.rtol, atol=task.atol, task=task.id, domain=task.domain,
            options=task.options if own else task.program("", target)[1], template=task.template if own else None,
        )
    domain = meta.get("domain") if isinstance(meta.get("domain"), str) else None
    from chathpc.extract import program_language, question_program

    program = question_program(record.question)
    if program is None:  # no program: compare with the expected answer, or with none (a prompt) keep the answer unchecked
        return ItemCheck(mode="text" if record.answer.strip() else "prompt", domain=domain, task=meta.get("task"))
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

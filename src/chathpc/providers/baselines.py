"""Baseline providers that read the record instead of the prompt.

- ``reference`` answers with the expert MPI solution of the task the request comes from: the
  upper bound of every comparison, and a way to test the pipeline end to end.
- ``sequential`` answers with the sequential program unchanged: the "did nothing" baseline,
  which the harness must reject as ``not_mpi``.

Both answer in a ```` ```c ```` fence, like a model would.
"""

from __future__ import annotations

from functools import lru_cache

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest, Provider


def fenced(code: str) -> str:
    """``code`` in a ```` ```c ```` block."""
    return f"```c\n{code.rstrip()}\n```\n"


@lru_cache(maxsize=1)
def _suite_by_sequential() -> dict[str, str]:
    """Suite task ids by their normalized seq.c (comments and whitespace removed)."""
    from chathpc.tasks import load_suite, normalize_code

    return {normalize_code(task.seq_source): task.id for task in load_suite()}


def sequential_source_of(record: Record) -> str:
    """The sequential program a record asks about: its task's seq.c, else the first program in the question."""
    from chathpc.extract import question_program

    task = _builtin_task(record)
    if task is not None:
        return task.seq_source
    program = question_program(record.question)
    if program is not None:
        return program
    raise ChathpcError(f"item {record.id or '(no id)'}: the question holds no C program to answer with")


def _builtin_task(record: Record):
    """The built-in suite task ``metadata.task`` names; None without one. A name the built-in suite lacks
    (a task of another task directory, ``--tasks``) is an error only for records without a question program
    or answer to fall back on."""
    from chathpc.tasks import get_task
    from chathpc.tasks.loader import TaskError

    task_id = record.metadata.get("task")
    if not task_id:
        return None
    try:
        return get_task(str(task_id))
    except TaskError:
        if record.answer.strip():
            return None
        raise


def suite_task_for(record: Record) -> str | None:
    """The id of the suite task a record comes from (its metadata, or a suite seq.c equal to its program)."""
    if record.metadata.get("task"):
        return str(record.metadata["task"])
    try:
        source = sequential_source_of(record)
    except ChathpcError:
        return None
    from chathpc.tasks import normalize_code

    return _suite_by_sequential().get(normalize_code(source))


class ReferenceProvider(Provider):
    """Answers with the expert solution of the request's task (of ``harness.target``)."""

    name = "reference"

    @classmethod
    def from_spec(cls, name: str | None, config: RunConfig) -> "ReferenceProvider":
        if name:
            raise ChathpcError(f"model spec 'reference:{name}': the reference provider takes no name")
        provider = cls()
        provider.target = config.harness.target
        return provider

    target = "mpi"  # the programming model answered in (harness.target)

    def answer(self, record: Record) -> str:
        """The expert solution of ``target`` (a kind's record: its ``metadata.target``) for one record, fenced (for another target than mpi: the record's
        answer, which carries the task's solution of that target, when the built-in task has none)."""
        task = _builtin_task(record)
        target = record.metadata.get("target") or self.target  # a kind's record names its own target
        solution = task.solutions(target).get("reference") if task is not None else None
        if solution is not None:
            return fenced(solution)
        if record.answer.strip():
            return record.answer
        if target != "mpi":
            raise ChathpcError(f"reference provider: item {record.id or '(no id)'} has no {target} solution")
        task_id = suite_task_for(record)
        if task_id is None:
            raise ChathpcError(
                f"reference provider: item {record.id or '(no id)'} is not a suite task (no metadata.task, no answer, "
                "and its program matches no suite seq.c), so there is no expert solution"
            )
        from chathpc.tasks import get_task

        return fenced(get_task(task_id).mpi_source)

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        return [[self.answer(request.record)] * n for request in requests]


class SequentialProvider(Provider):
    """Answers with the sequential program unchanged."""

    name = "sequential"

    @classmethod
    def from_spec(cls, name: str | None, config: RunConfig) -> "SequentialProvider":
        if name:
            raise ChathpcError(f"model spec 'sequential:{name}': the sequential provider takes no name")
        return cls()

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        return [[fenced(sequential_source_of(request.record))] * n for request in requests]

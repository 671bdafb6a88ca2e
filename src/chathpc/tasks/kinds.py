"""Assistant kinds: each a context with its own request wording, datasets exported from the suite, and a check.

A kind says what the question shows (``input``), which target the answer is written for (``target``), the context
a record carries (it names the job in the system text) and how an answer is checked:

- ``sequential``: the task's sequential program; the answer is checked against it at the target's configurations
  (``mpi``, ``openmp``, ``kokkos``, ``hybrid``);
- ``solution``: the expert solution of ``input_target`` (portability: ``openmp-to-kokkos``, ``mpi-to-hybrid``); the
  answer is checked against the sequential program at the output target's configurations;
- ``variant``: a correct but slower solution of the target (the suite's ``variants/``: ``optimize-*``); the answer is
  checked against the sequential program and timed beside its input in the same rounds: it must be
  ``harness.optimize_margin`` times faster (default 1.1) at the largest timed configuration (``not_faster`` otherwise).

Records of every kind but ``mpi`` carry ``metadata.kind`` and ``metadata.target`` (evaluation checks them at that
target); an optimization record also names its input (``metadata.variant``). The ``mpi`` records are the shipped
datasets as they always were (``Task.to_record``), which ``--target`` may still retarget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chathpc.data.records import Record
from chathpc.errors import ChathpcError
from chathpc.tasks.loader import (
    CONTEXT,
    FENCE_TAGS,
    TARGET_TITLES,
    Task,
    optimization_question,
    portability_question,
    translation_question,
)

Input = Literal["sequential", "solution", "variant"]


@dataclass(frozen=True)
class AssistantKind:
    """One assistant kind (see the module docs)."""

    name: str
    input: Input
    target: str
    context: str
    input_target: str | None = None

    @property
    def optimizes(self) -> bool:
        """Whether answers must also be faster than their input (an optimization kind)."""
        return self.input == "variant"

    @property
    def source_target(self) -> str | None:
        """The target of the program the question shows (None: the sequential program)."""
        return None if self.input == "sequential" else self.input_target or self.target

    @property
    def check(self) -> str:
        """How an answer of this kind is checked, in words."""
        where = f"at the {self.target} configurations"
        if self.optimizes:
            return (f"same output as the sequential program {where}, and at least harness.optimize_margin (1.1x) "
                    f"faster than the input program at the largest timed configuration")
        return f"same output as the sequential program {where}"

    def question(self, program: str, language: str = "c") -> str:
        """The request for ``program`` (the sequential program, or the input solution or variant)."""
        if self.input == "sequential":
            return translation_question(program, language, self.target)
        if self.input == "solution":
            return portability_question(program, self.input_target or "", self.target, language)
        return optimization_question(program, self.target, language)

    def records(self, task: Task) -> list[Record]:
        """The task's records of this kind: one per input the task has (none when it lacks the target's solution,
        the input target's solution, or, for an optimization kind, variants)."""
        if self.name == "mpi":
            return [task.to_record()]
        answer = task.solutions(self.target).get("reference")
        if answer is None:
            return []
        if self.input == "sequential":
            return [self._record(task, task.question(self.target), answer)]
        if self.input == "solution":
            source = task.solutions(self.input_target or "").get("reference")
            if source is None:
                return []
            return [self._record(task, self.question(source, language(task, self.input_target or "")), answer)]
        variants = {name: source for name, source in task.solutions(self.target).items() if name != "reference"}
        return [self._record(task, self.question(source, language(task, self.target)), answer, variant=name)
                for name, source in variants.items()]

    def _record(self, task: Task, question: str, answer: str, *, variant: str | None = None) -> Record:
        fence = FENCE_TAGS[language(task, self.target)]
        metadata = {
            "task": task.id, "domain": task.domain, "split": task.split, "args": task.args, "perf_args": task.perf_args,
            "kind": self.name, "target": self.target,
            **({"variant": variant} if variant is not None else {}),
            **({"language": task.options.language} if task.options.language != "c" else {}),
        }
        return Record(question=question, context=self.context, answer=f"```{fence}\n{answer.rstrip()}\n```",
                      id=task.id if variant is None else f"{task.id}.{variant}", metadata=metadata)


def language(task: Task, target: str) -> str:
    """The language of the task's programs of ``target`` (Kokkos programs are C++)."""
    return "cxx" if target == "kokkos" else task.options.language


def _translation(target: str) -> AssistantKind:
    context = CONTEXT if target == "mpi" else f"Sequential to {TARGET_TITLES[target]} translation"
    return AssistantKind(target, "sequential", target, context)


def _optimization(target: str) -> AssistantKind:
    return AssistantKind(f"optimize-{target}", "variant", target, f"{TARGET_TITLES[target]} optimization", target)


KINDS: dict[str, AssistantKind] = {
    kind.name: kind for kind in (
        _translation("mpi"), _translation("openmp"), _translation("kokkos"), _translation("hybrid"),
        AssistantKind("openmp-to-kokkos", "solution", "kokkos", "OpenMP to Kokkos translation", "openmp"),
        AssistantKind("mpi-to-hybrid", "solution", "hybrid", "MPI to MPI and OpenMP translation", "mpi"),
        _optimization("mpi"), _optimization("openmp"), _optimization("kokkos"), _optimization("hybrid"),
    )
}
"""Every assistant kind by name, in the order they are listed."""

KIND_NAMES: tuple[str, ...] = tuple(KINDS)


def get_kind(name: str) -> AssistantKind:
    """The kind called ``name``; an unknown name is one clear error listing the kinds."""
    if name not in KINDS:
        raise ChathpcError(f"unknown assistant kind '{name}' (choose from {', '.join(KIND_NAMES)})")
    return KINDS[name]


def kind_of(record: Record) -> AssistantKind | None:
    """The kind a record says it is (``metadata.kind``), None when it names none."""
    name = (record.metadata or {}).get("kind")
    return get_kind(name) if isinstance(name, str) else None

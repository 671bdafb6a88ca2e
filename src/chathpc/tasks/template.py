"""Answer templates: tasks whose answer is one function, assembled into a whole candidate program.

A task with ``answer:`` in its task.yaml (ParEval's problems, imported by ``chathpc pareval import``)
asks for a function, not a program. ``AnswerTemplate.assemble`` builds the candidate: the template
program with the line ``// chathpc:answer`` replaced by the answer between ``ANSWER_BEGIN`` and
``ANSWER_END`` lines. The answer may be the function's body (prompt style: the prompt, which ends with
the signature and ``{``, is put before it) or the whole function (the prompt's text before the
signature, its includes and helper definitions, is put before it). Such tasks judge "not MPI" by the answer
(``ProgramOptions.mpi_rule="answer_calls_mpi"``): the template's driver initializes MPI anyway.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chathpc.harness.languages import strip_c_comments_and_strings
from chathpc.harness.program import ANSWER_BEGIN, ANSWER_END

MARKER = "// chathpc:answer"


class AnswerTemplate(BaseModel):
    """How a function answer becomes a candidate program (see the module docs)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    program: str = Field(description="The candidate program with a line '// chathpc:answer' where the answer goes")
    prompt: str = Field(description="The code shown to the model; it ends with the function's signature and '{'")
    function: str = Field(description="Name of the function the answer implements")

    @field_validator("program")
    @classmethod
    def _has_marker(cls, value: str) -> str:
        if sum(line.strip() == MARKER for line in value.splitlines()) != 1:
            raise ValueError(f"the template program must hold the line '{MARKER}' exactly once")
        return value

    def _signature_start(self) -> int:
        lines = self.prompt.rstrip().splitlines()
        return len("\n".join(lines[:-1])) if lines else 0

    def assemble(self, answer: str) -> str | None:
        """The candidate program for ``answer`` (a body or the whole function); None for an empty answer."""
        code = answer.strip("\n")
        if not code.strip():
            return None
        whole = re.search(rf"\b{re.escape(self.function)}\s*\([^;{{]*\)[^;{{]*\{{", strip_c_comments_and_strings(code))
        if whole:
            inserted = self.prompt[: self._signature_start()].rstrip() + "\n\n" + code
        else:
            inserted = self.prompt.rstrip() + "\n" + code
        block = f"{ANSWER_BEGIN}\n{inserted.rstrip()}\n{ANSWER_END}"
        return "\n".join(block if line.strip() == MARKER else line for line in self.program.splitlines()) + "\n"


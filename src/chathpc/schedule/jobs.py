"""One check job: what is checked, its content hash, and its outcome as JSON (for job steps)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.harness import CheckResult, ReferenceProgramError
from chathpc.harness.program import ProgramOptions


class CheckJob(BaseModel):
    """A candidate to check against its sequential program, with the keyword arguments of ``harness.check``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sequential: str
    candidate: str
    args: list[list[str]] | None = Field(None, description="Argument sets (default: one set, no arguments)")
    perf: bool = Field(False, description="Also time the candidate when it passes")
    perf_args: list[str] | None = Field(None, description="Arguments of the timing runs (default: the last set)")
    rtol: float | None = None
    atol: float | None = None
    keep: bool = False
    options: ProgramOptions | None = Field(None, description="Language, extra files, defines, filters, time pattern (default: one C file)")
    baseline: str | None = Field(None, description="The input of an optimization: timed beside the candidate, which must beat it (needs perf)")

    def key(self, config: HarnessConfig) -> str:
        """Content hash of everything that decides the result: the programs, arguments and settings
        (``harness.jobs`` only sets how a check runs, not what it finds)."""
        payload = [self.model_dump(mode="json"), config.model_dump(mode="json", exclude={"jobs"})]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def timing_args(self) -> list[str]:
        """The arguments the timing runs use."""
        if self.perf_args is not None:
            return list(self.perf_args)
        return list(self.args[-1]) if self.args else []


Outcome = CheckResult | ChathpcError
"""What a job ends with: its result, or the error ``check`` raised (a failing sequential program)."""


def outcome_to_json(outcome: Outcome) -> dict[str, Any]:
    """An outcome as JSON (how a job step hands it back)."""
    if isinstance(outcome, CheckResult):
        return {"result": outcome.model_dump(mode="json")}
    kind = "reference" if isinstance(outcome, ReferenceProgramError) else "error"
    return {kind: str(outcome)}


def outcome_from_json(data: dict[str, Any]) -> Outcome:
    """The inverse of ``outcome_to_json``."""
    if "result" in data:
        return CheckResult.model_validate(data["result"])
    if "reference" in data:
        return ReferenceProgramError(data["reference"])
    return ChathpcError(data["error"])

"""Repair data: every bug class fails the harness; the record is parallelize's repair turn, exactly."""

from __future__ import annotations

import random

import pytest

from chathpc.assist.parallelize import parallelize
from chathpc.config import GenerationConfig, HarnessConfig, RunConfig
from chathpc.data import load_records, load_template, render_prompt
from chathpc.data.records import save_records
from chathpc.providers import GenerationRequest, Provider
from chathpc.schedule import CheckJob, Scheduler
from chathpc.synth.families import FAMILIES, Pair
from chathpc.synth.mutations import MUTATIONS, missing_include
from chathpc.synth.repair import make_repairs, repair_example

FAST_HARNESS = HarnessConfig(timeout=6)


def _pair_for(mutation: str) -> tuple[Pair, str]:
    """The first generated pair (over families and seeds) the mutation applies to, and its mutant."""
    for seed in range(6):
        for name, family in FAMILIES.items():
            pair = family.make(random.Random(f"repair:{name}:{seed}"))
            mutant = MUTATIONS[mutation](pair.mpi, random.Random(0))
            if mutant is not None and mutant != pair.mpi:
                return pair, mutant
    raise AssertionError(f"{mutation} applies to no generated program")


@pytest.mark.mpi
@pytest.mark.slow
def test_every_bug_class_fails_the_harness():
    assert len(MUTATIONS) >= 8
    chosen = {name: _pair_for(name) for name in MUTATIONS}
    jobs = [CheckJob(sequential=pair.sequential, candidate=mutant, args=pair.args) for pair, mutant in chosen.values()]
    results = Scheduler(FAST_HARNESS).check_all(jobs)
    passed = [name for name, result in zip(chosen, results) if result.passed]
    assert not passed


class _Answers(Provider):
    """Answers with fixed programs in turn and keeps every prompt it was sent (not a model under test)."""

    name = "fixed-answers"

    def __init__(self, programs: list[str]) -> None:
        self.programs, self.prompts = list(programs), []

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        out = []
        for request in requests:
            self.prompts.append(request.prompt)
            out.append([f"```c\n{self.programs.pop(0)}```"] * n)
        return out

    def stream(self, request, gen):  # pragma: no cover - not used
        raise NotImplementedError


@pytest.mark.mpi
def test_repair_record_is_parallelizes_repair_turn(tmp_path):
    pair = FAMILIES["map"].make(random.Random("render"))
    mutant = missing_include(pair.mpi, random.Random(0))
    config = RunConfig(harness=HarnessConfig(ranks=[1, 2]))
    provider = _Answers([mutant, pair.mpi])
    result = parallelize(pair.sequential, provider, config, samples=1, repair_rounds=1, args=pair.args)
    assert result.passed and len(provider.prompts) == 2
    example = repair_example(pair.sequential, mutant, pair.mpi, result.candidates[0].check)
    template = load_template(config.data.template, config.data.system)
    assert render_prompt(example, template) == provider.prompts[1]
    assert example.answer == f"```c\n{pair.mpi.rstrip()}\n```"


@pytest.mark.mpi
@pytest.mark.slow
def test_make_repairs_keeps_only_failing_mutants(tmp_path):
    from chathpc.synth.engine import SynthLine, record_of

    pair = FAMILIES["stencil1d"].make(random.Random("repairs"))
    line = SynthLine(index=0, family=pair.family, kind=pair.kind, params=pair.params, seq_hash="x", status="pass", verdict="pass",
                     nearest_task="copy", similarity=0.1, args=pair.args, ranks=[1, 2, 3, 4], sequential=pair.sequential, program=pair.mpi)
    save_records([record_of(line, 0)], tmp_path / "src.jsonl")
    stats = make_repairs(tmp_path / "src.jsonl", tmp_path / "out", per_pair=3, harness=FAST_HARNESS)
    records = load_records(tmp_path / "out" / "dataset.jsonl")
    assert stats["mutants"] == 3 and len(records) == stats["kept"] >= 1
    for record in records:
        assert record.metadata["verdict"] != "pass" and record.metadata["bug_class"] in MUTATIONS
        assert "Verification result: " in record.question and record.answer == f"```c\n{pair.mpi.rstrip()}\n```"

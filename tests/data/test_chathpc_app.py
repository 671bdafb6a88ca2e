"""ChatHPC-app datasets load as published: YAML with Question/Answer/Context block scalars (ChatHPC for Kokkos),
JSON with prompt/response/context (ChatHPC-app's test files), test items with ``code`` and no answer (prompts)."""

from __future__ import annotations

from pathlib import Path

from chathpc.cli import main
from chathpc.data import load_records
from chathpc.evaluate.items import item_check

FIXTURES = Path(__file__).parent / "fixtures"


def test_yaml_with_capitalized_keys_and_block_scalars():
    records = load_records(FIXTURES / "chathpc-kokkos.yaml")
    # block scalars keep their last newline, as ChatHPC-app reads them (the loader is lossless)
    assert [r.context for r in records] == ["OpenMP to Kokkos translation\n", "Sequential to Kokkos parallelization\n"]
    assert records[0].question.startswith("Can you translate this OpenMP code to Kokkos?\n#pragma omp parallel for")
    assert records[1].answer.startswith("Kokkos::parallel_reduce(") and records[1].answer.endswith("}, total);\n")


def test_json_with_prompt_response_keys():
    records = load_records(FIXTURES / "chathpc-app.json")
    assert len(records) == 2 and records[0].context == "Sequential to OpenMP translation"
    assert records[0].answer.startswith("```c\n#pragma omp parallel for")
    assert (records[1].question, records[1].answer) == ("Line one\nLine two", "First\nSecond")


def test_test_items_without_answers_are_prompts():
    question, code, upper = load_records(FIXTURES / "chathpc-test.json")
    assert question.answer == "" and question.question == "Can you parallelize this sequential code to MPI?"
    assert code.question.startswith("int n = 64;\nfloat *u") and code.answer == ""
    assert (upper.question, upper.context, upper.answer) == ("What does MPI_Allreduce do?", "MPI questions", "")


def test_fragments_are_not_checkable_by_execution():
    # their questions hold loops, not programs: an evaluation can only compare text, or with no expected
    # answer keep the model's answer unchecked (see docs/data.md)
    for name in ("chathpc-kokkos.yaml", "chathpc-app.json"):
        for record in load_records(FIXTURES / name):
            assert item_check(record, {}).mode == "text"
    assert [item_check(r, {}).mode for r in load_records(FIXTURES / "chathpc-test.json")] == ["prompt"] * 3


def test_data_verbs_read_and_convert_them(tmp_path, capsys):
    assert main(["data", "validate", str(FIXTURES / "chathpc-kokkos.yaml")]) == 0
    assert main(["data", "stats", str(FIXTURES / "chathpc-test.json")]) == 0
    assert "3 items, 3 without an answer" in capsys.readouterr().out
    out = tmp_path / "kokkos.jsonl"
    assert main(["data", "convert", str(FIXTURES / "chathpc-kokkos.yaml"), str(out)]) == 0
    assert load_records(out) == load_records(FIXTURES / "chathpc-kokkos.yaml")

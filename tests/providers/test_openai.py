"""The openai provider against a small OpenAI-compatible HTTP server on loopback (real HTTP, real client)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import Record
from chathpc.errors import ChathpcError
from chathpc.providers import GenerationRequest, get_provider

KEY_ENV = "CHATHPC_TEST_OPENAI_KEY"


class Endpoint:
    """A scripted chat-completions endpoint: each request takes the next behaviour (then 'ok')."""

    def __init__(self) -> None:
        self.behaviours: list[str] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.ignore_n = False
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:  # the client gave up (timeout test)
                    pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(body)
                endpoint.headers.append({"authorization": self.headers.get("Authorization")})
                behaviour = endpoint.behaviours.pop(0) if endpoint.behaviours else "ok"
                if self.path != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                if behaviour == "429":
                    return self._json(429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}}, {"retry-after-ms": "20"})
                if behaviour == "401":
                    return self._json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
                if behaviour == "404":
                    return self._json(404, {"error": {"message": f"The model {body['model']} does not exist", "type": "invalid_request_error"}})
                if behaviour == "slow":
                    time.sleep(2.0)
                prompt = body["messages"][-1]["content"]
                n = 1 if endpoint.ignore_n else body.get("n", 1)
                answers = [f"answer {len(endpoint.requests)}.{i} to {prompt[-12:]}" for i in range(n)]
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for piece in ["```c\n", "int main(void) {", " return 0; }\n", "```"]:
                        chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                                 "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                        self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                self._json(200, {
                    "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                                for i, text in enumerate(answers)],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-test-key")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    server = Endpoint()
    yield server
    server.close()


def config_for(url: str, **model) -> RunConfig:
    return RunConfig(model={"provider": "openai", "base": "tiny-chat", "base_url": url, "api_key_env": KEY_ENV,
                            "request_timeout": 5.0, "max_retries": 2, **model})


REQUEST = GenerationRequest(prompt="### Question:\nParallelize it\n\n### Answer:\n", record=Record(question="Parallelize it"))


def test_samples_send_the_rendered_prompt_and_settings(endpoint):
    provider = get_provider("openai:my-model", config_for(endpoint.url))
    assert provider.name == "openai:my-model"
    gen = GenerationConfig(temperature=0.7, top_p=0.9, max_new_tokens=64, seed=5)
    answers = provider.generate([REQUEST, REQUEST], 3, gen)
    assert [len(a) for a in answers] == [3, 3]
    assert answers[0] == [f"answer 1.{i} to ### Answer:\n" for i in range(3)]
    sent = endpoint.requests[0]
    assert sent["model"] == "my-model"
    assert sent["messages"] == [{"role": "user", "content": REQUEST.prompt}]
    assert (sent["n"], sent["temperature"], sent["top_p"], sent["max_tokens"], sent["seed"]) == (3, 0.7, 0.9, 64, 5)
    assert endpoint.headers[0]["authorization"] == "Bearer sk-test-key"


def test_greedy_asks_once_and_a_server_ignoring_n_is_asked_again(endpoint):
    provider = get_provider("openai", config_for(endpoint.url))
    assert provider.generate([REQUEST], 2, GenerationConfig(temperature=0.0))[0] == ["answer 1.0 to ### Answer:\n"] * 2
    assert len(endpoint.requests) == 1 and "n" not in endpoint.requests[0] and endpoint.requests[0]["model"] == "tiny-chat"
    endpoint.ignore_n = True
    answers = provider.generate([REQUEST], 3, GenerationConfig(temperature=1.0, seed=1))[0]
    assert len(answers) == 3 and len(set(answers)) == 3
    assert [r["seed"] for r in endpoint.requests[1:]] == [1, 2, 3]


def test_rate_limit_is_retried_with_back_off(endpoint):
    endpoint.behaviours = ["429", "429"]
    provider = get_provider("openai:m", config_for(endpoint.url))
    assert provider.generate([REQUEST], 1, GenerationConfig())[0][0].startswith("answer 3.0")
    assert len(endpoint.requests) == 3


def test_rate_limit_beyond_the_retries_is_one_line_error(endpoint):
    endpoint.behaviours = ["429"] * 3
    provider = get_provider("openai:m", config_for(endpoint.url, max_retries=1))
    with pytest.raises(ChathpcError, match=r"rate limited \(429\) after 1 retries"):
        provider.generate([REQUEST], 1, GenerationConfig())
    assert len(endpoint.requests) == 2


def test_unauthorized_is_not_retried_and_names_the_key_variable(endpoint):
    endpoint.behaviours = ["401"]
    provider = get_provider("openai:m", config_for(endpoint.url))
    with pytest.raises(ChathpcError, match=rf"authentication failed \(401\): check {KEY_ENV}") as info:
        provider.generate([REQUEST], 1, GenerationConfig())
    assert "\n" not in str(info.value) and len(endpoint.requests) == 1


def test_unknown_model_is_a_404_error(endpoint):
    endpoint.behaviours = ["404"]
    with pytest.raises(ChathpcError, match=r"not found \(404\): no model 'nope'.*does not exist"):
        get_provider("openai:nope", config_for(endpoint.url)).generate([REQUEST], 1, GenerationConfig())


def test_slow_response_times_out(endpoint):
    endpoint.behaviours = ["slow"]
    provider = get_provider("openai:m", config_for(endpoint.url, request_timeout=0.3, max_retries=0))
    with pytest.raises(ChathpcError, match=r"no answer within 0.3 s \(model.request_timeout\)"):
        provider.generate([REQUEST], 1, GenerationConfig())


def test_streaming_yields_chunks(endpoint):
    provider = get_provider("openai:m", config_for(endpoint.url))
    chunks = list(provider.stream(REQUEST, GenerationConfig()))
    assert chunks == ["```c\n", "int main(void) {", " return 0; }\n", "```"]
    assert endpoint.requests[0]["stream"] is True


def test_connection_refused_is_one_line_error(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "sk-test-key")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = get_provider("openai:m", config_for(f"http://127.0.0.1:{port}/v1", max_retries=0))
    with pytest.raises(ChathpcError, match=rf"127.0.0.1:{port}/v1: cannot connect"):
        provider.generate([REQUEST], 1, GenerationConfig())


def test_missing_key_without_endpoint_is_an_error_and_custom_endpoint_needs_none(monkeypatch, endpoint):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(ChathpcError, match=f"no API key: set {KEY_ENV}"):
        get_provider("openai:m", config_for(None))
    provider = get_provider("openai:m", config_for(endpoint.url))
    provider.generate([REQUEST], 1, GenerationConfig())
    assert endpoint.headers[0]["authorization"].startswith("Bearer ")


def test_base_url_from_the_environment(monkeypatch, endpoint):
    monkeypatch.setenv("OPENAI_BASE_URL", endpoint.url)
    provider = get_provider("openai:m", config_for(None))
    assert provider.generate([REQUEST], 1, GenerationConfig())[0][0].startswith("answer 1.0")

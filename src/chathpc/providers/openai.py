"""``openai:MODEL``: any OpenAI-compatible endpoint through the official ``openai`` client.

OpenAI itself, a vLLM server, Ollama or a llama.cpp server. The endpoint is ``model.base_url``,
else ``OPENAI_BASE_URL`` as the client reads it; the key is read from the variable named by
``model.api_key_env`` (a custom endpoint without a key gets a placeholder, since local servers
ignore it). Chat completions get the request's system and user messages (``data.prompt_format``
auto or chat); with ``text`` the rendered text prompt is sent as the single user message, for
endpoints serving base models. Answers are cut after their first complete fenced code block with
``generation.stop_after_code_block``. The client retries 408/409/429/5xx and
connection errors with exponential back-off (``model.max_retries``), each request times out
after ``model.request_timeout`` seconds, and failures become one-line ``ChathpcError``s.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import uses_chat
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest, Provider, finish_answer

PLACEHOLDER_KEY = "sk-no-key-needed"


def _first_line(text: str, limit: int = 200) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


class OpenAIProvider(Provider):
    """Chat completions from an OpenAI-compatible endpoint."""

    name = "openai"

    def __init__(self, model: str, config: RunConfig) -> None:
        import openai

        self.model = model
        self.config = config
        self.chat = uses_chat(config.data.prompt_format)  # an endpoint's template is its own: auto means chat
        base_url = config.model.base_url or os.environ.get("OPENAI_BASE_URL") or None
        api_key = os.environ.get(config.model.api_key_env)
        if not api_key:
            if not base_url:
                raise ChathpcError(
                    f"openai:{model}: no API key: set {config.model.api_key_env} "
                    "(or model.base_url / OPENAI_BASE_URL for a local server that needs none)"
                )
            api_key = PLACEHOLDER_KEY
        self.client = openai.OpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=config.model.request_timeout,
            max_retries=config.model.max_retries,
        )
        self.endpoint = str(self.client.base_url).rstrip("/")

    @classmethod
    def from_spec(cls, name: str | None, config: RunConfig) -> "OpenAIProvider":
        return cls(name or config.model.base, config)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate client exceptions into one-line errors that say what to fix."""
        import openai

        where = f"openai:{self.model} at {self.endpoint}"
        retries = self.config.model.max_retries
        try:
            yield
        except openai.AuthenticationError as exc:
            raise ChathpcError(f"{where}: authentication failed (401): check {self.config.model.api_key_env}") from exc
        except openai.PermissionDeniedError as exc:
            raise ChathpcError(f"{where}: permission denied (403): {_first_line(exc.message)}") from exc
        except openai.NotFoundError as exc:
            raise ChathpcError(f"{where}: not found (404): no model '{self.model}' or wrong base URL: {_first_line(exc.message)}") from exc
        except openai.RateLimitError as exc:
            raise ChathpcError(f"{where}: rate limited (429) after {retries} retries: {_first_line(exc.message)}") from exc
        except openai.APITimeoutError as exc:
            raise ChathpcError(
                f"{where}: no answer within {self.config.model.request_timeout:g} s (model.request_timeout), "
                f"after {retries} retries"
            ) from exc
        except openai.APIConnectionError as exc:
            cause = exc.__cause__ or exc
            raise ChathpcError(f"{where}: cannot connect ({_first_line(str(cause)) or type(cause).__name__})") from exc
        except openai.APIStatusError as exc:
            raise ChathpcError(f"{where}: HTTP {exc.status_code} after {retries} retries: {_first_line(exc.message)}") from exc
        except openai.OpenAIError as exc:
            raise ChathpcError(f"{where}: {_first_line(str(exc))}") from exc

    def _messages(self, request: GenerationRequest) -> list[dict[str, str]]:
        if self.chat and request.messages:
            return request.messages
        return [{"role": "user", "content": request.prompt}]

    def _params(self, request: GenerationRequest, gen: GenerationConfig, n: int, seed: int) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model,
            "messages": self._messages(request),
            "max_tokens": gen.max_new_tokens,
            "temperature": gen.temperature,
            "seed": seed,
        }
        if gen.temperature > 0:
            params["top_p"] = gen.top_p
        if n > 1:
            params["n"] = n
        return params

    def _samples(self, request: GenerationRequest, n: int, gen: GenerationConfig) -> list[str]:
        if gen.temperature == 0:  # greedy: one answer stands for all n
            return self._call(request, 1, gen, gen.seed)[:1] * n
        answers: list[str] = []
        attempt = 0
        while len(answers) < n:  # servers that ignore n return one choice per call
            answers += self._call(request, n - len(answers), gen, gen.seed + attempt)
            attempt += 1
        return answers[:n]

    def _call(self, request: GenerationRequest, n: int, gen: GenerationConfig, seed: int) -> list[str]:
        with self._errors():
            response = self.client.chat.completions.create(**self._params(request, gen, n, seed))
        texts = [finish_answer(choice.message.content or "", gen) for choice in response.choices]
        if not texts:
            raise ChathpcError(f"openai:{self.model} at {self.endpoint}: the response holds no choices")
        return texts

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        return [self._samples(request, n, gen) for request in requests]

    def stream(self, request: GenerationRequest, gen: GenerationConfig) -> Iterator[str]:
        with self._errors():
            chunks = self.client.chat.completions.create(**self._params(request, gen, 1, gen.seed), stream=True)
            for chunk in chunks:
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content

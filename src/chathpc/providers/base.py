"""The provider interface: every model or baseline answers rendered prompts the same way."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterator

from chathpc.config import GenerationConfig
from chathpc.data import PromptTemplate, Record, chat_messages, render_prompt


@dataclass
class GenerationRequest:
    """One prompt to answer, in both formats.

    ``prompt`` is the text format (``render_prompt``), ``messages`` the chat format (system and user
    turns, ``chat_messages``); a provider uses the one ``data.prompt_format`` selects for it (a chat
    model renders ``messages`` through its tokenizer's template). ``record`` is the item it came from
    (baselines read it, models must not). Build requests with ``generation_request``.
    """

    prompt: str
    record: Record
    messages: list[dict[str, str]] = field(default_factory=list)


def generation_request(record: Record, template: PromptTemplate) -> GenerationRequest:
    """The request for a record: the one place prompts are rendered for providers."""
    return GenerationRequest(prompt=render_prompt(record, template), record=record, messages=chat_messages(record, template))


FENCE = "```"


def end_of_first_code_block(text: str) -> int | None:
    """The index just after the closing fence of the first complete fenced block in ``text``, or None."""
    opening = text.find(FENCE)
    if opening < 0:
        return None
    body = text.find("\n", opening)
    if body < 0:
        return None
    closing = text.find(FENCE, body)
    return None if closing < 0 else closing + len(FENCE)


def finish_answer(text: str, gen: GenerationConfig) -> str:
    """An answer as providers return it: cut after its first complete code block when ``gen.stop_after_code_block``."""
    end = end_of_first_code_block(text) if gen.stop_after_code_block else None
    return text if end is None else text[:end]


class Provider(ABC):
    """Something that answers prompts: a local model, an endpoint, or a baseline."""

    name: str = "provider"

    @abstractmethod
    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        """``n`` answers for each request (outer list in request order)."""

    def stream(self, request: GenerationRequest, gen: GenerationConfig) -> Iterator[str]:
        """The answer to one request as text chunks (providers without streaming yield it whole)."""
        yield self.generate([request], 1, gen)[0][0]

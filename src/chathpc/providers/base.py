"""The provider interface: every model or baseline answers rendered prompts the same way."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Iterator

from chathpc.config import GenerationConfig
from chathpc.data import Record


@dataclass
class GenerationRequest:
    """One prompt to answer.

    ``prompt`` is rendered with ``render_prompt`` and is identical for every provider; ``record``
    is the item it came from (baselines read it, models must not).
    """

    prompt: str
    record: Record


class Provider(ABC):
    """Something that answers prompts: a local model, an endpoint, or a baseline."""

    name: str = "provider"

    @abstractmethod
    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        """``n`` answers for each request (outer list in request order)."""

    def stream(self, request: GenerationRequest, gen: GenerationConfig) -> Iterator[str]:
        """The answer to one request as text chunks (providers without streaming yield it whole)."""
        yield self.generate([request], 1, gen)[0][0]

"""``hf:PATH_OR_ID``: a local or hub model (with an optional LoRA adapter, or merged) via transformers.

Loading goes through ``chathpc.train.load_model_for_inference`` (one loading path for the whole
project: dtype, device, adapters, training runs). ``n`` samples for one prompt come from one
batched ``generate`` call (``num_return_sequences``); temperature 0 is greedy decoding, whose
single answer stands for all ``n``. The seed is set before every call, so answers are
reproducible. Streaming uses transformers' ``TextIteratorStreamer``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator

from chathpc.config import GenerationConfig, RunConfig
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest, Provider


class HFProvider(Provider):
    """Generation with a transformers causal LM on CPU, CUDA or MPS."""

    name = "hf"

    def __init__(self, path_or_id: str, config: RunConfig, adapter: str | None = None) -> None:
        from chathpc.train import load_model_for_inference

        self.path_or_id = path_or_id
        self.model, self.tokenizer = load_model_for_inference(path_or_id, adapter=adapter, config=config)

    @classmethod
    def from_spec(cls, name: str | None, config: RunConfig) -> "HFProvider":
        """``hf`` uses model.base and model.adapter; ``hf:NAME`` loads NAME (with model.adapter only when NAME is model.base)."""
        base = name or config.model.base
        if base.startswith(("/", "./", "../", "~")) and not Path(base).expanduser().exists():
            raise ChathpcError(f"hf:{base}: no such model, adapter or training run directory")
        adapter = config.model.adapter if base == config.model.base else None
        return cls(base, config, adapter)

    def _encode(self, prompt: str, gen: GenerationConfig) -> tuple[dict[str, Any], int]:
        """Model inputs for a prompt and the number of new tokens that fit the model's context."""
        encoded = self.tokenizer(prompt, return_tensors="pt")
        inputs = {key: encoded[key].to(self.model.device) for key in ("input_ids", "attention_mask") if key in encoded}
        prompt_tokens = inputs["input_ids"].shape[1]
        limit = getattr(self.model.config, "max_position_embeddings", None)
        max_new = gen.max_new_tokens
        if limit:
            if prompt_tokens >= limit:
                raise ChathpcError(
                    f"hf:{self.path_or_id}: the prompt has {prompt_tokens} tokens, the model's context is {limit} tokens"
                )
            max_new = min(max_new, limit - prompt_tokens)
        return inputs, max_new

    def _decoding(self, gen: GenerationConfig, max_new: int) -> dict[str, Any]:
        eos = self.tokenizer.eos_token_id
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else eos
        options: dict[str, Any] = {"max_new_tokens": max_new, "pad_token_id": pad, "eos_token_id": eos}
        if gen.temperature > 0:
            options.update(do_sample=True, temperature=gen.temperature, top_p=gen.top_p)
        else:
            options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return options

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        import torch
        from transformers import set_seed

        answers: list[list[str]] = []
        sampling = gen.temperature > 0
        for request in requests:
            inputs, max_new = self._encode(request.prompt, gen)
            set_seed(gen.seed)
            with torch.inference_mode():
                output = self.model.generate(
                    **inputs, num_return_sequences=n if sampling else 1, **self._decoding(gen, max_new)
                )
            prompt_tokens = inputs["input_ids"].shape[1]
            texts = self.tokenizer.batch_decode(output[:, prompt_tokens:], skip_special_tokens=True)
            answers.append(texts if sampling else texts * n)
        return answers

    def stream(self, request: GenerationRequest, gen: GenerationConfig) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer, set_seed

        inputs, max_new = self._encode(request.prompt, gen)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                set_seed(gen.seed)
                with torch.inference_mode():
                    self.model.generate(**inputs, streamer=streamer, **self._decoding(gen, max_new))
            except BaseException as exc:  # noqa: BLE001 - re-raised in the consuming thread
                failure.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, name="chathpc-hf-stream", daemon=True)
        worker.start()
        for chunk in streamer:
            if chunk:
                yield chunk
        worker.join()
        if failure:
            raise failure[0]

"""``hf:PATH_OR_ID``: a local or hub model (with an optional LoRA adapter, or merged) via transformers.

Loading goes through ``chathpc.models.loading.load_model_for_inference`` (one loading path for the whole
project: dtype, device, adapters, training runs); ``hf:FILE.gguf`` reads a GGUF file directly.
Prompts are the request's text, or its chat messages rendered by the tokenizer's chat template
(``data.prompt_format``, auto: chat when the tokenizer has a template). All prompts of a call are
generated in batches of ``generation.batch_size`` when decoding is greedy (left padding, attention
masks; temperature 0, whose single answer stands for all ``n``); when sampling, each prompt's ``n``
samples are one batch (``num_return_sequences``), so a prompt's samples do not depend on which
prompts share its call and a resumed run draws the same ones. With ``generation.stop_after_code_block`` a sequence stops once its
text holds a complete fenced code block (and is cut after it), so rambling costs no tokens. The
seed is set before every batch, so answers are reproducible. Streaming uses ``TextIteratorStreamer``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Iterator

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import render_chat, uses_chat
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest, Provider, end_of_first_code_block, finish_answer

def _stop_after_code_block(tokenizer, prompt_length: int):
    """A stopping criterion: per sequence, true once the new text holds a complete fenced block.

    A block can only complete at a token holding a backtick, so only those rows are decoded (a full decode
    of every row at every step grows quadratically with the answer).
    """
    import torch
    from transformers import StoppingCriteria

    class CodeBlockDone(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            done = [False] * input_ids.shape[0]
            for row, token in enumerate(input_ids[:, -1].tolist()):
                if "`" in tokenizer.decode([token]):
                    text = tokenizer.decode(input_ids[row, prompt_length:], skip_special_tokens=True)
                    done[row] = end_of_first_code_block(text) is not None
            return torch.tensor(done, device=input_ids.device)

    return CodeBlockDone()


class HFProvider(Provider):
    """Generation with a transformers causal LM on CPU, CUDA or MPS."""

    name = "hf"

    def __init__(self, path_or_id: str, config: RunConfig, adapter: str | None = None) -> None:
        from chathpc.models.loading import load_model_for_inference

        self.path_or_id = path_or_id
        self.model, self.tokenizer = load_model_for_inference(path_or_id, adapter=adapter, config=config)
        self.chat = uses_chat(config.data.prompt_format, self.tokenizer)
        self.tokenizer.padding_side = "left"  # generation continues every row from its last real token

    @classmethod
    def from_spec(cls, name: str | None, config: RunConfig) -> "HFProvider":
        """``hf`` uses model.base and model.adapter; ``hf:NAME`` loads NAME (with model.adapter only when NAME is model.base)."""
        base = name or config.model.base
        if base.startswith(("/", "./", "../", "~")) and not Path(base).expanduser().exists():
            raise ChathpcError(f"hf:{base}: no such model, adapter or training run directory")
        adapter = config.model.adapter if base == config.model.base else None
        return cls(base, config, adapter)

    def prompt_text(self, request: GenerationRequest) -> str:
        """What the model is given: the chat messages through the tokenizer's template, or the text prompt."""
        if self.chat and request.messages:
            return render_chat(request.messages, self.tokenizer)
        return request.prompt

    def _encode(self, prompts: list[str], gen: GenerationConfig) -> tuple[dict[str, Any], int]:
        """Model inputs for prompts (left-padded) and the number of new tokens that fit the model's context."""
        encoded = self.tokenizer(prompts, return_tensors="pt", padding=True)
        inputs = {key: encoded[key].to(self.model.device) for key in ("input_ids", "attention_mask") if key in encoded}
        prompt_tokens = int(inputs["attention_mask"].sum(dim=1).max()) if "attention_mask" in inputs else inputs["input_ids"].shape[1]
        limit = getattr(self.model.config, "max_position_embeddings", None)
        max_new = gen.max_new_tokens
        if limit:
            if prompt_tokens >= limit:
                raise ChathpcError(
                    f"hf:{self.path_or_id}: the prompt has {prompt_tokens} tokens, the model's context is {limit} tokens"
                )
            max_new = min(max_new, limit - inputs["input_ids"].shape[1])
        return inputs, max_new

    def _decoding(self, gen: GenerationConfig, max_new: int) -> dict[str, Any]:
        eos = self.tokenizer.eos_token_id
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else eos
        options: dict[str, Any] = {"max_new_tokens": max_new, "pad_token_id": pad, "eos_token_id": eos}
        if gen.repetition_penalty != 1.0:
            options["repetition_penalty"] = gen.repetition_penalty
        if gen.temperature > 0:
            options.update(do_sample=True, temperature=gen.temperature, top_p=gen.top_p)
        else:
            options.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return options

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        import torch
        from transformers import StoppingCriteriaList, set_seed

        answers: list[list[str]] = []
        sampling = gen.temperature > 0
        per_prompt = n if sampling else 1
        # greedy: prompts batched together (batched == one at a time); sampling: one prompt per call with
        # its n samples as the batch, so that a prompt's samples never depend on its neighbours (resume)
        step = 1 if sampling else gen.batch_size
        for start in range(0, len(requests), step):
            batch = requests[start:start + step]
            inputs, max_new = self._encode([self.prompt_text(r) for r in batch], gen)
            width = inputs["input_ids"].shape[1]
            options = self._decoding(gen, max_new)
            if gen.stop_after_code_block:
                options["stopping_criteria"] = StoppingCriteriaList([_stop_after_code_block(self.tokenizer, width)])
            set_seed(gen.seed)
            with torch.inference_mode():
                output = self.model.generate(**inputs, num_return_sequences=per_prompt, **options)
            texts = [finish_answer(t, gen) for t in self.tokenizer.batch_decode(output[:, width:], skip_special_tokens=True)]
            for i in range(len(batch)):
                mine = texts[i * per_prompt:(i + 1) * per_prompt]
                answers.append(mine if sampling else mine * n)
        return answers

    def stream(self, request: GenerationRequest, gen: GenerationConfig) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer, set_seed

        inputs, max_new = self._encode([self.prompt_text(request)], gen)
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

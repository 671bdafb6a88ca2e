"""``llamacpp:MODEL``: generation through llama.cpp (``llama-cpp-python``), many sequences decoded together.

MODEL is a ``.gguf`` file, or anything ``hf:`` takes (a training run, adapter or model directory), which is
exported to a temporary GGUF file first (``chathpc.models.export``, ``q8_0``). Prompts are rendered and
tokenized by the model's Hugging Face tokenizer (the source directory's, or the one transformers reads from
the GGUF) exactly as the ``hf`` provider does, and answers are decoded by it, so both providers see the same
token ids. Sequences are decoded as one llama.cpp batch per step, each in its own KV-cache stream: greedy,
``generation.batch_size`` prompts at a time; sampling, whole prompts' ``n`` samples together (at least one
prompt, at most ``max(n, batch_size)`` sequences), each prompt's prompt computed once and copied to its
samples' streams. Sampling applies temperature, top-k 50 and top-p (the ``hf`` provider's order and
transformers' default top-k), each sample seeded by ``generation.seed`` and its number. ``generation.repetition_penalty``
penalizes every token of the sequence, prompt included, as transformers does. With
``generation.stop_after_code_block`` a sequence stops once its text holds a complete fenced block.
Threads: all cores this process may use (``CHATHPC_LLAMACPP_THREADS`` overrides).
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import render_chat, uses_chat
from chathpc.errors import ChathpcError
from chathpc.providers.base import GenerationRequest, Provider, end_of_first_code_block, finish_answer

TOP_K = 50  # transformers' default top_k, which the hf provider samples with
PREFILL_CHUNK = 512
INSTALL_HINT = "the llamacpp provider needs llama-cpp-python: pip install 'chathpc[llamacpp]' (a C++ build, ~5 min)"


def _llama():
    """The ``llama_cpp`` module with its backend initialized and its logging silenced (once)."""
    try:
        import llama_cpp
    except ImportError:
        raise ChathpcError(INSTALL_HINT) from None
    if not getattr(_llama, "ready", False):
        llama_cpp.llama_backend_init()
        _llama.silence = llama_cpp.llama_log_callback(lambda level, text, data: None)  # kept alive: C holds the pointer
        llama_cpp.llama_log_set(_llama.silence, ctypes.c_void_p())
        _llama.ready = True
    return llama_cpp


def threads() -> int:
    """Threads llama.cpp computes with: ``CHATHPC_LLAMACPP_THREADS``, else the cores this process may run on."""
    configured = os.environ.get("CHATHPC_LLAMACPP_THREADS")
    if configured:
        return max(1, int(configured))
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@dataclass
class _Slot:
    """One sequence being generated: which request and sample it answers, its sampler and its new tokens."""

    request: int
    sample: int
    sampler: Any
    position: int
    tokens: list[int] = field(default_factory=list)
    done: bool = False


class LlamaCppProvider(Provider):
    """Batched generation with llama.cpp on the CPU."""

    name = "llamacpp"

    def __init__(self, source: str, config: RunConfig, adapter: str | None = None) -> None:
        llama_cpp = _llama()
        self._scratch: tempfile.TemporaryDirectory | None = None
        self.source = source
        if source.endswith(".gguf"):
            gguf_file = Path(source).expanduser()
            self.tokenizer = _gguf_tokenizer(gguf_file)
        else:
            from chathpc.models.export import export_gguf
            from chathpc.models.loading import load_tokenizer, resolve_model_source

            self._scratch = tempfile.TemporaryDirectory(prefix="chathpc-llamacpp-")
            gguf_file = Path(self._scratch.name) / "model.gguf"
            export_gguf(source, gguf_file, adapter=adapter)
            self.tokenizer = load_tokenizer(resolve_model_source(source, adapter).tokenizer)
        self.gguf_file = gguf_file
        self.chat = uses_chat(config.data.prompt_format, self.tokenizer)
        params = llama_cpp.llama_model_default_params()
        self.model = llama_cpp.llama_model_load_from_file(str(gguf_file).encode(), params)
        if not self.model:
            raise ChathpcError(f"llamacpp:{source}: llama.cpp cannot load {gguf_file}")
        weakref.finalize(self, llama_cpp.llama_model_free, self.model)
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.context_limit = llama_cpp.llama_model_n_ctx_train(self.model)
        self.eos = self.tokenizer.eos_token_id
        self.backtick_tokens = {i for token, i in self.tokenizer.get_vocab().items() if "`" in token}

    @classmethod
    def from_spec(cls, name: str | None, config: RunConfig) -> "LlamaCppProvider":
        """``llamacpp`` uses model.base and model.adapter; ``llamacpp:NAME`` loads NAME (a .gguf file or what hf takes)."""
        source = name or config.model.base
        if source.startswith(("/", "./", "../", "~")) and not Path(source).expanduser().exists():
            raise ChathpcError(f"llamacpp:{source}: no such GGUF file, model, adapter or training run directory")
        adapter = config.model.adapter if source == config.model.base and not source.endswith(".gguf") else None
        return cls(source, config, adapter)

    def prompt_text(self, request: GenerationRequest) -> str:
        """What the model is given: the chat messages through the tokenizer's template, or the text prompt."""
        if self.chat and request.messages:
            return render_chat(request.messages, self.tokenizer)
        return request.prompt

    def _prompt_ids(self, request: GenerationRequest) -> list[int]:
        ids = list(self.tokenizer(self.prompt_text(request))["input_ids"])
        if len(ids) >= self.context_limit:
            raise ChathpcError(f"llamacpp:{self.source}: the prompt has {len(ids)} tokens, the model's context is {self.context_limit} tokens")
        return ids

    def _sampler(self, gen: GenerationConfig, seed: int, prompt: list[int]):
        llama_cpp = _llama()
        chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
        if gen.repetition_penalty != 1.0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_penalties(self.n_vocab, -1, gen.repetition_penalty, 0.0, 0.0))
            for token in prompt:
                llama_cpp.llama_sampler_accept(chain, token)
        if gen.temperature > 0:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(gen.temperature))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_k(TOP_K))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_top_p(gen.top_p, 1))
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(seed))
        else:
            llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
        return chain

    def generate(self, requests: list[GenerationRequest], n: int, gen: GenerationConfig) -> list[list[str]]:
        sampling = gen.temperature > 0
        per_prompt = n if sampling else 1
        prompts = [self._prompt_ids(request) for request in requests]
        capacity = max(gen.batch_size, per_prompt)  # sequences decoded together
        step = max(1, capacity // per_prompt)
        answers: list[list[str]] = []
        for start in range(0, len(requests), step):
            texts = self._generate_wave(prompts[start:start + step], per_prompt, gen)
            answers += [texts[i] if sampling else texts[i] * n for i in range(len(texts))]
        return answers

    def _generate_wave(self, prompts: list[list[int]], per_prompt: int, gen: GenerationConfig) -> list[list[str]]:
        """Answers (``per_prompt`` each) for ``prompts``, all sequences decoded together."""
        llama_cpp = _llama()
        n_seq = len(prompts) * per_prompt
        longest = max(len(p) for p in prompts) + gen.max_new_tokens
        per_seq = min(self.context_limit, -(-longest // 256) * 256)
        params = llama_cpp.llama_context_default_params()
        params.n_ctx = per_seq * n_seq
        params.n_seq_max = n_seq
        params.n_batch = params.n_ubatch = max(PREFILL_CHUNK, n_seq)
        params.n_threads = params.n_threads_batch = threads()
        params.kv_unified = False
        params.no_perf = True
        ctx = llama_cpp.llama_init_from_model(self.model, params)
        if not ctx:
            raise ChathpcError(f"llamacpp:{self.source}: llama.cpp cannot make a context for {n_seq} sequences of {per_seq} tokens")
        batch = llama_cpp.llama_batch_init(params.n_batch, 0, 1)
        slots: list[_Slot] = []
        try:
            memory = llama_cpp.llama_get_memory(ctx)
            for p, prompt in enumerate(prompts):
                prompt_slots = [_Slot(p, s, self._sampler(gen, _seed(gen.seed, s), prompt), len(prompt))
                                for s in range(per_prompt)]
                base = len(slots)
                last = self._prefill(ctx, batch, prompt, base)
                for offset, slot in enumerate(prompt_slots):
                    if offset:
                        llama_cpp.llama_memory_seq_cp(memory, base, base + offset, -1, -1)
                    self._accept(slot, llama_cpp.llama_sampler_sample(slot.sampler, ctx, last), gen)
                slots += prompt_slots
            while True:
                active = [(seq, slot) for seq, slot in enumerate(slots) if not slot.done]
                if not active:
                    break
                batch.n_tokens = len(active)
                for i, (seq, slot) in enumerate(active):
                    _put(batch, i, slot.tokens[-1], slot.position, seq, True)
                    slot.position += 1
                if llama_cpp.llama_decode(ctx, batch) != 0:
                    raise ChathpcError(f"llamacpp:{self.source}: llama_decode failed ({len(active)} sequences)")
                for i, (_, slot) in enumerate(active):
                    self._accept(slot, llama_cpp.llama_sampler_sample(slot.sampler, ctx, i), gen)
        finally:
            for slot in slots:
                llama_cpp.llama_sampler_free(slot.sampler)
            llama_cpp.llama_batch_free(batch)
            llama_cpp.llama_free(ctx)
        texts: list[list[str]] = [[] for _ in prompts]
        for slot in slots:
            tokens = slot.tokens[:-1] if slot.tokens and slot.tokens[-1] == self.eos else slot.tokens
            texts[slot.request].append(finish_answer(self.tokenizer.decode(tokens, skip_special_tokens=True), gen))
        return texts

    def _prefill(self, ctx, batch, prompt: list[int], seq: int) -> int:
        """Compute ``prompt`` into sequence ``seq``'s cache; returns the batch index of its last token's logits."""
        llama_cpp = _llama()
        for start in range(0, len(prompt), PREFILL_CHUNK):
            chunk = prompt[start:start + PREFILL_CHUNK]
            batch.n_tokens = len(chunk)
            for i, token in enumerate(chunk):
                _put(batch, i, token, start + i, seq, start + i == len(prompt) - 1)
            if llama_cpp.llama_decode(ctx, batch) != 0:
                raise ChathpcError(f"llamacpp:{self.source}: llama_decode failed on a prompt of {len(prompt)} tokens")
        return (len(prompt) - 1) % PREFILL_CHUNK

    def _accept(self, slot: _Slot, token: int, gen: GenerationConfig) -> None:
        """Record a sampled token and decide whether the sequence is finished."""
        slot.tokens.append(token)
        if token == self.eos or len(slot.tokens) >= gen.max_new_tokens or slot.position + 1 >= self.context_limit:
            slot.done = True
        elif gen.stop_after_code_block and token in self.backtick_tokens:
            slot.done = end_of_first_code_block(self.tokenizer.decode(slot.tokens, skip_special_tokens=True)) is not None


def _put(batch, i: int, token: int, position: int, seq: int, logits: bool) -> None:
    batch.token[i] = token
    batch.pos[i] = position
    batch.n_seq_id[i] = 1
    batch.seq_id[i][0] = seq
    batch.logits[i] = logits


def _seed(seed: int, sample: int) -> int:
    """The sampler seed of a prompt's sample: the generation seed and the sample's number, as the hf provider seeds every
    prompt alike (a prompt's samples do not depend on the other prompts of the call, so a resumed run draws the same)."""
    return (seed * 1_000_003 + sample) % (2**32 - 1)


def _gguf_tokenizer(path: Path):
    """The Hugging Face tokenizer of a GGUF file: its export source's when that directory exists, else read from the file."""
    from chathpc.models.export import SOURCE_KEY
    from chathpc.models.gguf import gguf_string, resolve_gguf
    from chathpc.models.loading import load_tokenizer, resolve_model_source

    path = resolve_gguf(str(path))
    source = gguf_string(path, SOURCE_KEY)
    if source and Path(source).exists():
        return load_tokenizer(resolve_model_source(source).tokenizer)
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    except (ValueError, KeyError, OSError) as exc:
        raise ChathpcError(f"{path}: transformers cannot read its tokenizer ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer

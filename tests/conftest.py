"""Shared fixtures. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny Llama-architecture model with a tokenizer trained on the fly (no hub access)."""
    from chathpc.train.tiny import create_tiny_model

    return create_tiny_model(tmp_path_factory.mktemp("tiny-model"), seed=0)


CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@pytest.fixture(scope="session")
def tiny_chat_model_dir(tiny_model_dir, tmp_path_factory):
    """The tiny model with a ChatML chat template whose end of turn is the tokenizer's EOS (as SmolLM2's)."""
    import shutil

    from chathpc.models.loading import load_tokenizer

    out = tmp_path_factory.mktemp("tiny-chat-model") / "model"
    shutil.copytree(tiny_model_dir, out)
    tokenizer = load_tokenizer(str(out))
    tokenizer.chat_template = CHATML.replace("<|im_end|>", tokenizer.eos_token)
    tokenizer.save_pretrained(out)
    return out

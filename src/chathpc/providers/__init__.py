"""Model providers behind one interface: ``hf``, ``openai``, ``reference``, ``sequential``, and registered ones.

Importing this package is cheap: the ML stack and the ``openai`` client load when a provider is built.
"""

from chathpc.providers.base import GenerationRequest, Provider, generation_request
from chathpc.providers.registry import available_providers, get_provider, parse_spec, provider_spec, register_provider, unregister_provider

__all__ = [
    "GenerationRequest",
    "Provider",
    "available_providers",
    "generation_request",
    "get_provider",
    "parse_spec",
    "provider_spec",
    "register_provider",
    "unregister_provider",
]

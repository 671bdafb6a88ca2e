"""Merge LoRA adapters into their base model: one adapter, or several with PEFT weighted merging.

``linear`` is the exact weighted sum of the adapters' weight updates (PEFT ``cat``); ``ties`` and
``dare`` are PEFT's TIES and DARE-TIES merges of the full updates (``ties_svd``, ``dare_ties_svd``),
keeping a ``density`` fraction of each update. The result is a standalone Hugging Face model
(safetensors + tokenizer) that needs neither PEFT nor the adapters to load.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from chathpc.errors import ChathpcError, first_line
from chathpc.files import atomic_write_text, publish_directory, refuse_existing
from chathpc.models.loading import adapter_of, load_tokenizer

MergeMethod = Literal["linear", "ties", "dare"]
PEFT_COMBINATION = {"linear": "cat", "ties": "ties_svd", "dare": "dare_ties_svd"}
MERGE_INFO_FILE = "chathpc-merge.json"


class MergeResult(BaseModel):
    """A merged model: where it is, what it was made of and how."""

    out_dir: str
    base_model: str
    sources: list[str]
    method: MergeMethod
    weights: list[float]
    density: float | None


def _check_out_dir(out: Path, sources: list[Path], force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ChathpcError(f"{out}: exists and is not a directory")
    blocker = next((p for p in out.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:  # found before the base model is loaded, not after
        raise ChathpcError(f"{blocker}: is a file, expected a directory")
    if out.is_dir() and any(out.iterdir()):
        refuse_existing(out, force)
    resolved = out.resolve()
    for source in sources:
        if resolved == source.resolve() or resolved in source.resolve().parents:
            raise ChathpcError(f"{out}: would overwrite the merge input {source}")


def merge_runs(
    sources: list[str | Path],
    out_dir: str | Path,
    *,
    method: MergeMethod = "linear",
    weights: list[float] | None = None,
    density: float = 0.5,
    force: bool = False,
) -> MergeResult:
    """Merge the adapters of LoRA runs (or adapter directories) sharing one base into a standalone model.

    Default weights: ``1/n`` each for ``linear`` (the average update), ``1.0`` each for ``ties`` and ``dare``.
    """
    if not sources:
        raise ChathpcError("merge needs at least one run or adapter directory")
    if method not in PEFT_COMBINATION:
        raise ChathpcError(f"unknown merge method '{method}' (choose from {', '.join(PEFT_COMBINATION)})")
    if weights is not None and len(weights) != len(sources):
        raise ChathpcError(f"{len(weights)} weights given for {len(sources)} adapters")
    if weights is not None and not all(math.isfinite(w) for w in weights):
        raise ChathpcError(f"weights must be finite numbers, got {', '.join(f'{w:g}' for w in weights)}")
    if not 0.0 < density <= 1.0:
        raise ChathpcError(f"density must be in (0, 1], got {density}")
    resolved = [adapter_of(source) for source in sources]
    bases = {base for _, base in resolved}
    if len(bases) > 1:
        raise ChathpcError(f"the adapters have different base models ({', '.join(sorted(bases))}); merging needs one base")
    base = bases.pop()
    out = Path(out_dir)
    _check_out_dir(out, [Path(s) for s in sources], force)
    if weights is None:
        weights = [1.0 / len(sources) if method == "linear" else 1.0] * len(sources)

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(base, dtype="float32")
    except (OSError, ValueError) as exc:
        raise ChathpcError(f"cannot load the base model '{base}': {first_line(exc)}") from None
    saved_dtype = getattr(model.config, "dtype", None)
    tokenizer = load_tokenizer(str(resolved[0][0]))
    names = [f"adapter{i}" for i in range(len(resolved))]
    model = PeftModel.from_pretrained(model, str(resolved[0][0]), adapter_name=names[0])
    for name, (adapter_dir, _) in zip(names[1:], resolved[1:]):
        model.load_adapter(str(adapter_dir), adapter_name=name)
    if len(names) == 1 and method == "linear" and weights == [1.0]:
        merged = model.merge_and_unload()
    else:
        ranks = [model.peft_config[name].r for name in names]
        extra = {} if method == "linear" else {"density": density, "svd_rank": sum(ranks)}
        try:
            model.add_weighted_adapter(names, weights, "merged", combination_type=PEFT_COMBINATION[method], **extra)
        except ValueError as exc:
            raise ChathpcError(f"PEFT cannot merge these adapters: {exc}") from None
        model.set_adapter("merged")
        merged = model.merge_and_unload(adapter_names=["merged"])
    if saved_dtype is not None and not isinstance(saved_dtype, str):
        merged = merged.to(saved_dtype)

    result = MergeResult(
        out_dir=str(out),
        base_model=base,
        sources=[str(s) for s in sources],
        method=method,
        weights=weights,
        density=None if method == "linear" else density,
    )
    with publish_directory(out) as staging:
        merged.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
        atomic_write_text(staging / MERGE_INFO_FILE, json.dumps(result.model_dump(), indent=2) + "\n")
    return result

"""Load a model for generation from a hub id, a local model, an adapter or a training run directory."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from chathpc.config import ModelConfig, RunConfig
from chathpc.errors import ChathpcError, first_line
from chathpc.models import run_layout
from chathpc.models.device import inference_placement, torch_dtype

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")


def load_tokenizer(path: str):
    """The tokenizer of a model, with a pad token (EOS when the model has none)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise ChathpcError(f"cannot load the tokenizer of '{path}': {first_line(exc)}") from None
    if tokenizer.eos_token_id is None:
        raise ChathpcError(f"the tokenizer of '{path}' has no EOS token: answers could never end")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def quantization_config(compute_dtype: str):
    """The one 4-bit (QLoRA) quantization, for training and inference: NF4 weights, double-quantized
    scales, matrix products in ``compute_dtype`` (``bfloat16`` or ``float16``)."""
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch_dtype(compute_dtype),
    )


def model_load_error(name: str, exc: BaseException) -> ChathpcError:
    """The one-line error for a model that transformers cannot load, with the way out where one is known."""
    message = f"cannot load the model '{name}': {first_line(exc)}"
    if "kernels-community" in message:  # transformers' Hub kernels (CUDA) on a node without network
        message += " (offline, set USE_HUB_KERNELS=NO to use transformers' built-in kernels)"
    return ChathpcError(message)


class ModelSource(BaseModel):
    """What to load: a base model, optional adapter directories on top, and where the tokenizer is."""

    base: str
    adapters: list[str]
    tokenizer: str


def adapter_base(adapter_dir: Path) -> str:
    """The base model recorded in a PEFT adapter's ``adapter_config.json``."""
    try:
        config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ChathpcError(f"{adapter_dir}: unreadable adapter_config.json ({exc})") from None
    base = config.get("base_model_name_or_path")
    if not base:
        raise ChathpcError(f"{adapter_dir}: adapter_config.json names no base model")
    return base


def adapter_of(path: str | Path) -> tuple[Path, str]:
    """``(adapter_dir, base_model)`` of an adapter directory or a finished LoRA run directory."""
    p = Path(path)
    if run_layout.is_run_dir(p):
        method, weights, base = run_layout.final_weights(p)
        if method not in run_layout.ADAPTER_METHODS:
            raise ChathpcError(f"{p}: a method={method} run has no adapter (it holds a whole model in {weights})")
        return weights, base
    if (p / "adapter_config.json").is_file():
        return p, adapter_base(p)
    raise ChathpcError(f"{p}: neither a training run directory nor a PEFT adapter (no adapter_config.json)")


def _has_tokenizer(path: Path) -> bool:
    return any((path / name).is_file() for name in TOKENIZER_FILES)


def resolve_model_source(path_or_id: str, adapter: str | None = None) -> ModelSource:
    """Resolve a hub id, local model dir, adapter dir or run dir (plus an optional adapter) to what to load."""
    path = Path(path_or_id).expanduser()
    adapters: list[Path] = []
    if run_layout.is_run_dir(path):
        method, weights, base = run_layout.final_weights(path)
        if method in run_layout.ADAPTER_METHODS:
            adapters.append(weights)
        else:
            base = str(weights)
    elif (path / "adapter_config.json").is_file():
        adapters.append(path)
        base = adapter_base(path)
    else:
        base = str(path.resolve()) if path.exists() else path_or_id
    if adapter:
        adapters.append(adapter_of(adapter)[0])
    tokenizer = next((str(a) for a in reversed(adapters) if _has_tokenizer(a)), base)
    return ModelSource(base=base, adapters=[str(a) for a in adapters], tokenizer=tokenizer)


def load_model_for_inference(path_or_id: str, *, adapter: str | None = None, config: RunConfig | None = None):
    """``(model, tokenizer)`` ready for ``generate``: device and dtype from ``config.model``, adapters applied.

    ``path_or_id`` is a hub id, a local model directory, a PEFT adapter directory or a training run
    directory (the base model comes from the run or from ``adapter_config.json``); ``adapter`` (an
    adapter or run directory) is applied on top. The model is in eval mode.
    """
    from transformers import AutoModelForCausalLM

    model_config = config.model if config else ModelConfig()
    placement = inference_placement(model_config)
    if str(path_or_id).endswith(".gguf") and adapter is None:  # a GGUF file read directly (dequantized)
        from chathpc.models.gguf import load_gguf, resolve_gguf

        model, tokenizer = load_gguf(resolve_gguf(str(path_or_id)), dtype=placement.weights_dtype)
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        return model.to(placement.device).eval(), tokenizer
    source = resolve_model_source(path_or_id, adapter)
    kwargs: dict = {"dtype": torch_dtype(placement.weights_dtype)}
    if model_config.load_in_4bit:
        if placement.device != "cuda":
            raise ChathpcError("model.load_in_4bit needs a CUDA device; none is available")
        kwargs["quantization_config"] = quantization_config(placement.weights_dtype)
        kwargs["device_map"] = {"": 0}
    elif placement.device == "cuda":
        kwargs["device_map"] = {"": "cuda"}  # load straight onto the GPU, not through host memory
    tokenizer = load_tokenizer(source.tokenizer)
    try:
        model = AutoModelForCausalLM.from_pretrained(source.base, **kwargs)
    except (OSError, ValueError) as exc:
        raise model_load_error(source.base, exc) from None
    if "device_map" not in kwargs:
        model = model.to(placement.device)
    if source.adapters:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, source.adapters[0], adapter_name="adapter0")
        for i, extra in enumerate(source.adapters[1:], 1):
            model.load_adapter(extra, adapter_name=f"adapter{i}")
        if len(source.adapters) > 1:
            model.base_model.set_adapter([f"adapter{i}" for i in range(len(source.adapters))])
    model.eval()
    return model, tokenizer

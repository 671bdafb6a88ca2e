"""Device and precision choice for training and inference (imports torch when called)."""

from __future__ import annotations

from pydantic import BaseModel

from chathpc.config import ModelConfig
from chathpc.errors import ChathpcError


class Placement(BaseModel):
    """Where a model runs and in which precision.

    ``weights_dtype`` is the dtype the weights are loaded in; ``autocast`` is the mixed-precision
    mode for training (``bf16``, ``fp16`` or ``no``).
    """

    device: str
    weights_dtype: str
    autocast: str


def pick_device(preference: str = "auto") -> str:
    """``cuda``, ``mps`` or ``cpu``: the preferred one if available (else an error), or the best for ``auto``."""
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if preference == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if preference == "cuda" and not cuda:
        raise ChathpcError("model.device=cuda but torch sees no CUDA device (see `chathpc env`)")
    if preference == "mps" and not mps:
        raise ChathpcError("model.device=mps but MPS is not available on this machine")
    return preference


def _bf16_ok(device: str) -> bool:
    import torch

    if device == "cuda":
        return torch.cuda.is_bf16_supported()
    return device == "cpu"


def inference_placement(model: ModelConfig) -> Placement:
    """Device and weights dtype for generation: bf16 on GPUs that support it, fp16 on others, fp32 on CPU/MPS."""
    device = pick_device(model.device)
    if model.dtype != "auto":
        if model.dtype == "float16" and device == "cpu":
            raise ChathpcError("model.dtype=float16 is not supported on CPU (use auto, bfloat16 or float32)")
        return Placement(device=device, weights_dtype=model.dtype, autocast="no")
    if device == "cuda":
        return Placement(device=device, weights_dtype="bfloat16" if _bf16_ok(device) else "float16", autocast="no")
    return Placement(device=device, weights_dtype="float32", autocast="no")


def training_placement(model: ModelConfig, method: str) -> Placement:
    """Device, weights dtype and autocast for training.

    Full fine-tuning keeps fp32 master weights and autocasts (bf16 where supported: on CPU this is
    2-3x faster than fp32). LoRA on a GPU loads the frozen base in bf16/fp16; on CPU it keeps fp32
    weights and autocasts to bf16. ``model.dtype=float32`` disables autocast.
    """
    device = pick_device(model.device)
    if model.dtype == "float32" or device == "mps":
        return Placement(device=device, weights_dtype="float32", autocast="no")
    if model.dtype == "float16" and device != "cuda":
        raise ChathpcError("model.dtype=float16 training needs CUDA (use auto, bfloat16 or float32)")
    if model.dtype == "bfloat16" and not _bf16_ok(device):
        raise ChathpcError(f"model.dtype=bfloat16 is not supported on this {device} device (use auto or float16)")
    half = model.dtype if model.dtype != "auto" else ("bfloat16" if _bf16_ok(device) else "float16")
    autocast = "bf16" if half == "bfloat16" else "fp16"
    frozen_half = method == "lora" and device == "cuda"
    return Placement(device=device, weights_dtype=half if frozen_half else "float32", autocast=autocast)


def torch_dtype(name: str):
    """The torch dtype for a config dtype name."""
    import torch

    return {"bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32}[name]

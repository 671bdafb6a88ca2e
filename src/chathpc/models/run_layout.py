"""The layout of a training run directory, as far as loading a model needs it (``chathpc.train.runs``
writes the directory; ``chathpc.models.loading`` reads it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chathpc.errors import ChathpcError

RUN_INFO_FILE = "run.json"
RESULT_FILE = "result.json"
ADAPTER_DIR = "adapter"
MODEL_DIR = "model"
ADAPTER_METHODS = ("lora", "grpo")  # methods whose run holds adapter/ (the others hold model/)


def is_run_dir(path: str | Path) -> bool:
    """Whether ``path`` is a chathpc training run directory."""
    return (Path(path) / RUN_INFO_FILE).is_file()


def read_json(path: Path) -> Any:
    """A JSON file's content, with one-line errors."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChathpcError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChathpcError(f"{path}: unreadable ({exc})") from None


def read_run_info(run_dir: str | Path) -> dict[str, Any]:
    """The run's ``run.json``."""
    return read_json(Path(run_dir) / RUN_INFO_FILE)


def final_weights(run_dir: str | Path) -> tuple[str, Path, str]:
    """``(method, weights_dir, base_model)`` of a finished run; an unfinished run is an error."""
    run = Path(run_dir)
    info = read_run_info(run)
    method = info.get("method", "lora")
    if method == "expert_iteration":  # its weights are those of its fine-tuning method
        method = info.get("plan", {}).get("finetune", "lora")
    weights = run / (ADAPTER_DIR if method in ADAPTER_METHODS else MODEL_DIR)
    if not (run / RESULT_FILE).is_file() or not weights.is_dir():
        raise ChathpcError(f"{run}: the training run has not finished (no {weights.name}/; continue it with `chathpc train --resume`)")
    return method, weights, info["base_model"]

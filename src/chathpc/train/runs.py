"""The training run directory: what it contains and how it is read back.

```
RUN_DIR/
  config.yaml        the resolved run config
  run.json           chathpc and library versions, dataset fingerprints, the training plan, status
  metrics.jsonl      one JSON object per logged step (loss, learning rate, eval loss, ...)
  checkpoints/       Trainer checkpoints (the last two complete ones), used by --resume
  adapter/           method=lora or grpo: the PEFT adapter (adapter_config.json, adapter_model.safetensors) + tokenizer
  model/             method=full: the whole model (config.json, model.safetensors) + tokenizer
  result.json        TrainResult, written last: its presence means the run finished
```
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text

CONFIG_FILE = "config.yaml"
RUN_INFO_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
RESULT_FILE = "result.json"
CHECKPOINTS_DIR = "checkpoints"
ADAPTER_DIR = "adapter"
MODEL_DIR = "model"
CHECKPOINT_COMPLETE = "chathpc-complete"
ADAPTER_METHODS = ("lora", "grpo")  # methods whose run holds adapter/ (the others hold model/)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (library errors are often many lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


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


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON through a temporary file and a rename, so a crash never leaves half a file."""
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def read_run_info(run_dir: str | Path) -> dict[str, Any]:
    """The run's ``run.json``."""
    return read_json(Path(run_dir) / RUN_INFO_FILE)


def final_weights(run_dir: str | Path) -> tuple[str, Path, str]:
    """``(method, weights_dir, base_model)`` of a finished run; an unfinished run is an error."""
    run = Path(run_dir)
    info = read_run_info(run)
    method = info.get("method", "lora")
    weights = run / (ADAPTER_DIR if method in ADAPTER_METHODS else MODEL_DIR)
    if not (run / RESULT_FILE).is_file() or not weights.is_dir():
        raise ChathpcError(f"{run}: the training run has not finished (no {weights.name}/; continue it with `chathpc train --resume`)")
    return method, weights, info["base_model"]


def complete_checkpoints(run_dir: str | Path) -> list[Path]:
    """Checkpoints that were completely written, oldest first."""
    root = Path(run_dir) / CHECKPOINTS_DIR
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        name, _, step = child.name.partition("-")
        if name == "checkpoint" and step.isdigit() and (child / CHECKPOINT_COMPLETE).is_file():
            found.append((int(step), child))
    return [path for _, path in sorted(found)]

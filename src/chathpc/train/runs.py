"""The training run directory: what it contains and how it is read back.

```
RUN_DIR/
  config.yaml        the resolved run config
  run.json           chathpc and library versions, dataset fingerprints, the training plan, status
  metrics.jsonl      one JSON object per logged step (loss, learning rate, eval loss, ...)
  checkpoints/       Trainer checkpoints (the last two complete ones), used by --resume
  adapter/           method=lora or grpo (or expert_iteration with iterate.finetune=lora): the PEFT adapter (adapter_config.json, adapter_model.safetensors) + tokenizer
  model/             method=full: the whole model (config.json, model.safetensors) + tokenizer
  result.json        TrainResult, written last: its presence means the run finished
```
A run directory is checked (``fresh``, ``resume`` or ``finished``) and started or prepared for
resuming by ``open_run_dir`` on every process of a run; ``mark_finished`` writes its end.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from chathpc.errors import ChathpcError, ConfigError, DataError
from chathpc.files import atomic_write_text, refuse_existing
from chathpc.models.run_layout import RESULT_FILE, RUN_INFO_FILE, is_run_dir, read_run_info

if TYPE_CHECKING:
    from chathpc.config import RunConfig
    from chathpc.train.plan import TrainPlan

CONFIG_FILE = "config.yaml"
METRICS_FILE = "metrics.jsonl"
CHECKPOINTS_DIR = "checkpoints"
CHECKPOINT_COMPLETE = "chathpc-complete"
VERSIONED_PACKAGES = ("chathpc", "torch", "transformers", "peft", "trl", "accelerate", "datasets", "tokenizers", "bitsandbytes")


class TrainResult(BaseModel):
    """The outcome of a finished run (result.json)."""

    run_dir: str
    method: str
    base_model: str
    steps: int
    train_loss: float | None
    eval_loss: float | None
    truncated_train: int
    truncated_eval: int
    adapter_dir: str | None
    model_dir: str | None
    resumed_from_step: int | None
    seconds: float


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON through a temporary file and a rename, so a crash never leaves half a file."""
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")


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


def _versions() -> dict[str, str | None]:
    import platform

    from chathpc.system import package_version

    return {"python": platform.python_version(), **{name: package_version(name) for name in VERSIONED_PACKAGES}}


def _config_dump(config: RunConfig) -> dict[str, Any]:
    return config.model_dump(mode="json")


def _first_difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    for section in sorted(set(old) | set(new)):
        for key in sorted(set(old.get(section, {})) | set(new.get(section, {}))):
            if (section, key) == ("training", "output_dir"):
                continue
            a, b = old.get(section, {}).get(key), new.get(section, {}).get(key)
            if a != b:
                return f"{section}.{key}: the run used {a!r}, the config now says {b!r}"
    return None


def _check_run_dir(run_dir: Path, config: RunConfig, plan: TrainPlan, resume: bool, force: bool) -> str:
    """``fresh``, ``resume`` or ``finished``; raises when the directory may not be used."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ChathpcError(f"{run_dir}: exists and is not a directory")
    if not run_dir.exists() or not any(run_dir.iterdir()):
        return "fresh"
    if force:
        cwd = Path.cwd().resolve()
        if run_dir.resolve() in (cwd, *cwd.parents):
            raise ChathpcError(f"{run_dir}: refusing to delete the current directory or one of its parents")
        return "fresh"
    refuse_existing(run_dir, resume, hint="use --resume to continue it or --force to start over")
    if not is_run_dir(run_dir):
        raise ChathpcError(f"{run_dir}: exists but is not a chathpc run directory (nothing to resume)")
    saved = yaml.safe_load((run_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    difference = _first_difference(saved, _config_dump(config))
    if difference:
        raise ConfigError(f"{run_dir}: cannot resume, {difference} (use --force to start over)")
    saved_data = {(d["role"], d["sha256"]) for d in read_run_info(run_dir).get("datasets", [])}
    if saved_data != {(d.role, d.sha256) for d in plan.datasets}:
        raise DataError(f"{run_dir}: cannot resume, the dataset files changed since the run started (use --force to start over)")
    return "finished" if (run_dir / RESULT_FILE).is_file() else "resume"


def _start_run_dir(run_dir: Path, config: RunConfig, plan: TrainPlan, force: bool) -> None:
    if force and run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(run_dir / CONFIG_FILE, yaml.safe_dump(_config_dump(config), sort_keys=False))
    info = {
        "method": plan.method,
        "base_model": plan.base_model,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "status": "running",
        "versions": _versions(),
        "datasets": [d.model_dump() for d in plan.datasets],
        "plan": plan.model_dump(),
    }
    write_json_atomic(run_dir / RUN_INFO_FILE, info)


def _trim_metrics(run_dir: Path, step: int) -> None:
    """Drop metric lines logged after the checkpoint a resumed run restarts from (they are logged again)."""
    path = run_dir / METRICS_FILE
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                kept.append(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
    atomic_write_text(path, "".join(line + "\n" for line in kept))


def open_run_dir(run_dir: Path, config: RunConfig, plan: TrainPlan, *, resume: bool, force: bool, main: bool):
    """``(state, checkpoint, resumed_from_step)``: the run directory checked, started or prepared for resuming.

    Called by every process of a run; only the main process writes, between barriers.
    """
    from accelerate import PartialState

    # Every process checks (read-only) before the main process writes anything.
    state = _check_run_dir(run_dir, config, plan, resume, force)
    PartialState().wait_for_everyone()
    if state == "finished":
        return state, None, None
    if main and state == "fresh":
        _start_run_dir(run_dir, config, plan, force)
    checkpoints = complete_checkpoints(run_dir) if state == "resume" else []
    checkpoint = checkpoints[-1] if checkpoints else None
    resumed_from = int(checkpoint.name.split("-")[1]) if checkpoint else None
    if main and state == "resume":
        _trim_metrics(run_dir, resumed_from or 0)
    PartialState().wait_for_everyone()
    return state, checkpoint, resumed_from


def mark_finished(run_dir: Path, result: BaseModel) -> None:
    """Set run.json's status to finished and write result.json (its presence means finished)."""
    info = read_run_info(run_dir)
    info.update(status="finished", finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    write_json_atomic(run_dir / RUN_INFO_FILE, info)
    write_json_atomic(run_dir / RESULT_FILE, result.model_dump())

"""The end of a run on every process: the final weights saved, then the run marked finished, each
between barriers so that no process returns before the main one has written what it reports."""

from __future__ import annotations

import shutil
from pathlib import Path

from pydantic import BaseModel

from chathpc.models import run_layout
from chathpc.train import runs


def save_final(trainer, run_dir: Path, method: str, tokenizer, main: bool) -> Path:
    """Save the trained weights (+ tokenizer) into the run's adapter/ or model/ through a staging directory."""
    final_name = run_layout.ADAPTER_DIR if method in run_layout.ADAPTER_METHODS else run_layout.MODEL_DIR
    final, staging = run_dir / final_name, run_dir / f".{final_name}.tmp"
    if main and staging.exists():
        shutil.rmtree(staging)
    trainer.accelerator.wait_for_everyone()
    if trainer.is_fsdp_enabled:  # the final weights as one file, not per-rank shards
        trainer.accelerator.state.fsdp_plugin.set_state_dict_type("FULL_STATE_DICT")
    trainer.save_model(str(staging))
    trainer.accelerator.wait_for_everyone()
    if main:
        tokenizer.save_pretrained(str(staging))
        if final.exists():
            shutil.rmtree(final)
        staging.replace(final)
    return final


def finish_run(trainer, run_dir: Path, result: BaseModel, main: bool) -> None:
    """Mark the run finished (the main process writes result.json), then wait for every process."""
    if main:
        runs.mark_finished(run_dir, result)
    trainer.accelerator.wait_for_everyone()

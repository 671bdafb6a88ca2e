"""Trainer callbacks every run uses: the metrics log and the checkpoint-complete marker (``--resume``)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from chathpc.train import runs


def run_callbacks(run_dir: Path) -> list:
    """``[MetricsLog, CheckpointComplete]`` for a run writing into ``run_dir`` (imports transformers)."""
    from transformers import TrainerCallback

    class MetricsLog(TrainerCallback):
        """Appends every log record to metrics.jsonl (main process)."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            if state.is_world_process_zero and logs:
                record = {"step": state.global_step, "epoch": state.epoch, **logs, "time": round(time.time(), 3)}
                with (run_dir / runs.METRICS_FILE).open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(record) + "\n")

    class CheckpointComplete(TrainerCallback):
        """Marks a checkpoint complete once every process has written its part."""

        def on_save(self, args, state, control, **kwargs):
            import torch.distributed as dist

            if dist.is_available() and dist.is_initialized():
                dist.barrier()
            if state.is_world_process_zero:
                checkpoint = Path(args.output_dir) / f"checkpoint-{state.global_step}"
                (checkpoint / runs.CHECKPOINT_COMPLETE).write_text(f"{state.global_step}\n", encoding="utf-8")

    return [MetricsLog(), CheckpointComplete()]

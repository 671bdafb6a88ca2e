"""The same `chathpc train` command under torchrun: two CPU processes (gloo), one run directory."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.ml, pytest.mark.slow]


def test_torchrun_two_cpu_processes(make_config, tmp_path):
    torchrun = shutil.which("torchrun") or str(Path(sys.executable).with_name("torchrun"))
    config = make_config("ddp", max_steps=4, batch_size=2, save_steps=2, eval_steps=2)
    config_file = tmp_path / "ddp.yaml"
    config_file.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    proc = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node", "2", "-m", "chathpc", "train", "-c", str(config_file), "--no-progress"],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.count("weights: ") == 1 and proc.stdout.count("train / ") == 1  # only rank 0 reports
    run = Path(config.training.output_dir)
    result = json.loads((run / "result.json").read_text())
    assert result["steps"] == 4 and result["eval_loss"] is not None
    assert (run / "adapter" / "adapter_model.safetensors").is_file()
    checkpoint = run / "checkpoints" / "checkpoint-4"
    assert (checkpoint / "rng_state_0.pth").is_file() and (checkpoint / "rng_state_1.pth").is_file()
    assert (checkpoint / "chathpc-complete").is_file()
    # two processes with batch 2 each: one step covers 4 of the 9 training examples
    first = json.loads((run / "metrics.jsonl").read_text().splitlines()[0])
    assert first["step"] == 1 and abs(first["epoch"] - 1 / 3) < 1e-6

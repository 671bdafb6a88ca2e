"""Every assistant kind's dataset trains on the tiny model (one short LoRA run over a record of each kind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chathpc.data import save_records
from chathpc.tasks import KIND_NAMES, split_records

pytestmark = [pytest.mark.ml, pytest.mark.slow]


def test_one_record_of_every_kind_trains_on_the_tiny_model(tiny_model_dir, tmp_path):
    from chathpc.config import RunConfig
    from chathpc.train import train

    records = []
    for kind in KIND_NAMES:  # the shortest training record of each kind, so that none is cut away
        records.append(min(split_records("train", kind=kind), key=lambda r: len(r.question) + len(r.answer)))
    train_file = save_records(records, tmp_path / "kinds.jsonl")
    config = RunConfig(
        model={"base": str(tiny_model_dir), "device": "cpu"},
        lora={"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": "all-linear"},
        training={"max_steps": 4, "batch_size": 2, "learning_rate": 1e-2, "warmup_ratio": 0.0, "logging_steps": 1, "save_steps": 4,
                  "eval_steps": 4, "validation_split": 0.0, "max_seq_length": 4096, "output_dir": str(tmp_path / "run"), "seed": 3},
        data={"train_file": str(train_file)},
    )
    result = train(config, progress=False)
    assert result.steps == 4 and result.truncated_train == 0
    info = json.loads((Path(result.run_dir) / "run.json").read_text())
    assert info["status"] == "finished" and info["datasets"][0]["records"] == len(KIND_NAMES)
    losses = [json.loads(line)["loss"] for line in (Path(result.run_dir) / "metrics.jsonl").read_text().splitlines() if '"loss"' in line]
    assert len(losses) == 4 and all(loss == loss and loss > 0 for loss in losses)  # finite, every step

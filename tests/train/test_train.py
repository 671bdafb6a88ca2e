"""End-to-end training on CPU with the tiny model: loss falls, run directory, reload, full training, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.ml


def metrics(run_dir: str | Path) -> list[dict]:
    return [json.loads(line) for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines()]


def test_lora_run_learns_and_writes_a_complete_run_dir(lora_run):
    run = Path(lora_run.run_dir)
    losses = [m["loss"] for m in metrics(run) if "loss" in m]
    assert lora_run.steps == 8 and len(losses) == 8
    assert losses[-1] < losses[0] - 0.3, losses
    assert lora_run.eval_loss is not None and lora_run.truncated_train == 0
    evals = [m["eval_loss"] for m in metrics(run) if "eval_loss" in m]
    assert evals[-1] < evals[0]
    for name in ("config.yaml", "run.json", "result.json", "adapter/adapter_config.json",
                 "adapter/adapter_model.safetensors", "adapter/tokenizer.json"):
        assert (run / name).is_file(), name
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "finished" and info["versions"]["peft"] and info["versions"]["trl"]
    assert info["datasets"][0]["role"] == "train" and info["datasets"][0]["records"] == 12
    saved = yaml.safe_load((run / "config.yaml").read_text())
    assert saved["training"]["max_steps"] == 8 and saved["lora"]["target_modules"] == "all-linear"
    adapter_config = json.loads((run / "adapter" / "adapter_config.json").read_text())
    assert Path(adapter_config["base_model_name_or_path"]) == Path(lora_run.base_model)


def test_adapter_reloads_for_inference_and_changes_the_model(lora_run, tiny_model_dir):
    import torch

    from chathpc.models.loading import load_model_for_inference

    model, tokenizer = load_model_for_inference(lora_run.run_dir)
    base, _ = load_model_for_inference(str(tiny_model_dir))
    assert type(model).__name__ == "PeftModelForCausalLM" and not model.training
    ids = tokenizer("Parallelize this program with MPI.", return_tensors="pt")
    with torch.no_grad():
        tuned, plain = model(**ids).logits, base(**ids).logits
    assert not torch.allclose(tuned, plain, atol=1e-4)
    out = model.generate(**ids, max_new_tokens=8, do_sample=False, pad_token_id=tokenizer.pad_token_id)
    assert out.shape[1] > ids["input_ids"].shape[1]
    # the adapter directory alone resolves too (base from adapter_config.json)
    again, _ = load_model_for_inference(lora_run.adapter_dir)
    with torch.no_grad():
        assert torch.allclose(again(**ids).logits, tuned)


def test_full_training_saves_a_standalone_model(make_config):
    from chathpc.train import load_model_for_inference, train

    result = train(make_config("full", method="full", max_steps=4, learning_rate=3e-3), progress=False)
    run = Path(result.run_dir)
    assert result.model_dir and result.adapter_dir is None
    assert (run / "model" / "model.safetensors").is_file() and (run / "model" / "tokenizer.json").is_file()
    losses = [m["loss"] for m in metrics(run) if "loss" in m]
    assert losses[-1] < losses[0] - 0.5, losses
    model, _ = load_model_for_inference(result.run_dir)
    assert type(model).__name__ == "LlamaForCausalLM"


def test_finished_run_resumes_to_its_result_and_force_restarts(lora_run, make_config, tmp_path):
    import shutil

    from chathpc.errors import ConfigError
    from chathpc.train import train

    copy = tmp_path / "copy"
    shutil.copytree(lora_run.run_dir, copy)
    config = make_config("copy")
    config.training.seed = 3
    again = train(config, resume=True, progress=False)
    assert again.steps == lora_run.steps and again.run_dir == lora_run.run_dir  # the recorded result
    config.training.learning_rate = 0.5
    with pytest.raises(ConfigError, match="training.learning_rate: the run used 0.01"):
        train(config, resume=True, progress=False)
    forced = train(make_config("copy", max_steps=2), force=True, progress=False)
    assert forced.steps == 2 and not (copy / "checkpoints" / "checkpoint-8").exists()


@pytest.mark.slow
def test_resume_after_kill_9_matches_an_uninterrupted_run(make_config, tmp_path):
    import torch
    from safetensors.torch import load_file

    from chathpc.train import train

    def config_for(name):
        config = make_config(name, max_steps=6, save_steps=2, eval_steps=3)
        config.lora.dropout = 0.1  # the RNG state must be restored too, not only weights and optimizer
        return config

    straight = train(config_for("straight"), progress=False)
    config = config_for("killed")
    config_file = tmp_path / "killed.yaml"
    config_file.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    run = Path(config.training.output_dir)
    proc = subprocess.Popen([sys.executable, "-m", "chathpc", "train", "-c", str(config_file), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 180
        while not (run / "checkpoints" / "checkpoint-2" / "chathpc-complete").exists():
            assert proc.poll() is None and time.time() < deadline, "training ended before its first checkpoint"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert not (run / "result.json").exists(), "the run finished before it was killed"

    resumed = train(config, resume=True, progress=False)
    assert resumed.resumed_from_step is not None and 2 <= resumed.resumed_from_step < 6
    assert resumed.steps == 6
    a = load_file(Path(straight.adapter_dir) / "adapter_model.safetensors")
    b = load_file(Path(resumed.adapter_dir) / "adapter_model.safetensors")
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-4, atol=1e-6)
    steps = [m["step"] for m in metrics(run) if "loss" in m]
    assert steps == list(range(1, 7))


def test_cli_train_prints_result_and_refuses_existing_dir(make_config, tmp_path, capsys):
    from chathpc.cli import main

    config_file = tmp_path / "run.yaml"
    config_file.write_text(yaml.safe_dump(make_config("cli", max_steps=2).model_dump(mode="json")))
    assert main(["train", "-c", str(config_file), "--no-progress", "--set", "training.gradient_checkpointing=true"]) == 0
    out = capsys.readouterr().out
    assert "2 steps" in out and "adapter" in out
    assert main(["train", "-c", str(config_file), "--no-progress"]) == 2
    assert "already exists (use --resume" in capsys.readouterr().err


def test_adapter_on_top_of_an_adapted_run_stacks_both(lora_run, tmp_path):
    import shutil

    import torch

    from chathpc.models.loading import load_model_for_inference

    twin = tmp_path / "twin"
    shutil.copytree(Path(lora_run.run_dir) / "adapter", twin)
    single, tokenizer = load_model_for_inference(lora_run.run_dir)
    stacked, _ = load_model_for_inference(lora_run.run_dir, adapter=str(twin))
    assert stacked.active_adapters == ["adapter0", "adapter1"]
    ids = tokenizer("MPI_Init(&argc, &argv);", return_tensors="pt")
    with torch.no_grad():
        assert not torch.allclose(stacked(**ids).logits, single(**ids).logits, atol=1e-4)

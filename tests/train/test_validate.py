"""Bad configs fail fast, before any model weights load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chathpc.errors import ChathpcError, ConfigError, DataError

pytestmark = pytest.mark.ml


@pytest.fixture
def no_weight_loading(monkeypatch):
    """Make any attempt to load model weights fail the test."""
    import transformers

    def refuse(*args, **kwargs):
        raise AssertionError("model weights were loaded before the config was validated")

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", refuse)


def test_plan_for_a_good_config(make_config):
    from chathpc.train import validate

    plan = validate(make_config())
    assert plan.train_examples == 9 and plan.eval_examples == 3
    assert set(plan.target_modules) == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    assert plan.truncated_train == 0 and plan.device == "cpu"
    assert [d.role for d in plan.datasets] == ["train"] and len(plan.datasets[0].sha256) == 64
    assert plan.estimated_steps == 8


def test_unknown_target_module_fails_before_the_model_loads(make_config, no_weight_loading):
    from chathpc.train import train

    config = make_config()
    config.lora.target_modules = ["q_proj", "query_key_value"]
    with pytest.raises(ConfigError, match=r"'query_key_value' is not a module of Llama.*q_proj"):
        train(config, progress=False)
    assert not Path(config.training.output_dir).exists()


def test_max_length_below_a_prompt_fails_before_the_model_loads(make_config, no_weight_loading):
    from chathpc.train import train

    with pytest.raises(DataError, match=r"train\.jsonl:item 1 \(id sum0\): the prompt alone is \d+ tokens"):
        train(make_config(max_seq_length=64), progress=False)


def test_qlora_without_cuda_is_a_clear_error(make_config, no_weight_loading):
    from chathpc.train import validate

    config = make_config()
    config.model.load_in_4bit = True
    with pytest.raises(ChathpcError, match="needs a CUDA device"):
        validate(config)


def test_validation_file_replaces_the_split_and_refine_is_added(make_config, records, tmp_path):
    from chathpc.train import validate

    rows = records(15)
    (tmp_path / "val.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[12:]))
    (tmp_path / "refine.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows[:2]))
    config = make_config(validation_file=str(tmp_path / "val.jsonl"))
    config.data.refine_file = str(tmp_path / "refine.jsonl")
    plan = validate(config)
    assert (plan.train_examples, plan.eval_examples) == (12 + 2, 3)
    assert [d.role for d in plan.datasets] == ["train", "validation", "refine"]


def test_split_leaving_nothing_to_train_on_is_an_error(make_config, records, tmp_path):
    from chathpc.train import validate

    (tmp_path / "one.jsonl").write_text(json.dumps(records(1)[0]) + "\n")
    config = make_config()
    config.data.train_file = str(tmp_path / "one.jsonl")
    with pytest.raises(DataError, match="nothing to train on"):
        validate(config)


def test_existing_run_dir_is_not_overwritten(make_config, no_weight_loading):
    from chathpc.train import train

    config = make_config()
    out = Path(config.training.output_dir)
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(ChathpcError, match="already exists"):
        train(config, progress=False)
    with pytest.raises(ChathpcError, match="not a chathpc run directory"):
        train(config, resume=True, progress=False)
    assert (out / "notes.txt").read_text() == "keep me"


def test_cli_validate_prints_the_plan_and_bad_config_is_one_line(make_config, tmp_path, capsys):
    import yaml

    from chathpc.cli import main

    config_file = tmp_path / "run.yaml"
    config_file.write_text(yaml.safe_dump(make_config().model_dump(mode="json")))
    assert main(["train", "-c", str(config_file), "--validate"]) == 0
    assert "9 train / 3 eval examples" in capsys.readouterr().out
    assert main(["train", "-c", str(config_file), "--set", "lora.target_modules=qproj"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'qproj' is not a module" in err


@pytest.mark.parametrize(
    ("base", "message"),
    [
        ("/nonexistent/model", "model.base '/nonexistent/model': no such model directory"),
        ("./missing-model", "model.base './missing-model': no such model directory"),
        ("hf:/nonexistent", "model.base 'hf:/nonexistent': a local model directory or hub id, without the provider prefix of -m"),
    ],
)
def test_cli_validate_names_a_missing_base_model_plainly(make_config, tmp_path, capsys, base, message):
    import yaml

    from chathpc.cli import main

    config_file = tmp_path / "run.yaml"
    config_file.write_text(yaml.safe_dump(make_config().model_dump(mode="json")))
    assert main(["train", "-c", str(config_file), "--validate", "--set", f"model.base={base}"]) == 2
    assert capsys.readouterr().err == f"chathpc: error: {message}\n"

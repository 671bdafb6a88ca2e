"""GRPO end to end on the tiny local model: two steps rewarded by the real harness, metrics, resume, config."""

from __future__ import annotations

import json

import pytest

from chathpc.config import RunConfig
from chathpc.errors import ConfigError

pytestmark = pytest.mark.ml


def grpo_config(model_dir, train_file, output_dir, **training):
    settings = {"method": "grpo", "max_steps": 2, "learning_rate": 1e-3, "warmup_ratio": 0.0, "logging_steps": 1,
                "save_steps": 1, "output_dir": str(output_dir), "seed": 3, **training}
    return RunConfig(
        model={"base": str(model_dir), "device": "cpu"},
        lora={"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": "all-linear"},
        training=settings,
        grpo={"generations": 2, "max_completion_length": 8, "beta": 0.04, "hidden_args": False},
        data={"train_file": str(train_file)},
        harness={"ranks": [1, 2], "timeout": 10},
    )


@pytest.fixture
def small_train_file(records, tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records(2)), encoding="utf-8")
    return path


def test_two_grpo_steps_write_metrics_and_a_resumable_run_dir(tiny_model_dir, small_train_file, tmp_path):
    from chathpc.train import train, validate
    from chathpc.models.loading import resolve_model_source

    config = grpo_config(tiny_model_dir, small_train_file, tmp_path / "grpo")
    plan = validate(config)
    assert plan.method == "grpo" and plan.train_examples == 2 and plan.estimated_steps == 2
    result = train(config, progress=False)
    run = tmp_path / "grpo"
    assert result.steps == 2 and result.method == "grpo" and (run / "adapter" / "adapter_model.safetensors").is_file()
    assert not (run / "adapter" / "ref").exists()
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    steps = [m for m in metrics if "reward" in m]
    assert [m["step"] for m in steps] == [1, 2]
    for m in steps:
        assert {"reward_std", "pass_rate", "seconds_generating", "seconds_checking", "seconds_learning"} <= set(m)
        histogram = {k: v for k, v in m.items() if k.startswith("verdicts/")}
        assert set(histogram) >= {"verdicts/pass", "verdicts/not_mpi", "verdicts/build_error", "verdicts/extract_error"}
        assert sum(histogram.values()) == pytest.approx(1.0)
        assert m["seconds_generating"] > 0 and m["seconds_checking"] >= 0 and m["seconds_learning"] > 0
    checked = [json.loads(line) for line in (run / "rewards.jsonl").read_text().splitlines()] if (run / "rewards.jsonl").exists() else []
    assert all(entry["item"] in ("sum0", "sum1") for entry in checked)
    # the run dir is a model source like an SFT run: base + adapter
    source = resolve_model_source(str(run))
    assert source.adapters == [str(run / "adapter")] and source.base == str(tiny_model_dir)
    # a finished run resumes to its result; a new run refuses the directory
    assert train(config, resume=True, progress=False).model_dump() == result.model_dump()
    with pytest.raises(Exception, match="already exists"):
        train(config, progress=False)


def test_resume_continues_from_the_last_checkpoint(tiny_model_dir, small_train_file, tmp_path):
    import shutil

    from chathpc.train import runs, train
    from chathpc.models.run_layout import ADAPTER_DIR

    config = grpo_config(tiny_model_dir, small_train_file, tmp_path / "grpo")
    train(config, progress=False)
    run = tmp_path / "grpo"
    # make it look interrupted after step 1: no result, no final adapter, no step-2 checkpoint
    (run / runs.RESULT_FILE).unlink()
    shutil.rmtree(run / ADAPTER_DIR)
    shutil.rmtree(run / runs.CHECKPOINTS_DIR / "checkpoint-2")
    resumed = train(config, resume=True, progress=False)
    assert resumed.resumed_from_step == 1 and resumed.steps == 2
    steps = [json.loads(line)["step"] for line in (run / runs.METRICS_FILE).read_text().splitlines()]
    assert steps.count(2) >= 1 and sorted(steps) == steps


def test_zero_spread_groups_are_logged_and_can_be_dropped_from_the_loss(tiny_model_dir, small_train_file, tmp_path):
    """The untrained tiny model writes no program: every group scores the same, is logged as such and, with
    grpo.drop_zero_spread, masked out of the loss (a step with nothing left to learn from still completes)."""
    from chathpc.train import train

    config = grpo_config(tiny_model_dir, small_train_file, tmp_path / "grpo", max_steps=1)
    config.grpo.drop_zero_spread = True
    result = train(config, progress=False)
    assert result.steps == 1
    logged = [json.loads(line) for line in (tmp_path / "grpo" / "metrics.jsonl").read_text().splitlines()]
    step = next(m for m in logged if "zero_spread_groups" in m)
    assert step["zero_spread_groups"] == pytest.approx(step["frac_reward_zero_std"])
    if step["zero_spread_groups"] == 1.0:
        assert step["loss"] == 0.0


def test_grpo_continues_an_sft_run_adapter(lora_run, small_train_file, tmp_path):
    from chathpc.train import train, validate
    from chathpc.models.loading import resolve_model_source

    config = grpo_config(lora_run.run_dir, small_train_file, tmp_path / "grpo", max_steps=1)
    plan = validate(config)
    assert plan.start_adapter == lora_run.adapter_dir and plan.base_model == lora_run.base_model
    assert any("continues the adapter" in w for w in plan.warnings)
    result = train(config, progress=False)
    adapter = tmp_path / "grpo" / "adapter"
    assert result.steps == 1 and (adapter / "adapter_model.safetensors").is_file()
    assert not (adapter / "ref").exists()  # TRL's KL reference copy is not part of the result
    assert resolve_model_source(str(tmp_path / "grpo")).adapters == [str(adapter)]


@pytest.mark.parametrize("ladder", [{"pass": -0.5}, {"build_error": -2.0}, {"timeout": 0.1, "runtime_error": 0.0}, {"bogus": 1.0}])
def test_config_rejects_a_ladder_that_is_not_increasing(ladder):
    from chathpc.config import load_config

    with pytest.raises(ConfigError, match="grpo.ladder"):
        load_config(overrides=[f"grpo.ladder={json.dumps(ladder)}"])


def test_config_accepts_a_partial_ladder_with_memory_error():
    from chathpc.config import DEFAULT_LADDER, load_config

    config = load_config(overrides=['grpo.ladder={"memory_error": -0.3, "pass": 2.0}'])
    assert config.grpo.ladder == {**DEFAULT_LADDER, "memory_error": -0.3, "pass": 2.0}
    with pytest.raises(ConfigError, match="grpo.generations"):
        load_config(overrides=["grpo.generations=1"])


def test_grpo_prompts_use_the_chat_format_sft_trains_in(tiny_chat_model_dir, small_train_file, tmp_path):
    from chathpc.data import load_records, load_template, render_example
    from chathpc.train.grpo import _prepare
    from chathpc.models.loading import load_tokenizer

    tokenizer = load_tokenizer(str(tiny_chat_model_dir))
    record = load_records(small_train_file)[0]
    chat_prompt, _ = render_example(record, load_template(), tokenizer, chat=True)
    prepared = _prepare(grpo_config(tiny_chat_model_dir, small_train_file, tmp_path / "grpo"))
    assert prepared.prompts[0] == chat_prompt and chat_prompt.endswith("<|im_start|>assistant\n")
    text = _prepare(grpo_config(tiny_chat_model_dir, small_train_file, tmp_path / "grpo2").model_copy(
        update={"data": RunConfig().data.model_copy(update={"train_file": str(small_train_file), "prompt_format": "text"})}))
    assert text.prompts[0] == render_example(record, load_template())[0]


def test_vllm_is_used_only_where_it_can_run(tiny_model_dir, small_train_file, tmp_path):
    from chathpc.train import validate
    from chathpc.train.grpo import use_vllm

    config = grpo_config(tiny_model_dir, small_train_file, tmp_path / "grpo")
    assert validate(config).vllm is False  # auto on a CPU: TRL's own generation
    forced = config.model_copy(update={"grpo": config.grpo.model_copy(update={"vllm": "on"})})
    with pytest.raises(ConfigError, match="grpo.vllm=on needs a CUDA device"):
        validate(forced)
    assert use_vllm(forced.model_copy(update={"grpo": config.grpo.model_copy(update={"vllm": "off"})}), "cuda") is False

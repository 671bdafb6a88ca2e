"""The code each ``training.method`` runs: ``train`` and ``validate`` pick it (lora and full: SFT,
``chathpc.train.sft``; grpo: ``chathpc.train.grpo``; expert_iteration: ``chathpc.train.iterate``)."""

from __future__ import annotations

from chathpc.config import RunConfig
from chathpc.train.plan import TrainPlan, prepare_sft
from chathpc.train.runs import TrainResult
from chathpc.train.sft import train_sft


def train(config: RunConfig, *, resume: bool = False, force: bool = False, progress: bool = True) -> TrainResult:
    """Train ``config`` by its ``training.method`` into ``training.output_dir``.

    ``resume`` continues an interrupted run (a finished run returns its result); ``force`` deletes an
    existing run directory first.
    """
    if config.training.method == "grpo":
        from chathpc.train.grpo import train_grpo

        return train_grpo(config, resume=resume, force=force, progress=progress)
    if config.training.method == "expert_iteration":
        from chathpc.train.iterate import train_expert_iteration

        return train_expert_iteration(config, resume=resume, force=force, progress=progress)
    return train_sft(config, resume=resume, force=force, progress=progress)


def validate(config: RunConfig) -> TrainPlan:
    """Check a training config without loading model weights; returns the plan or raises a ChathpcError."""
    if config.training.method == "grpo":
        from chathpc.train.grpo import validate_grpo

        return validate_grpo(config)
    if config.training.method == "expert_iteration":
        from chathpc.train.iterate import validate_iteration

        return validate_iteration(config)
    return prepare_sft(config).plan

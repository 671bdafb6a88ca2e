"""Fine-tuning: LoRA/QLoRA or full SFT (TRL + PEFT + accelerate), adapter merging, tiny local models.

Importing this package is cheap: torch, transformers, peft and trl are imported inside the
functions that need them.
"""

from chathpc.models.loading import load_model_for_inference
from chathpc.train.merge import MergeResult, merge_runs
from chathpc.train.methods import train, validate
from chathpc.train.plan import TrainPlan
from chathpc.train.runs import TrainResult
from chathpc.train.tiny import create_tiny_model

__all__ = [
    "MergeResult",
    "TrainPlan",
    "TrainResult",
    "create_tiny_model",
    "load_model_for_inference",
    "merge_runs",
    "train",
    "validate",
]

"""Measured fine-tuning recipes for the local real model (SmolLM2-135M-Instruct from its PyPI wheel).

One place for the settings that ``quickstart --model smollm2`` and ``benchmarks/real_model.py`` use, so
that the quickstart runs a recipe the committed report (``docs/results/real-model.md``) measured.
``max_seq_length`` holds the longest train + refine example in SmolLM2's chat format (2357 tokens).
"""

from __future__ import annotations

_SCHEDULE = {"epochs": 5, "lr_scheduler": "cosine", "warmup_ratio": 0.1, "batch_size": 1, "validation_split": 0.0,
             "max_seq_length": 3072, "logging_steps": 5, "save_steps": 1000}

SMOLLM2_RECIPES = {
    "lora": {
        "lora": {"r": 16, "alpha": 32, "target_modules": "all-linear"},
        "training": {**_SCHEDULE, "method": "lora", "learning_rate": 1.0e-3},
    },
    "full": {"training": {**_SCHEDULE, "method": "full", "learning_rate": 1.0e-4}},
}
"""By name: LoRA r16 on every linear layer at lr 1e-3, or every weight at lr 1e-4; both 5 epochs at batch 1, cosine."""

SMOLLM2_QUICKSTART = SMOLLM2_RECIPES["full"]
"""The recipe of ``quickstart --model smollm2``: the one that passed more held-out items in docs/results/real-model.md."""

SMOLLM2_GENERATION = {"max_new_tokens": 1700, "batch_size": 8, "temperature": 0.0}
"""Greedy, batched; 1700 new tokens hold the longest expert answer (cg, 1518 tokens); answers stop after their first code block."""

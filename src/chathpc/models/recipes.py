"""Measured fine-tuning recipes for the local real model (SmolLM2-135M-Instruct from its PyPI wheel).

One place for the settings that ``quickstart --model smollm2`` and ``benchmarks/real_model.py`` use, so
that the quickstart runs the recipe the committed report (``docs/results/real-model.md``) measured.
"""

from __future__ import annotations

SMOLLM2_LORA = {
    "lora": {"r": 16, "alpha": 32, "target_modules": "all-linear"},
    "training": {
        "method": "lora", "epochs": 5, "learning_rate": 1.0e-3, "lr_scheduler": "cosine", "warmup_ratio": 0.1,
        "batch_size": 1, "validation_split": 0.0, "max_seq_length": 2048, "logging_steps": 5, "save_steps": 35,
    },
}
"""LoRA r16 on every linear layer, lr 1e-3 cosine, 5 epochs of the 14 train items at batch 1 (70 steps)."""

SMOLLM2_GENERATION = {"max_new_tokens": 900, "batch_size": 8, "temperature": 0.0}
"""Greedy, batched, long enough for the longest expert answer; answers stop after their first code block."""

"""Fixtures for the training tests: a small C/MPI dataset, run configs, and one trained LoRA run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SEQUENTIAL = """#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {{
  long n = argc > 1 ? atol(argv[1]) : {n};
  double s = 0.0;
  for (long i = 0; i < n; i++) s += {op};
  printf("%.12e\\n", s);
  return 0;
}}
"""

PARALLEL = """#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {{
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long n = argc > 1 ? atol(argv[1]) : {n};
  double s = 0.0, total = 0.0;
  for (long i = rank; i < n; i += size) s += {op};
  MPI_Reduce(&s, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("%.12e\\n", total);
  MPI_Finalize();
  return 0;
}}
"""

OPS = ["1.0 / (i + 1)", "(double)i * i", "2.0 * i + 1.0", "1.0 / ((i + 1.0) * (i + 1.0))", "(double)(i % 7)", "0.5 * i"]


def make_records(count: int) -> list[dict]:
    """Records in the task-suite style: a sequential C program in, its MPI translation out."""
    records = []
    for k in range(count):
        fields = {"n": 100 + 37 * k, "op": OPS[k % len(OPS)]}
        records.append({
            "id": f"sum{k}",
            "question": "Parallelize this program with MPI.\n```c\n" + SEQUENTIAL.format(**fields) + "```",
            "context": "Sequential to MPI translation",
            "answer": "```c\n" + PARALLEL.format(**fields) + "```",
        })
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def train_file(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("data") / "train.jsonl", make_records(12))


def run_config(model_dir: Path, train_file: Path, output_dir: Path, **training):
    """A small, fast run config on the tiny model."""
    from chathpc.config import RunConfig

    settings = {
        "max_steps": 8, "batch_size": 4, "learning_rate": 1e-2, "warmup_ratio": 0.0, "logging_steps": 1,
        "save_steps": 4, "eval_steps": 4, "validation_split": 0.25, "max_seq_length": 1024,
        "output_dir": str(output_dir), "seed": 3, **training,
    }
    return RunConfig(
        model={"base": str(model_dir), "device": "cpu"},
        lora={"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": "all-linear"},
        training=settings,
        data={"train_file": str(train_file)},
    )


@pytest.fixture
def make_config(tiny_model_dir, train_file, tmp_path):
    """``make_config(name="run", **training)``: a run config writing to ``tmp_path/name``."""

    def make(name: str = "run", **training):
        return run_config(tiny_model_dir, train_file, tmp_path / name, **training)

    return make


@pytest.fixture
def records():
    """``records(count)``: fresh dataset records (dicts)."""
    return make_records


@pytest.fixture(scope="session")
def lora_run(tiny_model_dir, train_file, tmp_path_factory):
    """One finished LoRA run on the tiny model (8 steps)."""
    from chathpc.train import train

    config = run_config(tiny_model_dir, train_file, tmp_path_factory.mktemp("runs") / "lora")
    return train(config, progress=False)

"""Training throughput: chathpc's recipe against a ChatHPC-style baseline, as a ratio in one run.

Both train the same LoRA adapter on the same tiny model and the same data for the same number of
steps through the Hugging Face Trainer on this machine; what differs is the recipe:

- ours (``chathpc.train.train``): answer-only loss, each batch padded to its longest example,
  bf16 autocast where supported (CPU included);
- baseline (ChatHPC style): every example padded to ``max_seq_length``, loss on the whole sequence
  (prompt and padding), fp32.

Reported: answer tokens per second (answer tokens seen / time of the whole recipe: tokenizing,
loading, training, saving) and the ratio; the fastest of ``--repeats`` alternated runs counts. On a
CPU the time is this process's CPU time, which other jobs on a shared machine do not inflate.
With ``--large`` (needs CUDA, e.g. one H200) it also times LoRA steps of a 7B-shaped Llama with
random weights (no download): step time, tokens per second and model FLOPs utilization.

    python benchmarks/train_throughput.py [--steps 6] [--batch-size 4] [--max-seq-length 2048] [--repeats 2] [--json]
    python benchmarks/train_throughput.py --large [--large-shape 7b|tiny]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from chathpc.config import RunConfig
from chathpc.data import Record, load_records, load_template, render_example

H200_BF16_DENSE_TFLOPS = 989.0  # vendor peak for dense bf16 (H100/H200 SXM); MFU is relative to it

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
OPS = ["1.0 / (i + 1)", "(double)i * i", "2.0 * i + 1.0", "0.5 * i"]


def benchmark_records(data: str | None) -> tuple[str, list[Record]]:
    """``data`` (a dataset file, or ``generated``), else the built-in train split when it exists, else generated pairs."""
    if data and data != "generated":
        return data, load_records(data)
    if data is None:
        try:
            from chathpc.tasks import dataset_file

            path = Path(dataset_file("train"))
            if path.is_file():
                return str(path), load_records(path)
        except Exception:  # noqa: BLE001 - any problem with the shipped data: fall back to generated pairs
            pass
    records = []
    for k in range(16):
        fields = {"n": 100 + 37 * k, "op": OPS[k % len(OPS)]}
        records.append(Record(id=f"sum{k}", context="Sequential to MPI translation",
                              question="Parallelize this program with MPI.\n```c\n" + SEQUENTIAL.format(**fields) + "```",
                              answer="```c\n" + PARALLEL.format(**fields) + "```"))
    return "generated", records


def answer_tokens_per_example(records: list[Record], tokenizer, max_len: int) -> float:
    """Mean answer tokens (with EOS) per example that fit in ``max_len``."""
    template = load_template("chathpc")
    total = 0
    for record in records:
        prompt, completion = render_example(record, template)
        p = len(tokenizer(prompt)["input_ids"])
        c = len(tokenizer(completion, add_special_tokens=False)["input_ids"]) + 1
        total += max(0, min(p + c, max_len) - p)
    return total / len(records)


def run_ours(model_dir: Path, data_file: Path, work: Path, args) -> None:
    """The whole chathpc recipe: ``chathpc.train.train`` (validation, loading, training, saving)."""
    from chathpc.train import train

    config = RunConfig(
        model={"base": str(model_dir), "device": args.device},
        lora={"r": 16, "alpha": 32, "dropout": 0.05},
        training={"max_steps": args.steps, "batch_size": args.batch_size, "max_seq_length": args.max_seq_length,
                  "validation_split": 0.0, "save_steps": 10_000, "logging_steps": 10_000, "output_dir": str(work / "ours")},
        data={"train_file": str(data_file)},
    )
    train(config, force=True, progress=False)


def run_baseline(model_dir: Path, records: list[Record], work: Path, args) -> None:
    """ChatHPC-style training (tokenize, load, train): pad to max length, loss on every token, fp32."""
    from datasets import Dataset
    from peft import LoraConfig, get_peft_model
    from transformers import (AutoModelForCausalLM, AutoTokenizer, PrinterCallback, Trainer, TrainingArguments,
                              default_data_collator)

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    template = load_template("chathpc")
    texts = ["".join(render_example(r, template)) + tokenizer.eos_token for r in records]
    encoded = tokenizer(texts, padding="max_length", truncation=True, max_length=args.max_seq_length)
    dataset = Dataset.from_dict({"input_ids": encoded["input_ids"], "attention_mask": encoded["attention_mask"],
                                 "labels": [list(ids) for ids in encoded["input_ids"]]})
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype="float32")
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM",
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]))
    trainer = Trainer(
        model=model,
        args=TrainingArguments(output_dir=str(work / "baseline"), max_steps=args.steps, per_device_train_batch_size=args.batch_size,
                               learning_rate=2e-4, report_to="none", save_strategy="no", logging_steps=10_000,
                               disable_tqdm=True, use_cpu=args.device == "cpu", seed=42),
        train_dataset=dataset,
        data_collator=default_data_collator,
    )
    trainer.remove_callback(PrinterCallback)
    trainer.train()


def timed(func, *args) -> tuple[float, float]:
    """``(wall seconds, CPU seconds of this process)`` of one call. CPU time is what the ratio uses on a
    CPU: other jobs on a shared machine stretch wall time but not the work done."""
    wall, cpu = time.perf_counter(), time.process_time()
    func(*args)
    return time.perf_counter() - wall, time.process_time() - cpu


def large_shape(name: str):
    """A Llama config with CodeLlama-7B's shape (``7b``) or a tiny stand-in (``tiny``, to check the code path)."""
    from transformers import LlamaConfig

    if name == "7b":
        return LlamaConfig(vocab_size=32016, hidden_size=4096, intermediate_size=11008, num_hidden_layers=32,
                           num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=16384)
    return LlamaConfig(vocab_size=2048, hidden_size=128, intermediate_size=352, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=4)


def run_large(args) -> dict:
    """LoRA step time, tokens/s and MFU for a randomly initialized model of ``--large-shape`` on one device."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if args.large_shape == "7b" and device != "cuda":
        raise SystemExit("--large with the 7b shape needs a CUDA device")
    config = large_shape(args.large_shape)
    config._attn_implementation = "sdpa"
    torch.manual_seed(0)
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
    model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.enable_input_require_grads()
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, task_type="CAUSAL_LM",
                                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]))
    params = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    batch, seq = args.large_batch_size, args.large_seq_length
    ids = torch.randint(0, config.vocab_size, (batch, seq), device=device)

    def step():
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(2):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(args.large_steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    step_time = (time.perf_counter() - start) / args.large_steps
    tokens = batch * seq
    # Model FLOPs (MFU convention: recomputation not counted). The base is frozen, so per token:
    # forward 2N + input-gradient backward 2N over the matmul weights (embeddings excluded), and
    # attention scores 4*layers*hidden*seq forward, twice that backward.
    matmul_params = params - model.get_input_embeddings().weight.numel()
    flops_per_token = 4 * matmul_params + 12 * config.num_hidden_layers * config.hidden_size * seq
    achieved = flops_per_token * tokens / step_time / 1e12
    return {
        "shape": args.large_shape, "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
        "params": params, "trainable_params": trainable, "batch_size": batch, "seq_length": seq,
        "step_seconds": round(step_time, 4), "tokens_per_second": round(tokens / step_time, 1),
        "model_tflops": round(achieved, 1),
        "mfu": round(achieved / H200_BF16_DENSE_TFLOPS, 4) if device == "cuda" else None,
        "peak_memory_gib": round(torch.cuda.max_memory_allocated() / 2**30, 1) if device == "cuda" else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6, help="optimizer steps per recipe (default 6)")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-seq-length", type=int, default=2048, help="both recipes' max length (baseline pads to it)")
    parser.add_argument("--repeats", type=int, default=2, help="alternating runs per recipe; the fastest counts (default 2)")
    parser.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda"], help="device for the tiny comparison")
    parser.add_argument("--data", help="dataset file, or 'generated' for 16 short generated pairs (default: the built-in train split)")
    parser.add_argument("--large", action="store_true", help="also time LoRA steps of a 7B-shaped Llama (needs CUDA)")
    parser.add_argument("--large-shape", choices=["7b", "tiny"], default="7b")
    parser.add_argument("--large-batch-size", type=int, default=4)
    parser.add_argument("--large-seq-length", type=int, default=2048)
    parser.add_argument("--large-steps", type=int, default=10)
    parser.add_argument("--skip-tiny", action="store_true", help="only the --large measurement")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    report: dict = {}
    if not args.skip_tiny:
        from transformers import AutoTokenizer

        from chathpc.data import save_records
        from chathpc.train import create_tiny_model

        source, records = benchmark_records(args.data)
        with tempfile.TemporaryDirectory(prefix="chathpc-bench-") as tmp:
            work = Path(tmp)
            model_dir = create_tiny_model(work / "tiny", seed=0)
            data_file = save_records(records, work / "data.jsonl")
            tokenizer = AutoTokenizer.from_pretrained(model_dir)
            per_example = answer_tokens_per_example(records, tokenizer, args.max_seq_length)
            answer_tokens = per_example * args.steps * args.batch_size
            import datasets  # noqa: F401 - imported before any timing, for both recipes alike
            import peft  # noqa: F401
            import trl  # noqa: F401

            ours_runs, baseline_runs = [], []
            for _ in range(args.repeats):  # alternated, best of each
                ours_runs.append(timed(run_ours, model_dir, data_file, work, args))
                baseline_runs.append(timed(run_baseline, model_dir, records, work, args))
        key = 1 if args.device == "cpu" else 0  # CPU time on a CPU, wall time on an accelerator
        ours, baseline = min(r[key] for r in ours_runs), min(r[key] for r in baseline_runs)
        report["tiny"] = {
            "data": source, "examples": len(records), "steps": args.steps, "batch_size": args.batch_size,
            "max_seq_length": args.max_seq_length, "answer_tokens_per_example": round(per_example, 1),
            "repeats": args.repeats, "clock": "cpu" if key else "wall",
            "ours_seconds": round(ours, 3), "baseline_seconds": round(baseline, 3),
            "ours_wall_seconds": round(min(r[0] for r in ours_runs), 3),
            "baseline_wall_seconds": round(min(r[0] for r in baseline_runs), 3),
            "ours_answer_tokens_per_second": round(answer_tokens / ours, 1),
            "baseline_answer_tokens_per_second": round(answer_tokens / baseline, 1),
            "speedup": round(baseline / ours, 2),
        }
    if args.large:
        report["large"] = run_large(args)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    if "tiny" in report:
        t = report["tiny"]
        print(f"tiny model, {t['examples']} examples ({t['data']}), {t['steps']} steps x {t['batch_size']}, max length {t['max_seq_length']}")
        unit = "CPU" if t["clock"] == "cpu" else "wall"
        print(f"  ours:     {t['ours_answer_tokens_per_second']:>10.1f} answer tokens per {unit} second "
              f"({t['ours_seconds']} s; wall {t['ours_wall_seconds']} s)")
        print(f"  baseline: {t['baseline_answer_tokens_per_second']:>10.1f} answer tokens per {unit} second "
              f"({t['baseline_seconds']} s; wall {t['baseline_wall_seconds']} s)")
        print(f"  ratio ours/baseline: {t['speedup']}x")
    if "large" in report:
        g = report["large"]
        print(f"{g['shape']}-shaped Llama on {g['device']}: {g['params'] / 1e9:.2f}B params, LoRA step {g['step_seconds']} s "
              f"for {g['batch_size']}x{g['seq_length']} tokens, {g['tokens_per_second']} tokens/s, "
              f"{g['model_tflops']} TFLOP/s" + (f", MFU {g['mfu']:.1%}" if g["mfu"] is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())

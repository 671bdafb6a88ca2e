#!/usr/bin/env bash
# The GPU benchmarks in one run (needs CUDA; about 5 minutes on one H100): LoRA steps and batched greedy
# generation on a Llama of CodeLlama-7B's shape with random weights (nothing is downloaded).
#   benchmarks/gpu.sh OUT TOKENIZER_DIR     (TOKENIZER_DIR: e.g. an imported SmolLM2, `chathpc model import smollm2`)
# Writes OUT/gpu.txt (nvidia-smi), OUT/train-7b.json, OUT/generation-7b.json and each one's stderr.
set -u
out=${1:?usage: benchmarks/gpu.sh OUT TOKENIZER_DIR}
tokenizer=${2:?usage: benchmarks/gpu.sh OUT TOKENIZER_DIR}
python=${PYTHON:-python3}
# transformers >= 5.2x fetches CUDA kernels (e.g. rotary) from the Hub when `kernels` is installed; offline
# (most compute nodes) that load fails, so the stock PyTorch kernels are timed unless the caller says otherwise
export USE_HUB_KERNELS=${USE_HUB_KERNELS:-NO}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv > "$out/gpu.txt"
"$python" -c 'import torch, transformers, peft; print("torch", torch.__version__, "transformers", transformers.__version__, "peft", peft.__version__)' >> "$out/gpu.txt"
status=0
"$python" benchmarks/train_throughput.py --large --skip-tiny --json > "$out/train-7b.json" 2> "$out/train-7b.err" || status=1
"$python" benchmarks/generation_throughput.py --random-shape 7b --tokenizer "$tokenizer" --prompts 16 --new-tokens 128 \
  --batches 1,4,16 > "$out/generation-7b.json" 2> "$out/generation-7b.err" || status=1
cat "$out"/gpu.txt "$out"/*.json
exit $status

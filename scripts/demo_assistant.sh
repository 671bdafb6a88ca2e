#!/usr/bin/env bash
# make demo's last step: the shipped assistant (chathpc model list) parallelizes held-out suite programs
# (test split: never in its training data) with a few samples and one repair round; each verified program is
# written to OUT/ITEM.mpi.c. A program the assistant does not get right is reported, not an error of the demo.
# The assistant is exported once as GGUF (q8_0) and decoded by the llamacpp provider, several times faster than
# -m MODEL through transformers on a CPU (docs/results/generation-throughput.md).
# Usage: scripts/demo_assistant.sh CHATHPC OUT MODEL ITEM... (ITEM: domain/task of src/chathpc/tasks/suite)
set -u
chathpc=$1 out=$2 model=$3
shift 3
mkdir -p "$out"
"$chathpc" model list
gguf="$out/$model.gguf"
echo "== chathpc export gguf $model -o $gguf"
"$chathpc" export gguf "$model" -o "$gguf" --force || exit 1
verified=0 tried=0
for item in "$@"; do
  tried=$((tried + 1))
  seq="src/chathpc/tasks/suite/$item/seq.c"
  name=$(basename "$item")
  echo "== $name: chathpc parallelize $seq -m llamacpp:$gguf --samples 2 --repair 1 --args 7 --args 37 --args 61"
  start=$(date +%s)
  if "$chathpc" parallelize "$seq" -m "llamacpp:$gguf" --samples 2 --repair 1 --args 7 --args 37 --args 61 \
       -o "$out/$name.mpi.c" --force --no-progress; then
    verified=$((verified + 1))
    echo "== $name: verified at ranks 1-4 ($(( $(date +%s) - start )) s): $out/$name.mpi.c"
  else
    echo "== $name: no verified program ($(( $(date +%s) - start )) s)"
  fi
done
echo "shipped assistant $model: $verified of $tried held-out programs verified"

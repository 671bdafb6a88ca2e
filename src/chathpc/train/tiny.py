"""Tiny local models for tests and demos: a small random Llama and a byte-level BPE tokenizer.

The tokenizer is trained on the fly with the ``tokenizers`` library on the project's own C/MPI
sources (the task suite, plus C files under ``tests/`` while the suite is small) and the prompt
templates, so the model needs no hub access and tokenizes C and MPI code compactly. Everything is
saved with ``save_pretrained`` and reloads offline with ``from_pretrained(path)``.
"""

from __future__ import annotations

from pathlib import Path

from chathpc.errors import ChathpcError
from chathpc.files import refuse_existing

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SUITE_DIR = PACKAGE_DIR / "tasks" / "suite"
TESTS_DIR = PACKAGE_DIR.parent.parent / "tests"
MIN_SUITE_FILES = 8

BOS, EOS, PAD, UNK = "<s>", "</s>", "<pad>", "<unk>"

# Always part of the corpus, so that MPI names tokenize compactly even before the suite exists.
SEED_CORPUS = """\
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

int main(int argc, char **argv) {
    int rank, size;
    long n = argc > 1 ? atol(argv[1]) : 1000;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long chunk = n / size, rem = n % size;
    long lo = rank * chunk + (rank < rem ? rank : rem);
    long hi = lo + chunk + (rank < rem ? 1 : 0);
    double local = 0.0, total = 0.0;
    for (long i = lo; i < hi; i++) local += 1.0 / (double)(i + 1);
    MPI_Reduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &local, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    MPI_Bcast(&n, 1, MPI_LONG, 0, MPI_COMM_WORLD);
    MPI_Scatterv(NULL, NULL, NULL, MPI_DOUBLE, NULL, 0, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Gatherv(NULL, 0, MPI_DOUBLE, NULL, NULL, NULL, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Sendrecv(NULL, 0, MPI_DOUBLE, 0, 0, NULL, 0, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (rank == 0) printf("%.12e\\n", total);
    MPI_Finalize();
    return 0;
}
"""


def corpus_files() -> list[Path]:
    """The C sources the tiny tokenizer learns from: the task suite, plus tests' C files while the suite is small."""
    files = sorted(SUITE_DIR.rglob("*.c")) if SUITE_DIR.is_dir() else []
    if len(files) < MIN_SUITE_FILES and TESTS_DIR.is_dir():
        files += sorted(TESTS_DIR.rglob("*.c"))
    return files


def _corpus_texts() -> list[str]:
    from chathpc.data.templates import BUILTIN_TEMPLATES, DEFAULT_SYSTEM

    texts = [SEED_CORPUS, DEFAULT_SYSTEM, *BUILTIN_TEMPLATES.values(), "```c\n", "Sequential to MPI translation"]
    for path in corpus_files():
        try:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
    return texts


def train_tokenizer(vocab_size: int = 2048):
    """A byte-level BPE ``PreTrainedTokenizerFast`` trained on the C/MPI corpus (BOS prepended, EOS/PAD set)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token=None))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[BOS, EOS, PAD, UNK],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_corpus_texts(), trainer=trainer)
    bos_id = tokenizer.token_to_id(BOS)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A $B", special_tokens=[(BOS, bos_id)]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD, unk_token=UNK,
        model_max_length=1 << 30,
    )


def create_tiny_model(
    out_dir: str | Path,
    *,
    seed: int = 0,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 4,
    intermediate_size: int = 352,
    vocab_size: int = 2048,
    max_position_embeddings: int = 4096,
    force: bool = False,
) -> Path:
    """Write a randomly initialized LlamaForCausalLM and its tokenizer to ``out_dir``; returns the path.

    ``vocab_size`` is the tokenizer's target; the model's vocabulary is the tokenizer's actual size.
    An existing non-empty ``out_dir`` is refused unless ``force``.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ChathpcError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        refuse_existing(out, force)
    for name, value in (("hidden_size", hidden_size), ("num_layers", num_layers), ("num_heads", num_heads),
                        ("intermediate_size", intermediate_size)):
        if value < 1:
            raise ChathpcError(f"{name} must be at least 1, got {value}")
    if hidden_size % num_heads:
        raise ChathpcError(f"hidden_size {hidden_size} must be a multiple of num_heads {num_heads}")
    if vocab_size < 300:
        raise ChathpcError(f"vocab_size {vocab_size} is too small: the byte alphabet alone needs 260 tokens")

    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    tokenizer = train_tokenizer(vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_heads,
        max_position_embeddings=max_position_embeddings,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
    )
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = LlamaForCausalLM(config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id
    )
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out

"""Label masking and truncation: prompt tokens never count in the loss, answers end with EOS."""

from __future__ import annotations

import pytest

from chathpc.data import Record, load_template, render_prompt
from chathpc.errors import DataError

pytestmark = pytest.mark.ml


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from chathpc.models.loading import load_tokenizer

    return load_tokenizer(str(tiny_model_dir))


RECORD = Record(
    id="axpy",
    question="Parallelize:\n```c\nfor (int i = 0; i < n; i++) y[i] += a * x[i];\n```",
    context="Sequential to MPI translation",
    answer="```c\nMPI_Scatter(x, n / size, MPI_DOUBLE, lx, n / size, MPI_DOUBLE, 0, MPI_COMM_WORLD);\n```",
)


def test_every_prompt_token_is_masked_and_the_answer_is_learned(tokenizer):
    from chathpc.train.encode import IGNORE_INDEX, encode_record

    template = load_template("chathpc")
    example = encode_record(RECORD, template, tokenizer, 2048, "data.jsonl:item 1")
    prompt_ids = tokenizer(render_prompt(RECORD, template))["input_ids"]
    # the prompt is tokenized exactly as a provider tokenizes it at inference
    assert example.input_ids[: len(prompt_ids)] == prompt_ids
    assert example.prompt_tokens == len(prompt_ids)
    assert example.labels[: len(prompt_ids)] == [IGNORE_INDEX] * len(prompt_ids)
    assert example.labels[len(prompt_ids):] == example.input_ids[len(prompt_ids):]
    assert example.input_ids[-1] == tokenizer.eos_token_id
    answer = tokenizer.decode(example.input_ids[len(prompt_ids):], skip_special_tokens=True)
    assert answer == RECORD.answer
    assert not example.truncated


def test_collator_pads_labels_with_ignore_index(tokenizer):
    from chathpc.train.encode import IGNORE_INDEX, encode_record, make_collator

    template = load_template("chathpc")
    short = encode_record(RECORD.model_copy(update={"answer": "```c\nint x;\n```"}), template, tokenizer, 2048, "a")
    long = encode_record(RECORD, template, tokenizer, 2048, "b")
    batch = make_collator(tokenizer)([{"input_ids": e.input_ids, "labels": e.labels} for e in (short, long)])
    n = len(short.input_ids)
    assert batch["labels"][0, :n].tolist() == short.labels
    assert (batch["labels"][0, n:] == IGNORE_INDEX).all()
    assert (batch["input_ids"][0, n:] == tokenizer.pad_token_id).all()
    assert batch["attention_mask"][0].sum().item() == n
    assert (batch["labels"][:, : short.prompt_tokens] == IGNORE_INDEX).all()


def test_long_answer_is_truncated_and_counted(tokenizer):
    from chathpc.train.encode import encode_record

    template = load_template("chathpc")
    full = encode_record(RECORD, template, tokenizer, 2048, "x")
    limit = full.prompt_tokens + 3
    cut = encode_record(RECORD, template, tokenizer, limit, "x")
    assert cut.truncated and len(cut.input_ids) == limit and cut.answer_tokens == 3


def test_answer_cut_away_entirely_is_an_error_naming_the_item(tokenizer):
    from chathpc.train.encode import encode_record

    template = load_template("chathpc")
    prompt_tokens = encode_record(RECORD, template, tokenizer, 2048, "x").prompt_tokens
    with pytest.raises(DataError, match=r"data\.jsonl:item 4 \(id axpy\).*max_seq_length"):
        encode_record(RECORD, template, tokenizer, prompt_tokens, "data.jsonl:item 4")


def test_record_without_answer_is_an_error(tokenizer):
    from chathpc.train.encode import encode_record

    with pytest.raises(DataError, match="no answer"):
        encode_record(RECORD.model_copy(update={"answer": ""}), load_template("chathpc"), tokenizer, 2048, "f:item 2")


def metaspace_tokenizer(texts: list[str]):
    """A SentencePiece-style (Metaspace) BPE tokenizer trained on ``texts``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE(unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Metaspace(prepend_scheme="first")
    core.decoder = decoders.Metaspace(prepend_scheme="first")
    core.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=400, special_tokens=["<unk>", "</s>"], show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=core, eos_token="</s>", pad_token="</s>", unk_token="<unk>")


def test_answer_tokens_are_the_continuation_with_a_sentencepiece_style_tokenizer():
    """Metaspace tokenizers mark a word start with '▁': tokenized alone, an answer would gain a leading space."""
    from chathpc.train.encode import IGNORE_INDEX, encode_record

    record = RECORD.model_copy(update={"answer": "Use MPI_Scatter and MPI_Gather over MPI_COMM_WORLD."})
    template = load_template("chathpc")
    tokenizer = metaspace_tokenizer([render_prompt(record, template), record.answer])  # no "\nUse": no merge
    alone = tokenizer(record.answer, add_special_tokens=False)["input_ids"]
    assert tokenizer.convert_ids_to_tokens(alone)[0].startswith("\u2581")  # the spurious word-start marker

    example = encode_record(record, template, tokenizer, 2048, "x")
    answer_ids = [t for t, label in zip(example.input_ids, example.labels) if label != IGNORE_INDEX][:-1]
    prompt_ids = tokenizer(render_prompt(record, template))["input_ids"]
    assert example.input_ids[: len(prompt_ids)] == prompt_ids
    assert tokenizer.decode(prompt_ids + answer_ids) == render_prompt(record, template) + record.answer
    assert answer_ids != alone


def test_a_token_merged_across_the_boundary_keeps_the_prompt_exact():
    from chathpc.train.encode import IGNORE_INDEX, encode_record

    template = load_template("plain")
    text = render_prompt(RECORD, template) + RECORD.answer
    tokenizer = metaspace_tokenizer([text] * 3)
    prompt_ids = tokenizer(render_prompt(RECORD, template))["input_ids"]
    assert tokenizer(text)["input_ids"][: len(prompt_ids)] != prompt_ids  # the boundary merges
    example = encode_record(RECORD, template, tokenizer, 2048, "x")
    assert example.input_ids[: len(prompt_ids)] == prompt_ids
    assert example.labels[: len(prompt_ids)] == [IGNORE_INDEX] * len(prompt_ids)
    assert example.input_ids[-1] == tokenizer.eos_token_id


def test_chat_training_sequence_is_the_inference_prompt_then_answer_then_end_of_turn_on_a_tiny_tokenizer(tiny_chat_model_dir):
    from chathpc.data import chat_messages, render_chat, uses_chat
    from chathpc.train.encode import IGNORE_INDEX, encode_record
    from chathpc.models.loading import load_tokenizer

    tokenizer = load_tokenizer(str(tiny_chat_model_dir))
    assert uses_chat("auto", tokenizer)
    template = load_template("chathpc")
    example = encode_record(RECORD, template, tokenizer, 4096, "x", chat=True)
    prompt_ids = tokenizer(render_chat(chat_messages(RECORD, template), tokenizer))["input_ids"]
    assert example.input_ids[: len(prompt_ids)] == prompt_ids
    assert example.labels[: len(prompt_ids)] == [IGNORE_INDEX] * len(prompt_ids)
    answer = example.input_ids[len(prompt_ids):]
    assert answer == example.labels[len(prompt_ids):] and answer[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(answer) == RECORD.answer + tokenizer.eos_token

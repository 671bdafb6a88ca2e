"""Tokenized training examples: the prompt masked out of the loss, the answer plus EOS learned.

Prompts come from ``chathpc.data.render_example``, the renderer inference uses. The prompt is
tokenized the way a provider tokenizes it (with the tokenizer's special tokens, e.g. BOS); the
answer tokens are those that follow the prompt's tokens in the tokenization of prompt + completion,
so that they are exactly what the model must generate after the prompt (tokenizing the completion
alone would add a spurious leading space with SentencePiece tokenizers such as Llama's; only when a
token merges across the boundary is the completion tokenized alone, keeping the prompt exact). EOS ends
every completion. Labels are ``-100`` on every prompt token, so the loss covers the answer only.
"""

from __future__ import annotations

from pydantic import BaseModel

from chathpc.data import PromptTemplate, Record, render_example
from chathpc.errors import DataError

IGNORE_INDEX = -100


class EncodedExample(BaseModel):
    """One tokenized example; ``truncated`` when the answer was cut at ``max_seq_length``."""

    item: str
    input_ids: list[int]
    labels: list[int]
    prompt_tokens: int
    answer_tokens: int
    truncated: bool


def item_name(record: Record, where: str) -> str:
    """How errors name a record: its id, or its position in its file."""
    return f"{where} (id {record.id})" if record.id else where


def encode_record(record: Record, template: PromptTemplate, tokenizer, max_seq_length: int, where: str, *, chat: bool = False) -> EncodedExample:
    """Tokenize one record for training (``chat``: in the tokenizer's chat format); an answer that
    would be cut away entirely is an error naming the item."""
    name = item_name(record, where)
    if not record.answer.strip():
        raise DataError(f"{name}: has no answer to train on")
    prompt, completion = render_example(record, template, tokenizer, chat=chat)
    prompt_ids = list(tokenizer(prompt, add_special_tokens=True)["input_ids"])
    full_ids = list(tokenizer(prompt + completion, add_special_tokens=True)["input_ids"])
    if full_ids and full_ids[-1] == tokenizer.eos_token_id:
        full_ids.pop()  # tokenizers that append EOS themselves
    if full_ids[: len(prompt_ids)] == prompt_ids:
        completion_ids = full_ids[len(prompt_ids):]
    else:  # a token merges across the boundary: keep the prompt exactly as inference sees it
        completion_ids = list(tokenizer(completion, add_special_tokens=False)["input_ids"])
    if not completion_ids or completion_ids[-1] != tokenizer.eos_token_id:  # a chat turn may end with EOS already
        completion_ids.append(tokenizer.eos_token_id)
    if len(prompt_ids) >= max_seq_length:
        raise DataError(
            f"{name}: the prompt alone is {len(prompt_ids)} tokens, so training.max_seq_length={max_seq_length} "
            "would cut the whole answer away (raise training.max_seq_length)"
        )
    input_ids = (prompt_ids + completion_ids)[:max_seq_length]
    labels = [IGNORE_INDEX] * len(prompt_ids) + input_ids[len(prompt_ids):]
    return EncodedExample(
        item=name,
        input_ids=input_ids,
        labels=labels,
        prompt_tokens=len(prompt_ids),
        answer_tokens=len(input_ids) - len(prompt_ids),
        truncated=len(prompt_ids) + len(completion_ids) > max_seq_length,
    )


def make_collator(tokenizer, pad_to_multiple_of: int | None = None):
    """TRL's language-modeling collator: right padding, labels padded with ``-100``, attention mask."""
    from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

    return DataCollatorForLanguageModeling(pad_token_id=tokenizer.pad_token_id, pad_to_multiple_of=pad_to_multiple_of)

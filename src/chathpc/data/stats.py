"""Dataset statistics: item counts per context and token-length estimates."""

from __future__ import annotations

from collections import Counter
from statistics import median

from pydantic import BaseModel

from chathpc.data.records import Record
from chathpc.data.templates import PromptTemplate, render_example

# Code tokenizes at roughly 3.5 characters per token with Llama-family BPE vocabularies; the
# estimate needs no tokenizer (and so no ML stack).
CHARS_PER_TOKEN = 3.5


def estimate_tokens(text: str) -> int:
    """Rough token count of a text without a tokenizer."""
    return int(len(text) / CHARS_PER_TOKEN + 0.5)


class DatasetStats(BaseModel):
    """Summary of one dataset file."""

    items: int
    per_context: dict[str, int]
    prompt_tokens_median: int
    prompt_tokens_max: int
    answer_tokens_median: int
    answer_tokens_max: int
    total_tokens_max: int
    empty_answers: int


def dataset_stats(records: list[Record], template: PromptTemplate) -> DatasetStats:
    """Counts and estimated token lengths of records rendered with ``template``."""
    prompts, answers = [], []
    for record in records:
        prompt, completion = render_example(record, template)
        prompts.append(estimate_tokens(prompt))
        answers.append(estimate_tokens(completion))
    return DatasetStats(
        items=len(records),
        per_context=dict(Counter(r.context or "(none)" for r in records).most_common()),
        prompt_tokens_median=int(median(prompts)),
        prompt_tokens_max=max(prompts),
        answer_tokens_median=int(median(answers)),
        answer_tokens_max=max(answers),
        total_tokens_max=max(p + a for p, a in zip(prompts, answers)),
        empty_answers=sum(1 for r in records if not r.answer.strip()),
    )

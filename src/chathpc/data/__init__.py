"""Dataset records, file formats, statistics and prompt templates."""

from chathpc.data.records import FORMATS, Record, detect_format, dump_records, load_records, save_records
from chathpc.data.stats import DatasetStats, dataset_stats
from chathpc.data.templates import (
    PromptTemplate,
    chat_messages,
    load_template,
    render_chat,
    render_example,
    render_prompt,
    uses_chat,
)

__all__ = [
    "FORMATS",
    "DatasetStats",
    "PromptTemplate",
    "Record",
    "dataset_stats",
    "detect_format",
    "dump_records",
    "load_records",
    "load_template",
    "chat_messages",
    "render_chat",
    "render_example",
    "uses_chat",
    "render_prompt",
    "save_records",
]

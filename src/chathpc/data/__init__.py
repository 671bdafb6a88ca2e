"""Dataset records, file formats, statistics and prompt templates."""

from chathpc.data.records import FORMATS, Record, detect_format, dump_records, load_records, save_records
from chathpc.data.stats import DatasetStats, dataset_stats
from chathpc.data.templates import PromptTemplate, load_template, render_example, render_prompt

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
    "render_example",
    "render_prompt",
    "save_records",
]

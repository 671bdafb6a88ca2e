"""Assistants: code extraction, verified parallelization with repair, and the interactive session."""

from chathpc.assist.parallelize import Candidate, ParallelizeResult, parallelize, translation_record, write_program
from chathpc.assist.sanitize import code_blocks, extract_code, is_program

__all__ = [
    "Candidate",
    "ParallelizeResult",
    "code_blocks",
    "extract_code",
    "is_program",
    "parallelize",
    "translation_record",
    "write_program",
]

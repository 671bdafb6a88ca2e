"""Assistants (code extraction is ``chathpc.extract``): verified parallelization with repair, and the interactive session."""

from chathpc.assist.parallelize import Candidate, ParallelizeResult, parallelize, translation_record, write_program

__all__ = [
    "Candidate",
    "ParallelizeResult",
    "parallelize",
    "translation_record",
    "write_program",
]

"""The task suite: verified sequential-to-MPI tasks, their datasets and the benchmark over them.

One folder per task under ``suite/<domain>/<id>/`` (task.yaml, seq.c, mpi.c, variants/*.c) is the
single source of truth; the shipped datasets in ``datasets/`` are generated from it.
"""

from chathpc.tasks.export import ExportResult, dataset_file, export_datasets, normalize_code, split_records
from chathpc.tasks.kinds import KIND_NAMES, KINDS, AssistantKind, get_kind, kind_of
from chathpc.tasks.loader import (
    CONTEXT,
    DOMAINS,
    INSTRUCTION,
    SPLITS,
    OUTSIDE_DIR,
    SUITE_DIR,
    Task,
    TaskError,
    get_task,
    load_suite,
    load_task,
)

__all__ = [
    "AssistantKind",
    "CONTEXT",
    "DOMAINS",
    "INSTRUCTION",
    "KINDS",
    "KIND_NAMES",
    "SPLITS",
    "OUTSIDE_DIR",
    "SUITE_DIR",
    "ExportResult",
    "Task",
    "TaskError",
    "dataset_file",
    "export_datasets",
    "get_kind",
    "get_task",
    "kind_of",
    "load_suite",
    "load_task",
    "normalize_code",
    "split_records",
]

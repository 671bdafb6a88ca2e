"""The task suite: verified sequential-to-MPI tasks, their datasets and the benchmark over them.

One folder per task under ``suite/<domain>/<id>/`` (task.yaml, seq.c, mpi.c, variants/*.c) is the
single source of truth; the shipped datasets in ``datasets/`` are generated from it.
"""

from chathpc.tasks.export import ExportResult, dataset_file, export_datasets, normalize_code, split_records
from chathpc.tasks.loader import (
    CONTEXT,
    DOMAINS,
    INSTRUCTION,
    SPLITS,
    SUITE_DIR,
    Task,
    TaskError,
    get_task,
    load_suite,
    load_task,
)

__all__ = [
    "CONTEXT",
    "DOMAINS",
    "INSTRUCTION",
    "SPLITS",
    "SUITE_DIR",
    "ExportResult",
    "Task",
    "TaskError",
    "dataset_file",
    "export_datasets",
    "get_task",
    "load_suite",
    "load_task",
    "normalize_code",
    "split_records",
]

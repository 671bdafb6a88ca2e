"""The shipped ChatHPC datasets (train, test, refine JSON Lines), generated from the task folders."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from chathpc.data.records import Record, dump_records
from chathpc.files import atomic_write_text
from chathpc.tasks.loader import SPLITS, TaskError, load_suite

DATASETS_DIR = Path(__file__).parent / "datasets"


def dataset_file(split: str) -> Path:
    """The shipped dataset file of a split (``train``, ``test`` or ``refine``)."""
    if split not in SPLITS:
        raise TaskError(f"unknown split '{split}' (choose from {', '.join(SPLITS)})")
    return DATASETS_DIR / f"{split}.jsonl"


def split_records(split: str, *, root: str | Path | None = None) -> list[Record]:
    """The records of one split, in suite order (domain, then id)."""
    return [task.to_record() for task in load_suite(split=split, root=root)]


class ExportResult(BaseModel):
    """What ``export_datasets`` wrote or found: per split, the file, its records and its state."""

    out_dir: str
    files: dict[str, str]
    records: dict[str, int]
    stale: list[str]
    written: list[str]


def export_datasets(out_dir: str | Path | None = None, *, check: bool = False, root: str | Path | None = None) -> ExportResult:
    """Write ``{train,test,refine}.jsonl`` from the task folders (default: the shipped datasets dir).

    With ``check`` nothing is written: ``stale`` lists the splits whose file is missing or differs.
    Files that already hold the right content are left untouched.
    """
    out = Path(out_dir) if out_dir is not None else DATASETS_DIR
    if out.exists() and not out.is_dir():
        raise TaskError(f"{out}: not a directory")
    files: dict[str, str] = {}
    counts: dict[str, int] = {}
    stale: list[str] = []
    written: list[str] = []
    for split in SPLITS:
        records = split_records(split, root=root)
        text = dump_records(records, "jsonl")
        path = out / f"{split}.jsonl"
        files[split], counts[split] = str(path), len(records)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(split)
        if not check:
            atomic_write_text(path, text)
            written.append(split)
    return ExportResult(out_dir=str(out), files=files, records=counts, stale=stale, written=written)


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_WORD = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\S")


def normalize_code(source: str) -> str:
    """C code reduced to its tokens (comments and whitespace removed), for duplicate detection."""
    return " ".join(_WORD.findall(_COMMENT.sub(" ", source)))

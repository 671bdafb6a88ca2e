"""The shipped ChatHPC datasets (train, test, refine JSON Lines) of every assistant kind, generated from the task
folders: ``datasets/{split}.jsonl`` for ``mpi``, ``datasets/<kind>/{split}.jsonl`` for the other kinds
(``chathpc.tasks.kinds``; a split without records of a kind has no file)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from chathpc.data.records import Record, dump_records
from chathpc.files import atomic_write_text
from chathpc.tasks.kinds import get_kind
from chathpc.tasks.loader import SPLITS, TaskError, load_suite

DATASETS_DIR = Path(__file__).parent / "datasets"


def dataset_file(split: str, kind: str = "mpi", root: str | Path | None = None) -> Path:
    """The dataset file of a split (``train``, ``test`` or ``refine``) and kind under ``root`` (default: the shipped one)."""
    if split not in SPLITS:
        raise TaskError(f"unknown split '{split}' (choose from {', '.join(SPLITS)})")
    get_kind(kind)
    base = Path(root) if root is not None else DATASETS_DIR
    return base / f"{split}.jsonl" if kind == "mpi" else base / kind / f"{split}.jsonl"


def split_records(split: str, *, root: str | Path | None = None, kind: str = "mpi") -> list[Record]:
    """The records of one split and kind, in suite order (domain, then id; an optimization task's variants by name)."""
    chosen = get_kind(kind)
    return [record for task in load_suite(split=split, root=root) for record in chosen.records(task)]


class ExportResult(BaseModel):
    """What ``export_datasets`` wrote or found: per dataset (``split`` for mpi, ``kind/split`` otherwise), the file,
    its records and its state."""

    out_dir: str
    files: dict[str, str]
    records: dict[str, int]
    stale: list[str]
    written: list[str]


def export_datasets(out_dir: str | Path | None = None, *, check: bool = False, root: str | Path | None = None,
                    kinds: tuple[str, ...] | list[str] = ("mpi",)) -> ExportResult:
    """Write the datasets of ``kinds`` (default mpi; ``KIND_NAMES`` for all) from the task folders (default: the
    shipped datasets dir).

    With ``check`` nothing is written: ``stale`` lists the datasets whose file is missing or differs.
    Files that already hold the right content are left untouched.
    """
    out = Path(out_dir) if out_dir is not None else DATASETS_DIR
    if out.exists() and not out.is_dir():
        raise TaskError(f"{out}: not a directory")
    files: dict[str, str] = {}
    counts: dict[str, int] = {}
    stale: list[str] = []
    written: list[str] = []
    for kind in kinds:
        for split in SPLITS:
            records = split_records(split, root=root, kind=kind)
            path = dataset_file(split, kind, out)
            name = split if kind == "mpi" else f"{kind}/{split}"
            if not records and kind != "mpi":
                continue
            text = dump_records(records, "jsonl")
            files[name], counts[name] = str(path), len(records)
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if current == text:
                continue
            stale.append(name)
            if not check:
                atomic_write_text(path, text)
                written.append(name)
    return ExportResult(out_dir=str(out), files=files, records=counts, stale=stale, written=written)


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_WORD = re.compile(r"[A-Za-z_]\w*|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\S")


def normalize_code(source: str) -> str:
    """C code reduced to its tokens (comments and whitespace removed), for duplicate detection."""
    return " ".join(_WORD.findall(_COMMENT.sub(" ", source)))

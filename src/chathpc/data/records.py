"""Dataset records ``{question, context, answer}`` and their file formats.

Formats (chosen by suffix, or by content for ``.jsonl``):

- ``json``: a JSON list of records (the ChatHPC format),
- ``jsonl``: one record per line,
- ``yaml``: a YAML list of records,
- ``messages``: OpenAI chat fine-tuning JSON Lines, ``{"messages": [...]}`` with system, user
  and assistant turns; the record's context, id and metadata travel as top-level keys so a
  round trip is lossless.

Keys are case-insensitive; ``prompt``/``user`` are aliases of ``question`` and
``response``/``assistant`` of ``answer``. Unknown keys are errors. ChatHPC-app datasets load as published:
``Question``/``Answer``/``Context`` (YAML block scalars keep their last newline, as ChatHPC-app reads them),
``prompt``/``response``/``context``, and test items with a ``code`` key (the code is appended to the
question, or is the question when there is none); an item without an answer is a prompt (answer ``""``).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any, Iterable, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from chathpc.errors import DataError
from chathpc.files import atomic_write_text, read_text_file, refuse_existing

Format = Literal["json", "jsonl", "yaml", "messages"]
FORMATS: tuple[str, ...] = ("json", "jsonl", "yaml", "messages")

ALIASES = {
    "question": "question",
    "prompt": "question",
    "user": "question",
    "context": "context",
    "answer": "answer",
    "response": "answer",
    "assistant": "answer",
    "system": "system",
    "id": "id",
    "metadata": "metadata",
    "code": "code",
}


class Record(BaseModel):
    """One dataset item: a question in a context, and the expected answer."""

    model_config = ConfigDict(extra="forbid")

    question: str
    context: str = ""
    answer: str = ""
    system: str | None = None
    id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The record as a plain dict, without empty optional keys."""
        out: dict[str, Any] = {"question": self.question, "context": self.context, "answer": self.answer}
        if self.system is not None:
            out["system"] = self.system
        if self.id is not None:
            out["id"] = self.id
        if self.metadata:
            out["metadata"] = self.metadata
        return out


def record_from_mapping(item: Any, where: str) -> Record:
    """Build a record from a mapping with aliased, case-insensitive keys; ``where`` prefixes errors."""
    if not isinstance(item, dict):
        raise DataError(f"{where}: expected a mapping with question/context/answer, got {type(item).__name__}")
    if "messages" in {str(k).lower() for k in item}:
        return _record_from_messages(item, where)
    fields: dict[str, Any] = {}
    for raw_key, value in item.items():
        key = str(raw_key).lower()
        if key not in ALIASES:
            close = difflib.get_close_matches(key, list(ALIASES), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise DataError(f"{where}: unknown key '{raw_key}'{hint}")
        name = ALIASES[key]
        if name in fields:
            raise DataError(f"{where}: '{raw_key}' repeats the field '{name}'")
        fields[name] = value
    code = fields.pop("code", None)
    if code is not None and not isinstance(code, str):
        raise DataError(f"{where}: 'code' must be text, got {type(code).__name__}")
    if code is not None and code.strip():  # a ChatHPC test item: the code the question is about
        question = fields.get("question")
        fields["question"] = f"{question.rstrip()}\n\n{code.strip()}\n" if isinstance(question, str) and question.strip() else code
    if "question" not in fields:
        raise DataError(f"{where}: missing 'question' (or prompt/user{', or a non-empty code' if code is not None else ''})")
    for name in ("question", "context", "answer", "system", "id"):
        value = fields.get(name)
        if value is not None and not isinstance(value, str):
            if name == "id" and isinstance(value, int):
                fields[name] = str(value)
                continue
            raise DataError(f"{where}: '{name}' must be text, got {type(value).__name__}")
    if fields.get("context") is None:
        fields["context"] = ""
    if fields.get("answer") is None:
        fields["answer"] = ""
    if not fields["question"].strip():
        raise DataError(f"{where}: 'question' is empty")
    if "metadata" in fields and not isinstance(fields["metadata"], dict):
        raise DataError(f"{where}: 'metadata' must be a mapping")
    return Record(**fields)


def _record_from_messages(item: dict[str, Any], where: str) -> Record:
    extra = {str(k).lower(): v for k, v in item.items() if str(k).lower() != "messages"}
    unknown = set(extra) - {"context", "id", "metadata"}
    if unknown:
        raise DataError(f"{where}: unknown key '{sorted(unknown)[0]}' beside 'messages'")
    messages = next(v for k, v in item.items() if str(k).lower() == "messages")
    if not isinstance(messages, list) or not messages:
        raise DataError(f"{where}: 'messages' must be a non-empty list")
    parts: dict[str, str] = {}
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str) or not isinstance(message.get("content"), str):
            raise DataError(f"{where}: message {i} needs string 'role' and 'content'")
        role = message["role"].lower()
        if role not in ("system", "user", "assistant"):
            raise DataError(f"{where}: message {i} has unknown role '{message['role']}'")
        if role in parts:
            raise DataError(f"{where}: more than one '{role}' message (multi-turn records are not supported)")
        parts[role] = message["content"]
    if "user" not in parts:
        raise DataError(f"{where}: no 'user' message")
    mapping: dict[str, Any] = {"question": parts["user"], "answer": parts.get("assistant", "")}
    if "system" in parts:
        mapping["system"] = parts["system"]
    mapping.update(extra)
    return record_from_mapping(mapping, where)


def detect_format(path: Path) -> Format:
    """The format of a dataset file from its suffix (``.jsonl`` files are sniffed for messages)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".jsonl":
        if path.exists():
            with path.open("rb") as fh:
                first = next((line for line in fh if line.strip()), b"")
            try:
                if isinstance(json.loads(first), dict) and "messages" in json.loads(first):
                    return "messages"
            except (json.JSONDecodeError, UnicodeDecodeError):
                pass
        return "jsonl"
    raise DataError(f"{path}: unknown dataset format '{suffix or '(no suffix)'}' (use .json, .jsonl or .yaml)")


def load_records(path: str | Path, fmt: Format | None = None) -> list[Record]:
    """Read a dataset file; errors are one line, ``FILE:ITEM: problem``."""
    path = Path(path)
    fmt = fmt or detect_format(path)
    text = read_text_file(path, error=DataError)
    if not text.strip():
        raise DataError(f"{path}: empty dataset file")
    items: list[tuple[str, Any]] = []
    if fmt in ("jsonl", "messages"):
        for lineno, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                items.append((f"{path}:{lineno}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise DataError(f"{path}:{lineno}: invalid JSON ({exc.msg})") from None
    else:
        try:
            data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f"{mark.line + 1}" if mark is not None else "?"
            raise DataError(f"{path}:{line}: invalid YAML ({getattr(exc, 'problem', 'syntax error')})") from None
        if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
            data = next(iter(data.values()))  # {"data": [...]} wrappers
        if not isinstance(data, list):
            raise DataError(f"{path}: expected a list of records, got {type(data).__name__}")
        items = [(f"{path}:item {i}", item) for i, item in enumerate(data)]
    if not items:
        raise DataError(f"{path}: no records")
    return [record_from_mapping(item, where) for where, item in items]


def _messages_line(record: Record) -> dict[str, Any]:
    messages = []
    if record.system is not None:
        messages.append({"role": "system", "content": record.system})
    messages.append({"role": "user", "content": record.question})
    messages.append({"role": "assistant", "content": record.answer})
    out: dict[str, Any] = {"messages": messages}
    if record.context:
        out["context"] = record.context
    if record.id is not None:
        out["id"] = record.id
    if record.metadata:
        out["metadata"] = record.metadata
    return out


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (code) as literal blocks so YAML datasets stay readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if any(ch in value for ch in "\x85\u2028\u2029"):
        style = '"'  # YAML reads these as line breaks: keep them escaped
    else:
        style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def dump_records(records: Iterable[Record], fmt: Format) -> str:
    """Serialize records in one of the dataset formats."""
    dicts = [r.to_dict() for r in records]
    if fmt == "json":
        return json.dumps(dicts, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts)
    if fmt == "messages":
        return "".join(json.dumps(_messages_line(Record(**d)), ensure_ascii=False) + "\n" for d in dicts)
    if fmt == "yaml":
        return yaml.dump(dicts, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=1000)
    raise DataError(f"unknown dataset format '{fmt}' (choose from {', '.join(FORMATS)})")


def save_records(records: Iterable[Record], path: str | Path, fmt: Format | None = None, *, overwrite: bool = False) -> Path:
    """Write records atomically; refuses to replace an existing file unless ``overwrite``."""
    path = Path(path)
    refuse_existing(path, overwrite, error=DataError)  # before serializing anything
    return atomic_write_text(path, dump_records(records, fmt or detect_format(path)), overwrite=overwrite, error=DataError)

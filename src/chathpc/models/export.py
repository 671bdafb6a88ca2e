"""Export a model (a training run, an adapter, a merged or imported checkpoint) as one GGUF file for llama.cpp.

``export_gguf(source, out_file)`` loads ``source`` as every verb does (``load_model_for_inference``: a run
directory's adapter is applied and merged into its base), and writes the Llama-architecture weights with
llama.cpp's tensor names (query and key rows permuted as llama.cpp's rotary embedding expects), the model's
hyper-parameters and its tokenizer (byte-level BPE: tokens, token types, merges, special tokens, chat
template) through the ``gguf`` package. Matrices are written in ``outtype`` (``q8_0`` by default: near
lossless and the fastest of these on a CPU; ``f32`` keeps the weights bit-exact; ``f16``, ``bf16``,
``q4_1``), norms in f32. The file is usable by llama.cpp, llama-cpp-python (the ``llamacpp`` provider) and
Ollama; ``chathpc.source`` in its metadata names what it was exported from (a path, or a shipped assistant's name).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from chathpc.errors import ChathpcError, first_line
from chathpc.files import file_sha256, refuse_existing
from chathpc.models.shipped import shipped_model, shipped_names

OutType = Literal["q8_0", "f32", "f16", "bf16", "q4_1"]
OUT_TYPES: tuple[str, ...] = ("q8_0", "f32", "f16", "bf16", "q4_1")
SOURCE_KEY = "chathpc.source"
LAYER_TENSORS = {
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


class ExportResult(BaseModel):
    """What ``export_gguf`` wrote."""

    out_file: str
    source: str
    outtype: str
    tensors: int
    parameters: int
    bytes: int
    sha256: str
    pre_tokenizer: str


def _permute(weights, n_head: int):
    """Rows of a query/key projection reordered from transformers' rotary layout (halves) to llama.cpp's (pairs)."""
    return weights.reshape(n_head, 2, weights.shape[0] // n_head // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def pre_tokenizer_name(tokenizer_json: dict[str, Any]) -> str:
    """llama.cpp's name for the tokenizer's pre-tokenizer: ``gpt-2`` (byte-level with GPT-2's split) or ``smollm``
    (single digits, then byte-level); any other is refused, since llama.cpp would split text differently."""
    pre = tokenizer_json.get("pre_tokenizer") or {}
    steps = pre.get("pretokenizers", []) if pre.get("type") == "Sequence" else [pre]
    kinds = [step.get("type") for step in steps]
    if kinds == ["ByteLevel"] and steps[0].get("use_regex", True):
        return "gpt-2"
    if kinds == ["Digits", "ByteLevel"] and steps[0].get("individual_digits") and steps[1].get("use_regex", True):
        return "smollm"
    raise ChathpcError(f"GGUF export: the tokenizer's pre-tokenizer ({' + '.join(map(str, kinds)) or 'none'}) is not one "
                       "llama.cpp splits the same way (supported: byte-level BPE as GPT-2 or SmolLM2)")


def _vocabulary(tokenizer, vocab_size: int) -> dict[str, Any]:
    """Tokens, token types, merges and pre-tokenizer of a byte-level BPE tokenizer as llama.cpp reads them, with
    ``[PADi]`` for ids below ``vocab_size`` (the model's embedding rows) that name no token."""
    from gguf import TokenType

    try:
        backend = json.loads(tokenizer.backend_tokenizer.to_str())
    except AttributeError:
        raise ChathpcError("GGUF export needs a fast (tokenizers) tokenizer") from None
    model = backend.get("model", {})
    if model.get("type") != "BPE":
        raise ChathpcError(f"GGUF export: a {model.get('type')} tokenizer; only byte-level BPE is supported")
    vocab = tokenizer.get_vocab()
    by_id = {index: token for token, index in vocab.items()}
    added = tokenizer.added_tokens_decoder
    size = max(max(by_id) + 1, vocab_size)
    tokens: list[str] = []
    types: list[int] = []
    for index in range(size):
        token = by_id.get(index)
        if token is None:
            tokens.append(f"[PAD{index}]")
            types.append(TokenType.UNUSED)
        elif index in added:
            tokens.append(token)
            types.append(TokenType.CONTROL if added[index].special else TokenType.USER_DEFINED)
        else:
            tokens.append(token)
            types.append(TokenType.NORMAL)
    merges = [" ".join(merge) if isinstance(merge, list) else merge for merge in model.get("merges", [])]
    return {"tokens": tokens, "types": types, "merges": merges, "pre": pre_tokenizer_name(backend)}


def _config_value(config, *names: str, default=None):
    for name in names:
        value = getattr(config, name, None)
        if value is not None:
            return value
    return default


def _rope_theta(config) -> float:
    parameters = getattr(config, "rope_parameters", None) or getattr(config, "rope_scaling", None) or {}
    kind = parameters.get("rope_type", parameters.get("type", "default"))
    if kind not in ("default", None):
        raise ChathpcError(f"GGUF export: rope scaling '{kind}' is not supported")
    return float(parameters.get("rope_theta", getattr(config, "rope_theta", 10000.0)))


def _merged_model(source: str, adapter: str | None):
    """``(model, tokenizer)`` of ``source`` (plus ``adapter``) in float32 on the CPU, adapters merged into the weights."""
    from chathpc.config import RunConfig
    from chathpc.models.loading import load_model_for_inference

    config = RunConfig.model_validate({"model": {"device": "cpu", "dtype": "float32"}})
    model, tokenizer = load_model_for_inference(source, adapter=adapter, config=config)
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    if getattr(model.config, "model_type", None) != "llama":
        raise ChathpcError(f"GGUF export: {source} is a {getattr(model.config, 'model_type', '?')} model; only the Llama "
                           "architecture (SmolLM2, the tiny model) is supported")
    return model, tokenizer


def _tensor_type(outtype: str, name: str, data):
    """The GGML type a tensor is written in: norms (1-D) f32; matrices ``outtype`` when their rows fit its blocks."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    if data.ndim == 1:
        return GGMLQuantizationType.F32
    qtype = GGMLQuantizationType[outtype.upper()]
    block = GGML_QUANT_SIZES[qtype][0]
    return qtype if data.shape[-1] % block == 0 else GGMLQuantizationType.F32


def _file_type(outtype: str):
    from gguf import LlamaFileType

    return {"f32": LlamaFileType.ALL_F32, "f16": LlamaFileType.MOSTLY_F16, "bf16": LlamaFileType.MOSTLY_BF16,
            "q8_0": LlamaFileType.MOSTLY_Q8_0, "q4_1": LlamaFileType.MOSTLY_Q4_1}[outtype]


def _tensors(model) -> list[tuple[str, Any]]:
    """``(gguf name, float32 numpy array)`` of every weight, in llama.cpp's names and layout."""
    config = model.config
    n_head, n_kv = config.num_attention_heads, _config_value(config, "num_key_value_heads", default=config.num_attention_heads)
    state = {name: tensor.detach().float().numpy() for name, tensor in model.state_dict().items() if not name.endswith("rotary_emb.inv_freq")}
    tied = bool(getattr(config, "tie_word_embeddings", False))
    out: list[tuple[str, Any]] = [("token_embd.weight", state.pop("model.embed_tokens.weight")), ("output_norm.weight", state.pop("model.norm.weight"))]
    head = state.pop("lm_head.weight", None)
    if not tied and head is not None:
        out.append(("output.weight", head))
    for layer in range(config.num_hidden_layers):
        for hf_name, gguf_name in LAYER_TENSORS.items():
            data = state.pop(f"model.layers.{layer}.{hf_name}")
            if hf_name == "self_attn.q_proj.weight":
                data = _permute(data, n_head)
            elif hf_name == "self_attn.k_proj.weight":
                data = _permute(data, n_kv)
            out.append((f"blk.{layer}.{gguf_name}", data))
    if state:
        raise ChathpcError(f"GGUF export: weights without a llama.cpp name (biases?): {', '.join(sorted(state)[:4])}")
    return out


def export_gguf(source: str | Path, out_file: str | Path, *, outtype: OutType = "q8_0", adapter: str | None = None,
                force: bool = False) -> ExportResult:
    """Write ``source`` (a run directory, adapter or model directory, or a shipped assistant's name; ``adapter`` on
    top) as the GGUF file ``out_file`` (see module docs)."""
    import numpy as np
    from gguf import GGMLQuantizationType, GGUFWriter, quants

    if outtype not in OUT_TYPES:
        raise ChathpcError(f"GGUF export: unknown type '{outtype}' (one of {', '.join(OUT_TYPES)})")
    out = Path(out_file)
    if out.is_dir():
        raise ChathpcError(f"{out}: is a directory, expected a .gguf file name")
    refuse_existing(out, force)
    name, recorded = Path(str(source)).name or "model", str(source)
    if Path(str(source)).expanduser().exists():
        recorded = str(Path(str(source)).expanduser().resolve())
    elif adapter is None and str(source) in shipped_names():  # -m NAME's model: the shipped adapter on its base
        base, shipped_adapter = shipped_model(str(source))
        source, adapter = base, str(shipped_adapter)
    elif "/" not in str(source):  # not a hub id (owner/name) either: say so now, not after a hub lookup
        raise ChathpcError(f"{source}: no such file or directory, and no shipped assistant of that name "
                           f"(shipped: {', '.join(shipped_names()) or 'none'}; a hub model is named owner/name)")
    model, tokenizer = _merged_model(str(source), adapter)
    vocabulary = _vocabulary(tokenizer, model.config.vocab_size)
    config = model.config
    n_head = config.num_attention_heads
    head_dim = _config_value(config, "head_dim", default=config.hidden_size // n_head)
    tensors = _tensors(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    writer = GGUFWriter(str(staging), "llama")
    try:
        writer.add_name(name)
        writer.add_string(SOURCE_KEY, recorded)
        writer.add_context_length(config.max_position_embeddings)
        writer.add_embedding_length(config.hidden_size)
        writer.add_block_count(config.num_hidden_layers)
        writer.add_feed_forward_length(config.intermediate_size)
        writer.add_head_count(n_head)
        writer.add_head_count_kv(_config_value(config, "num_key_value_heads", default=n_head))
        writer.add_rope_freq_base(_rope_theta(config))
        writer.add_layer_norm_rms_eps(float(config.rms_norm_eps))
        writer.add_rope_dimension_count(head_dim)
        writer.add_vocab_size(config.vocab_size)
        writer.add_file_type(_file_type(outtype))
        writer.add_quantization_version(2)
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre(vocabulary["pre"])
        writer.add_token_list(vocabulary["tokens"])
        writer.add_token_types(vocabulary["types"])
        writer.add_token_merges(vocabulary["merges"])
        for setter, token in ((writer.add_bos_token_id, tokenizer.bos_token), (writer.add_eos_token_id, tokenizer.eos_token),
                              (writer.add_unk_token_id, tokenizer.unk_token), (writer.add_pad_token_id, tokenizer.pad_token)):
            if token is not None and tokenizer.convert_tokens_to_ids(token) is not None:
                setter(tokenizer.convert_tokens_to_ids(token))
        writer.add_add_bos_token(False)  # prompts are rendered with their special tokens (chat template)
        if getattr(tokenizer, "chat_template", None):
            writer.add_chat_template(tokenizer.chat_template)
        for name, data in tensors:
            qtype = _tensor_type(outtype, name, data)
            if qtype == GGMLQuantizationType.F32:
                writer.add_tensor(name, data.astype(np.float32))
            elif qtype == GGMLQuantizationType.F16:
                writer.add_tensor(name, data.astype(np.float16))
            else:
                writer.add_tensor(name, quants.quantize(data, qtype), raw_dtype=qtype)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        staging.replace(out)
    except OSError as exc:
        raise ChathpcError(f"{out}: cannot write the GGUF file ({first_line(exc)})") from None
    finally:
        staging.unlink(missing_ok=True)
    return ExportResult(out_file=str(out), source=str(source), outtype=outtype, tensors=len(tensors),
                        parameters=int(sum(data.size for _, data in tensors)), bytes=out.stat().st_size,
                        sha256=file_sha256(out), pre_tokenizer=vocabulary["pre"])

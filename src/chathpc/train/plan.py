"""Planning a training run: everything checked before any weights are loaded.

``prepare_sft(config)`` loads the datasets (fingerprinted), the template, the model's config and its
architecture on the meta device (LoRA target names), tokenizes every example (lengths, truncation)
and returns the ``TrainPlan``, or raises a ChathpcError naming the problem. ``train_sft`` makes the same
plan first; GRPO (``chathpc.train.grpo``) and expert iteration (``chathpc.train.iterate``) build theirs from
the same pieces; ``chathpc.train.methods.validate`` picks the one of a config's method.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from chathpc.config import RunConfig
from chathpc.data import Record, load_records, load_template, uses_chat
from chathpc.errors import ChathpcError, ConfigError, DataError, first_line
from chathpc.files import file_sha256
from chathpc.models.device import Placement, training_placement
from chathpc.models.loading import load_tokenizer
from chathpc.train.encode import EncodedExample, encode_record

Named = list[tuple[str, Record]]  # (where: "FILE:item N", record)


class DatasetFingerprint(BaseModel):
    """One dataset file used by a run: its role, path, content hash and record count."""

    role: str
    path: str
    sha256: str
    records: int


class TrainPlan(BaseModel):
    """What a run will do, as checked by ``validate`` before any weights are loaded."""

    base_model: str
    method: str
    prompt_format: str = "text"
    device: str
    weights_dtype: str
    autocast: str
    target_modules: list[str]
    datasets: list[DatasetFingerprint]
    train_examples: int
    eval_examples: int
    truncated_train: int
    truncated_eval: int
    truncated_items: list[str]
    longest_example_tokens: int
    answer_tokens: int
    estimated_steps: int
    warnings: list[str]


@dataclass
class SftData:
    """An SFT run's plan with what training needs from planning: the tokenizer and the encoded examples."""

    plan: TrainPlan
    tokenizer: Any
    train: list[EncodedExample]
    eval: list[EncodedExample]


def resolve_base(base: str) -> str:
    """A local model path made absolute (so a run works from any directory), or the hub id as given."""
    path = Path(base).expanduser()
    return str(path.resolve()) if path.exists() else base


def _default_dataset(split: str) -> Path:
    try:
        from chathpc.tasks import dataset_file
    except ImportError:
        raise ConfigError(f"data.{split}_file is not set and the built-in task datasets are not installed") from None
    return Path(dataset_file(split))


def _load(role: str, path: Path) -> tuple[Named, DatasetFingerprint]:
    records = load_records(path)
    named = [(f"{path}:item {i + 1}", record) for i, record in enumerate(records)]
    return named, DatasetFingerprint(role=role, path=str(path.resolve()), sha256=file_sha256(path), records=len(records))


def _split(named: Named, fraction: float, seed: int, path: Path) -> tuple[Named, Named]:
    if fraction <= 0:
        return named, []
    n_eval = max(1, round(len(named) * fraction))
    if len(named) - n_eval < 1:
        raise DataError(f"{path}: {len(named)} records leave nothing to train on after a validation split of {fraction}")
    order = list(range(len(named)))
    random.Random(seed).shuffle(order)
    held = set(order[:n_eval])
    return [x for i, x in enumerate(named) if i not in held], [x for i, x in enumerate(named) if i in held]


def training_records(config: RunConfig, *, with_eval: bool = True) -> tuple[Named, Named, list[DatasetFingerprint]]:
    """``(train, eval, fingerprints)``: data.train_file (or the built-in train set) split or paired with
    training.validation_file, plus data.refine_file added to train. ``with_eval=False`` keeps every
    train record for training and reads no validation data."""
    t = config.training
    train_path = Path(config.data.train_file) if config.data.train_file else _default_dataset("train")
    named, fingerprint = _load("train", train_path)
    fingerprints = [fingerprint]
    if not with_eval:
        train_named, eval_named = named, []
    elif t.validation_file:
        train_named = named
        eval_named, eval_print = _load("validation", Path(t.validation_file))
        fingerprints.append(eval_print)
    else:
        train_named, eval_named = _split(named, t.validation_split, t.seed, train_path)
    if config.data.refine_file:
        refine_named, refine_print = _load("refine", Path(config.data.refine_file))
        train_named = train_named + refine_named
        fingerprints.append(refine_print)
    return train_named, eval_named, fingerprints


def model_config(base: str):
    """The Hugging Face config of ``base`` (a local directory or hub id), with one-line errors."""
    from transformers import AutoConfig

    if base.startswith(("hf:", "openai:")):
        raise ChathpcError(f"model.base '{base}': a local model directory or hub id, without the provider prefix of -m")
    if base.startswith(("/", "./", "../", "~")) and not Path(base).expanduser().exists():
        raise ChathpcError(f"model.base '{base}': no such model directory")
    try:
        return AutoConfig.from_pretrained(base)
    except (OSError, ValueError) as exc:
        raise ChathpcError(f"cannot read the model config of '{base}': {first_line(exc)}") from None


def module_names(model_config) -> tuple[set[str], set[str]]:
    """``(leaf module names, linear module names)`` of an architecture, built on the meta device (no weights)."""
    import torch
    from accelerate import init_empty_weights
    from transformers import AutoModelForCausalLM

    try:
        with init_empty_weights():
            model = AutoModelForCausalLM.from_config(model_config)
    except (ValueError, KeyError, ImportError) as exc:
        raise ChathpcError(f"cannot build a causal LM from this model config: {exc}") from None
    leaves, linear = set(), set()
    for name, module in model.named_modules():
        if name and not any(True for _ in module.children()):
            leaves.add(name)
            if isinstance(module, torch.nn.Linear):
                linear.add(name)
    return leaves, linear


def check_targets(config: RunConfig, model_config) -> list[str]:
    """The LoRA target module names (``all-linear`` expanded), each checked to exist in the architecture."""
    if config.training.method == "full":
        return []
    leaves, linear = module_names(model_config)
    short_linear = sorted({name.rsplit(".", 1)[-1] for name in linear} - {"lm_head"})
    if config.lora.target_modules == "all-linear":
        return short_linear
    for target in config.lora.target_modules:
        if not any(name == target or name.endswith("." + target) for name in leaves):
            raise ConfigError(
                f"lora.target_modules: '{target}' is not a module of {type(model_config).__name__.replace('Config', '')} "
                f"(linear layers: {', '.join(short_linear)}; or all-linear)"
            )
    return list(config.lora.target_modules)


def check_environment(config: RunConfig, placement: Placement) -> None:
    """QLoRA's requirements (LoRA, a CUDA device, bitsandbytes) when ``model.load_in_4bit`` is set."""
    if not config.model.load_in_4bit:
        return
    if config.training.method == "full":
        raise ConfigError("model.load_in_4bit (QLoRA) needs training.method=lora: 4-bit weights cannot be fully trained")
    from chathpc.system import package_version

    if placement.device != "cuda":
        raise ChathpcError("model.load_in_4bit (QLoRA) needs a CUDA device; none is available (set model.load_in_4bit=false)")
    if package_version("bitsandbytes") is None:
        raise ChathpcError("model.load_in_4bit (QLoRA) needs bitsandbytes: pip install 'chathpc[qlora]'")


def _encode_all(named: Named, template, tokenizer, max_len: int, chat: bool) -> list[EncodedExample]:
    return [encode_record(record, template, tokenizer, max_len, where, chat=chat) for where, record in named]


def _estimated_steps(config: RunConfig, n_train: int) -> int:
    t = config.training
    if t.max_steps > 0:
        return t.max_steps
    per_epoch = math.ceil(math.ceil(n_train / t.batch_size) / t.gradient_accumulation_steps)
    return max(1, math.ceil(t.epochs * per_epoch))


def prepare_sft(config: RunConfig) -> SftData:
    """The plan of an SFT (lora or full) run, with its tokenizer and encoded examples."""
    t = config.training
    placement = training_placement(config.model, t.method)
    check_environment(config, placement)
    template = load_template(config.data.template, config.data.system)
    train_named, eval_named, fingerprints = training_records(config)

    base = resolve_base(config.model.base)
    architecture = model_config(base)
    targets = check_targets(config, architecture)
    tokenizer = load_tokenizer(base)
    chat = uses_chat(config.data.prompt_format, tokenizer)
    train = _encode_all(train_named, template, tokenizer, t.max_seq_length, chat)
    evaluation = _encode_all(eval_named, template, tokenizer, t.max_seq_length, chat)

    warnings = []
    longest = max(len(e.input_ids) for e in train + evaluation)
    max_positions = getattr(architecture, "max_position_embeddings", None)
    if max_positions and longest > max_positions:
        warnings.append(f"examples of {longest} tokens exceed the model's {max_positions} positions")
    if not evaluation:
        warnings.append("no validation data: eval loss is not measured (set training.validation_split or validation_file)")
    if config.model.adapter:
        warnings.append(f"model.adapter={config.model.adapter} is ignored: training starts from model.base")
    truncated = [e for e in train + evaluation if e.truncated]
    if truncated:
        warnings.append(f"{len(truncated)} examples longer than training.max_seq_length={t.max_seq_length} are truncated")
    plan = TrainPlan(
        base_model=base,
        method=t.method,
        prompt_format="chat" if chat else "text",
        device=placement.device,
        weights_dtype=placement.weights_dtype,
        autocast=placement.autocast,
        target_modules=targets,
        datasets=fingerprints,
        train_examples=len(train),
        eval_examples=len(evaluation),
        truncated_train=sum(e.truncated for e in train),
        truncated_eval=sum(e.truncated for e in evaluation),
        truncated_items=[e.item for e in truncated],
        longest_example_tokens=longest,
        answer_tokens=sum(e.answer_tokens for e in train),
        estimated_steps=_estimated_steps(config, len(train)),
        warnings=warnings,
    )
    return SftData(plan=plan, tokenizer=tokenizer, train=train, eval=evaluation)

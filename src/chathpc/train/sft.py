"""Supervised fine-tuning with TRL's SFTTrainer, PEFT (LoRA/QLoRA) or full training, and accelerate.

``validate(config)`` checks everything that can be checked without loading weights (datasets,
template, model architecture on the meta device, LoRA target names, tokenized lengths);
``train(config)`` does the same first, then trains into a run directory (layout in
``chathpc.train.runs``) that ``--resume`` continues from its last complete checkpoint. The same
call runs under ``accelerate launch`` or ``torchrun``: every process trains, the main process
writes the run directory.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from chathpc.config import RunConfig
from chathpc.data import Record, load_records, load_template, uses_chat
from chathpc.errors import ChathpcError, ConfigError, DataError
from chathpc.files import atomic_write_text
from chathpc.train import runs
from chathpc.train.device import Placement, torch_dtype, training_placement
from chathpc.train.encode import EncodedExample, encode_record, make_collator

VERSIONED_PACKAGES = ("chathpc", "torch", "transformers", "peft", "trl", "accelerate", "datasets", "tokenizers", "bitsandbytes")


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


class TrainResult(BaseModel):
    """The outcome of a finished run."""

    run_dir: str
    method: str
    base_model: str
    steps: int
    train_loss: float | None
    eval_loss: float | None
    truncated_train: int
    truncated_eval: int
    adapter_dir: str | None
    model_dir: str | None
    resumed_from_step: int | None
    seconds: float


@dataclass
class _Prepared:
    plan: TrainPlan
    tokenizer: Any
    train: list[EncodedExample]
    eval: list[EncodedExample]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def _load(role: str, path: Path) -> tuple[list[tuple[str, Record]], DatasetFingerprint]:
    records = load_records(path)
    named = [(f"{path}:item {i + 1}", record) for i, record in enumerate(records)]
    return named, DatasetFingerprint(role=role, path=str(path.resolve()), sha256=_sha256(path), records=len(records))


def _split(named: list[tuple[str, Record]], fraction: float, seed: int, path: Path) -> tuple[list, list]:
    if fraction <= 0:
        return named, []
    n_eval = max(1, round(len(named) * fraction))
    if len(named) - n_eval < 1:
        raise DataError(f"{path}: {len(named)} records leave nothing to train on after a validation split of {fraction}")
    order = list(range(len(named)))
    random.Random(seed).shuffle(order)
    held = set(order[:n_eval])
    return [x for i, x in enumerate(named) if i not in held], [x for i, x in enumerate(named) if i in held]


def _model_config(base: str):
    from transformers import AutoConfig

    if base.startswith(("hf:", "openai:")):
        raise ChathpcError(f"model.base '{base}': a local model directory or hub id, without the provider prefix of -m")
    if base.startswith(("/", "./", "../", "~")) and not Path(base).expanduser().exists():
        raise ChathpcError(f"model.base '{base}': no such model directory")
    try:
        return AutoConfig.from_pretrained(base)
    except (OSError, ValueError) as exc:
        raise ChathpcError(f"cannot read the model config of '{base}': {runs.first_line(exc)}") from None


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


def _check_targets(config: RunConfig, model_config) -> list[str]:
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


def _check_environment(config: RunConfig, placement: Placement) -> None:
    if not config.model.load_in_4bit:
        return
    if config.training.method == "full":
        raise ConfigError("model.load_in_4bit (QLoRA) needs training.method=lora: 4-bit weights cannot be fully trained")
    from chathpc.system import package_version

    if placement.device != "cuda":
        raise ChathpcError("model.load_in_4bit (QLoRA) needs a CUDA device; none is available (set model.load_in_4bit=false)")
    if package_version("bitsandbytes") is None:
        raise ChathpcError("model.load_in_4bit (QLoRA) needs bitsandbytes: pip install 'chathpc[qlora]'")


def load_tokenizer(path: str):
    """The tokenizer of a model, with a pad token (EOS when the model has none)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
    except (OSError, ValueError) as exc:
        raise ChathpcError(f"cannot load the tokenizer of '{path}': {runs.first_line(exc)}") from None
    if tokenizer.eos_token_id is None:
        raise ChathpcError(f"the tokenizer of '{path}' has no EOS token: answers could never end")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _encode_all(named: list[tuple[str, Record]], template, tokenizer, max_len: int, chat: bool) -> list[EncodedExample]:
    return [encode_record(record, template, tokenizer, max_len, where, chat=chat) for where, record in named]


def _estimated_steps(config: RunConfig, n_train: int) -> int:
    t = config.training
    if t.max_steps > 0:
        return t.max_steps
    per_epoch = math.ceil(math.ceil(n_train / t.batch_size) / t.gradient_accumulation_steps)
    return max(1, math.ceil(t.epochs * per_epoch))


def _prepare(config: RunConfig) -> _Prepared:
    t = config.training
    placement = training_placement(config.model, t.method)
    _check_environment(config, placement)
    template = load_template(config.data.template, config.data.system)

    train_path = Path(config.data.train_file) if config.data.train_file else _default_dataset("train")
    named, fingerprint = _load("train", train_path)
    fingerprints = [fingerprint]
    if t.validation_file:
        train_named = named
        eval_named, eval_print = _load("validation", Path(t.validation_file))
        fingerprints.append(eval_print)
    else:
        train_named, eval_named = _split(named, t.validation_split, t.seed, train_path)
    if config.data.refine_file:
        refine_named, refine_print = _load("refine", Path(config.data.refine_file))
        train_named = train_named + refine_named
        fingerprints.append(refine_print)

    base = resolve_base(config.model.base)
    model_config = _model_config(base)
    targets = _check_targets(config, model_config)
    tokenizer = load_tokenizer(base)
    chat = uses_chat(config.data.prompt_format, tokenizer)
    train = _encode_all(train_named, template, tokenizer, t.max_seq_length, chat)
    evaluation = _encode_all(eval_named, template, tokenizer, t.max_seq_length, chat)

    warnings = []
    longest = max(len(e.input_ids) for e in train + evaluation)
    max_positions = getattr(model_config, "max_position_embeddings", None)
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
    return _Prepared(plan=plan, tokenizer=tokenizer, train=train, eval=evaluation)


def validate(config: RunConfig) -> TrainPlan:
    """Check a training config without loading model weights; returns the plan or raises a ChathpcError."""
    if config.training.method == "grpo":
        from chathpc.train.grpo import validate_grpo

        return validate_grpo(config)
    return _prepare(config).plan


def _versions() -> dict[str, str | None]:
    import platform

    from chathpc.system import package_version

    return {"python": platform.python_version(), **{name: package_version(name) for name in VERSIONED_PACKAGES}}


def _config_dump(config: RunConfig) -> dict[str, Any]:
    return config.model_dump(mode="json")


def _first_difference(old: dict[str, Any], new: dict[str, Any]) -> str | None:
    for section in sorted(set(old) | set(new)):
        for key in sorted(set(old.get(section, {})) | set(new.get(section, {}))):
            if (section, key) == ("training", "output_dir"):
                continue
            a, b = old.get(section, {}).get(key), new.get(section, {}).get(key)
            if a != b:
                return f"{section}.{key}: the run used {a!r}, the config now says {b!r}"
    return None


def _check_run_dir(run_dir: Path, config: RunConfig, plan: TrainPlan, resume: bool, force: bool) -> str:
    """``fresh``, ``resume`` or ``finished``; raises when the directory may not be used."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ChathpcError(f"{run_dir}: exists and is not a directory")
    if not run_dir.exists() or not any(run_dir.iterdir()):
        return "fresh"
    if force:
        cwd = Path.cwd().resolve()
        if run_dir.resolve() in (cwd, *cwd.parents):
            raise ChathpcError(f"{run_dir}: refusing to delete the current directory or one of its parents")
        return "fresh"
    if not resume:
        raise ChathpcError(f"{run_dir}: already exists (use --resume to continue it or --force to start over)")
    if not runs.is_run_dir(run_dir):
        raise ChathpcError(f"{run_dir}: exists but is not a chathpc run directory (nothing to resume)")
    saved = yaml.safe_load((run_dir / runs.CONFIG_FILE).read_text(encoding="utf-8"))
    difference = _first_difference(saved, _config_dump(config))
    if difference:
        raise ConfigError(f"{run_dir}: cannot resume, {difference} (use --force to start over)")
    saved_data = {(d["role"], d["sha256"]) for d in runs.read_run_info(run_dir).get("datasets", [])}
    if saved_data != {(d.role, d.sha256) for d in plan.datasets}:
        raise DataError(f"{run_dir}: cannot resume, the dataset files changed since the run started (use --force to start over)")
    return "finished" if (run_dir / runs.RESULT_FILE).is_file() else "resume"


def _start_run_dir(run_dir: Path, config: RunConfig, plan: TrainPlan, force: bool) -> None:
    if force and run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / runs.CONFIG_FILE).write_text(yaml.safe_dump(_config_dump(config), sort_keys=False), encoding="utf-8")
    info = {
        "method": plan.method,
        "base_model": plan.base_model,
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "status": "running",
        "versions": _versions(),
        "datasets": [d.model_dump() for d in plan.datasets],
        "plan": plan.model_dump(),
    }
    runs.write_json_atomic(run_dir / runs.RUN_INFO_FILE, info)


def _trim_metrics(run_dir: Path, step: int) -> None:
    """Drop metric lines logged after the checkpoint a resumed run restarts from (they are logged again)."""
    path = run_dir / runs.METRICS_FILE
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                kept.append(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a kill
    atomic_write_text(path, "".join(line + "\n" for line in kept))


def _callbacks(run_dir: Path):
    from transformers import TrainerCallback

    class MetricsLog(TrainerCallback):
        """Appends every log record to metrics.jsonl (main process)."""

        def on_log(self, args, state, control, logs=None, **kwargs):
            if state.is_world_process_zero and logs:
                record = {"step": state.global_step, "epoch": state.epoch, **logs, "time": round(time.time(), 3)}
                with (run_dir / runs.METRICS_FILE).open("a", encoding="utf-8") as fh:
                    fh.write(json.dumps(record) + "\n")

    class CheckpointComplete(TrainerCallback):
        """Marks a checkpoint complete once every process has written its part."""

        def on_save(self, args, state, control, **kwargs):
            import torch.distributed as dist

            if dist.is_available() and dist.is_initialized():
                dist.barrier()
            if state.is_world_process_zero:
                checkpoint = Path(args.output_dir) / f"checkpoint-{state.global_step}"
                (checkpoint / runs.CHECKPOINT_COMPLETE).write_text(f"{state.global_step}\n", encoding="utf-8")

    return [MetricsLog(), CheckpointComplete()]


def _sft_args(config: RunConfig, plan: TrainPlan, run_dir: Path, progress: bool):
    from trl import SFTConfig

    t = config.training
    has_eval = plan.eval_examples > 0
    return SFTConfig(
        output_dir=str(run_dir / runs.CHECKPOINTS_DIR),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        learning_rate=t.learning_rate,
        lr_scheduler_type=t.lr_scheduler,
        warmup_steps=t.warmup_ratio,
        weight_decay=t.weight_decay,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.batch_size,
        gradient_accumulation_steps=t.gradient_accumulation_steps,
        activation_checkpointing=t.gradient_checkpointing,
        activation_checkpointing_kwargs={"use_reentrant": False} if t.gradient_checkpointing else None,
        seed=t.seed,
        data_seed=t.seed,
        bf16=plan.autocast == "bf16",
        fp16=plan.autocast == "fp16",
        use_cpu=plan.device == "cpu",
        logging_steps=t.logging_steps,
        logging_first_step=True,
        save_strategy="steps",
        save_steps=t.save_steps,
        save_total_limit=2,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=t.eval_steps,
        report_to="none",
        disable_tqdm=not progress,
        max_length=None,
        dataset_kwargs={"skip_prepare_dataset": True},
        ddp_find_unused_parameters=False,
    )


def _load_model(config: RunConfig, plan: TrainPlan, local_rank: int):
    from transformers import AutoModelForCausalLM

    kwargs: dict[str, Any] = {"dtype": torch_dtype(plan.weights_dtype)}
    if config.model.load_in_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch_dtype("bfloat16" if plan.autocast == "bf16" else "float16"),
        )
        kwargs["device_map"] = {"": local_rank}
    try:
        model = AutoModelForCausalLM.from_pretrained(plan.base_model, **kwargs)
    except (OSError, ValueError) as exc:
        raise ChathpcError(f"cannot load the model '{plan.base_model}': {runs.first_line(exc)}") from None
    if config.training.gradient_checkpointing:
        model.config.use_cache = False
    return model


def _peft_config(config: RunConfig, plan: TrainPlan):
    if plan.method == "full":
        return None
    from peft import LoraConfig as PeftLoraConfig

    return PeftLoraConfig(
        r=config.lora.r,
        lora_alpha=config.lora.alpha,
        lora_dropout=config.lora.dropout,
        target_modules=config.lora.target_modules,
        bias="none",
        task_type="CAUSAL_LM",
    )


def _dataset(examples: list[EncodedExample]):
    from datasets import Dataset

    return Dataset.from_dict({"input_ids": [e.input_ids for e in examples], "labels": [e.labels for e in examples]})


def open_run_dir(run_dir: Path, config: RunConfig, plan: TrainPlan, *, resume: bool, force: bool, main: bool):
    """``(state, checkpoint, resumed_from_step)``: the run directory checked, started or prepared for resuming."""
    from accelerate import PartialState

    # Every process checks (read-only) before the main process writes anything.
    state = _check_run_dir(run_dir, config, plan, resume, force)
    PartialState().wait_for_everyone()
    if state == "finished":
        return state, None, None
    if main and state == "fresh":
        _start_run_dir(run_dir, config, plan, force)
    checkpoints = runs.complete_checkpoints(run_dir) if state == "resume" else []
    checkpoint = checkpoints[-1] if checkpoints else None
    resumed_from = int(checkpoint.name.split("-")[1]) if checkpoint else None
    if main and state == "resume":
        _trim_metrics(run_dir, resumed_from or 0)
    PartialState().wait_for_everyone()
    return state, checkpoint, resumed_from


def save_final(trainer, run_dir: Path, method: str, tokenizer, main: bool) -> Path:
    """Save the trained weights (+ tokenizer) into the run's adapter/ or model/ through a staging directory."""
    final_name = runs.ADAPTER_DIR if method in runs.ADAPTER_METHODS else runs.MODEL_DIR
    final, staging = run_dir / final_name, run_dir / f".{final_name}.tmp"
    if main and staging.exists():
        shutil.rmtree(staging)
    trainer.accelerator.wait_for_everyone()
    if trainer.is_fsdp_enabled:  # the final weights as one file, not per-rank shards
        trainer.accelerator.state.fsdp_plugin.set_state_dict_type("FULL_STATE_DICT")
    trainer.save_model(str(staging))
    trainer.accelerator.wait_for_everyone()
    if main:
        tokenizer.save_pretrained(str(staging))
        if final.exists():
            shutil.rmtree(final)
        staging.replace(final)
    return final


def finish_run(trainer, run_dir: Path, result: BaseModel, main: bool) -> None:
    """Mark the run finished and write result.json (its presence means finished)."""
    if main:
        info = runs.read_run_info(run_dir)
        info.update(status="finished", finished=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        runs.write_json_atomic(run_dir / runs.RUN_INFO_FILE, info)
        runs.write_json_atomic(run_dir / runs.RESULT_FILE, result.model_dump())
    trainer.accelerator.wait_for_everyone()


def train(config: RunConfig, *, resume: bool = False, force: bool = False, progress: bool = True) -> TrainResult:
    """Fine-tune ``config.model.base`` on the configured data into ``config.training.output_dir``.

    ``resume`` continues an interrupted run from its last complete checkpoint (a finished run
    returns its result); ``force`` deletes an existing run directory first. ``training.method=grpo``
    runs ``chathpc.train.grpo.train_grpo``.
    """
    if config.training.method == "grpo":
        from chathpc.train.grpo import train_grpo

        return train_grpo(config, resume=resume, force=force, progress=progress)
    started = time.time()
    prepared = _prepare(config)
    plan = prepared.plan
    run_dir = Path(config.training.output_dir)
    args = _sft_args(config, plan, run_dir, progress)
    main = args.process_index == 0

    state, checkpoint, resumed_from = open_run_dir(run_dir, config, plan, resume=resume, force=force, main=main)
    if state == "finished":
        return TrainResult(**runs.read_json(run_dir / runs.RESULT_FILE))

    from trl import SFTTrainer
    from transformers import PrinterCallback

    model = _load_model(config, plan, args.local_process_index)
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=_dataset(prepared.train),
        eval_dataset=_dataset(prepared.eval) if prepared.eval else None,
        processing_class=prepared.tokenizer,
        data_collator=make_collator(prepared.tokenizer),
        peft_config=_peft_config(config, plan),
        callbacks=_callbacks(run_dir),
    )
    if not progress:
        trainer.remove_callback(PrinterCallback)
    output = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    eval_loss = None
    if prepared.eval:
        evals = [entry for entry in trainer.state.log_history if "eval_loss" in entry]
        last_is_final = evals and evals[-1].get("step") == output.global_step
        eval_loss = evals[-1]["eval_loss"] if last_is_final else trainer.evaluate()["eval_loss"]

    final = save_final(trainer, run_dir, plan.method, prepared.tokenizer, main)
    losses = [entry["loss"] for entry in trainer.state.log_history if "loss" in entry]
    result = TrainResult(
        run_dir=str(run_dir),
        method=plan.method,
        base_model=plan.base_model,
        steps=output.global_step,
        train_loss=losses[-1] if losses else output.training_loss,
        eval_loss=eval_loss,
        truncated_train=plan.truncated_train,
        truncated_eval=plan.truncated_eval,
        adapter_dir=str(final) if plan.method == "lora" else None,
        model_dir=str(final) if plan.method == "full" else None,
        resumed_from_step=resumed_from,
        seconds=round(time.time() - started, 3),
    )
    finish_run(trainer, run_dir, result, main)
    return result

"""Reinforcement learning from verification: ``training.method=grpo`` with TRL's GRPOTrainer.

Prompts are the train (+ refine) records rendered by ``chathpc.data.render_example`` in ``data.prompt_format``
(the renderer and format SFT and inference use). For each prompt ``grpo.generations`` completions are sampled; each is extracted and
checked by the harness inside the reward function (``chathpc.train.reward``), and GRPO moves a LoRA
adapter towards the completions that scored above their group's mean. The starting point is any model
``train`` accepts: a hub id or local model (a new adapter from ``lora.*``), or a run directory or adapter
(a LoRA run's adapter is trained further; a full run's model gets a new adapter). The run directory,
``--resume``, metrics and result are those of SFT (``chathpc.train.runs``, ``chathpc.train.callbacks``,
``chathpc.train.finish``), plus ``rewards.jsonl``: every unique program checked, with its verdict and reward.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chathpc.config import RunConfig
from chathpc.data import Record, load_template, render_example, uses_chat
from chathpc.errors import ConfigError, DataError
from chathpc.models import run_layout
from chathpc.models.device import training_placement
from chathpc.models.loading import load_tokenizer, resolve_model_source
from chathpc.train import build, runs
from chathpc.train.callbacks import run_callbacks
from chathpc.train.finish import finish_run, save_final
from chathpc.train.plan import TrainPlan, check_environment, check_targets, model_config, resolve_base, training_records
from chathpc.train.reward import REWARDS_FILE, RewardItem, VerificationReward, add_hidden_args


class GrpoPlan(TrainPlan):
    """A GRPO run's plan: the SFT plan's fields (examples = prompts) plus where it starts and what it checks."""

    start_adapter: str | None
    prompt_items: list[str]
    longest_prompt_tokens: int
    vllm: bool = False


class GrpoResult(runs.TrainResult):
    """A finished GRPO run: the SFT result's fields plus the last logged reward and pass rate."""

    reward: float | None
    pass_rate: float | None


@dataclass
class _Prepared:
    plan: GrpoPlan
    tokenizer: Any
    prompts: list[str]
    items: list[RewardItem]
    answers: list[str | None]
    marker: str


def reward_items(named: list[tuple[str, Record]], tasks_root: str | Path | None = None,
                 ) -> tuple[list[int], list[RewardItem], list[str | None], list[str]]:
    """Indices of the records that can be checked by execution, their reward items (each with its task's
    language options and answer template), expert programs and warnings; tasks are those of ``tasks_root``
    (default: the built-in suite)."""
    from chathpc.evaluate.items import answer_program, item_check, suite_tasks

    tasks = suite_tasks([record for _, record in named], tasks_root)
    kept, items, answers, skipped = [], [], [], []
    for index, (where, record) in enumerate(named):
        check = item_check(record, tasks)
        if check.mode != "execution":
            skipped.append(record.id or where)
            continue
        kept.append(index)
        item = RewardItem(**check.model_dump(exclude={"args", "options", "template"}), options=check.options,
                          template=check.template, id=record.id or f"item{index}", args=check.args or [[]])
        items.append(item)
        answers.append(answer_program(record.answer, item, None) if record.answer.strip() else None)
    warnings = [f"{len(skipped)} records have no sequential program to check against and are left out: {', '.join(skipped[:5])}"] if skipped else []
    return kept, items, answers, warnings


def _prepare(config: RunConfig) -> _Prepared:
    g, t = config.grpo, config.training
    placement = training_placement(config.model, "lora")
    check_environment(config, placement)
    vllm = use_vllm(config, placement.device)
    template = load_template(config.data.template, config.data.system)
    named, _, fingerprints = training_records(config, with_eval=False)
    kept, items, answers, warnings = reward_items(named)
    if not items:
        raise DataError("no training record has a sequential program to check its completions against (GRPO needs one)")

    source = resolve_model_source(config.model.base, config.model.adapter)
    if len(source.adapters) > 1:
        raise ConfigError(f"GRPO starts from one adapter at most; {config.model.base} with model.adapter stacks two (merge them first)")
    start_adapter = source.adapters[0] if source.adapters else None
    base = resolve_base(source.base)
    architecture = model_config(base)
    if start_adapter:
        adapter_config = json.loads((Path(start_adapter) / "adapter_config.json").read_text(encoding="utf-8"))
        targets = adapter_config.get("target_modules") or []
        targets = sorted(targets) if isinstance(targets, list) else [str(targets)]
        warnings.append(f"training continues the adapter {start_adapter}: its shape is kept, lora.* is not used")
    else:
        targets = check_targets(config, architecture)
    tokenizer = load_tokenizer(source.tokenizer)
    chat = uses_chat(config.data.prompt_format, tokenizer)  # the format SFT trained in and inference prompts with
    prompts = [render_example(named[i][1], template, tokenizer, chat=chat)[0] for i in kept]
    lengths = [len(tokenizer(p, add_special_tokens=True)["input_ids"]) for p in prompts]
    longest = max(lengths) + g.max_completion_length
    max_positions = getattr(architecture, "max_position_embeddings", None)
    if max_positions and longest > max_positions:
        warnings.append(f"prompts plus grpo.max_completion_length reach {longest} tokens, beyond the model's {max_positions} positions")
    if t.max_steps > 0:
        steps = t.max_steps
    else:
        steps = max(1, math.ceil(t.epochs * math.ceil(len(prompts) / (g.prompts_per_step * t.gradient_accumulation_steps))))
    plan = GrpoPlan(
        base_model=base, method="grpo", device=placement.device, weights_dtype=placement.weights_dtype,
        vllm=vllm, autocast=placement.autocast, target_modules=targets, datasets=fingerprints, train_examples=len(prompts),
        eval_examples=0, truncated_train=0, truncated_eval=0, truncated_items=[], longest_example_tokens=longest,
        answer_tokens=0, estimated_steps=steps, warnings=warnings, start_adapter=start_adapter,
        prompt_items=[item.id for item in items], longest_prompt_tokens=max(lengths),
    )
    return _Prepared(plan=plan, tokenizer=tokenizer, prompts=prompts, items=items, answers=answers,
                     marker=template.answer_marker)


def validate_grpo(config: RunConfig) -> GrpoPlan:
    """Check a GRPO config without loading weights or running checks; returns the plan."""
    return _prepare(config).plan


def use_vllm(config: RunConfig, device: str) -> bool:
    """Whether completions are sampled with vLLM (``grpo.vllm``): only on CUDA with the vllm package installed."""
    import importlib.util

    if config.grpo.vllm == "off":
        return False
    available = device == "cuda" and importlib.util.find_spec("vllm") is not None
    if config.grpo.vllm == "on" and not available:
        raise ConfigError(f"grpo.vllm=on needs a CUDA device and the vllm package (device here: {device}); use auto or off")
    return available


def _grpo_args(config: RunConfig, plan: GrpoPlan, run_dir: Path, progress: bool):
    from trl import GRPOConfig

    g = config.grpo
    return GRPOConfig(
        **build.trainer_arguments(config, plan, run_dir, progress),
        per_device_train_batch_size=g.generations * g.prompts_per_step,
        num_generations=g.generations,
        max_completion_length=g.max_completion_length,
        temperature=g.temperature,
        beta=g.beta,
        remove_unused_columns=False,
        use_vllm=plan.vllm,
        vllm_mode="colocate",
    )


def _trainer_class():
    from trl import GRPOTrainer

    class VerifiedGRPOTrainer(GRPOTrainer):
        """GRPOTrainer that logs per step the seconds spent generating, checking and learning, and with
        ``grpo.drop_zero_spread`` masks the completions of groups that all scored the same out of the loss."""

        def __init__(self, *args, verification: VerificationReward, **kwargs):
            super().__init__(*args, **kwargs)
            self._verification = verification
            self._generating = self._stepping = 0.0
            self._checked_at = verification.seconds

        def _generate(self, prompts):
            start = time.perf_counter()
            try:
                return super()._generate(prompts)
            finally:
                self._generating += time.perf_counter() - start

        def _generate_and_score_completions(self, inputs):
            output = super()._generate_and_score_completions(inputs)
            if self._verification.grpo.drop_zero_spread and any(self._verification.zero_spread):
                import torch

                mask = output["completion_mask"]
                kept = torch.tensor([not flat for flat in self._verification.zero_spread], device=mask.device, dtype=mask.dtype)
                output["completion_mask"] = mask * kept.unsqueeze(1)
                output["num_items_in_batch"] = self.accelerator.gather(output["completion_mask"].sum()).sum()
            return output

        def training_step(self, model, inputs, num_items_in_batch):
            start = time.perf_counter()
            output = super().training_step(model, inputs, num_items_in_batch)
            self._stepping += time.perf_counter() - start
            if self._step % self.current_gradient_accumulation_steps == 0:
                checking = self._verification.seconds - self._checked_at
                metrics = self._metrics["train"]
                metrics["seconds_generating"].append(self._generating)
                metrics["seconds_checking"].append(checking)
                metrics["seconds_learning"].append(max(0.0, self._stepping - self._generating - checking))
                self._generating = self._stepping = 0.0
                self._checked_at = self._verification.seconds
            return output

    return VerifiedGRPOTrainer


def train_grpo(config: RunConfig, *, resume: bool = False, force: bool = False, progress: bool = True) -> GrpoResult:
    """GRPO-train a LoRA adapter into ``training.output_dir``, rewarded by the harness (see module docs)."""
    started = time.time()
    prepared = _prepare(config)
    plan = prepared.plan
    run_dir = Path(config.training.output_dir)
    args = _grpo_args(config, plan, run_dir, progress)
    main = args.process_index == 0
    state, checkpoint, resumed_from = runs.open_run_dir(run_dir, config, plan, resume=resume, force=force, main=main)
    if state == "finished":
        return GrpoResult(**run_layout.read_json(run_dir / run_layout.RESULT_FILE))

    from datasets import Dataset
    from transformers import PrinterCallback

    warnings = add_hidden_args(prepared.items, prepared.answers, config.harness, config.training.seed) if config.grpo.hidden_args else []
    if main and progress:
        for warning in warnings:
            print(f"warning: {warning}")
    reward = VerificationReward(prepared.items, config.grpo, config.harness, marker=prepared.marker,
                                log_path=run_dir / REWARDS_FILE if main else None)
    model = build.load_model(config, plan, args.local_process_index)
    peft_config = None
    if plan.start_adapter:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, plan.start_adapter, is_trainable=True)
    else:
        peft_config = build.peft_config(config, plan)
    dataset = Dataset.from_dict({"prompt": prepared.prompts, "item": list(range(len(prepared.prompts)))})
    trainer = _trainer_class()(
        model=model, reward_funcs=[reward], args=args, train_dataset=dataset, processing_class=prepared.tokenizer,
        peft_config=peft_config, callbacks=run_callbacks(run_dir), verification=reward,
    )
    if not progress:
        trainer.remove_callback(PrinterCallback)
    output = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    unwrapped = trainer.accelerator.unwrap_model(trainer.model)
    if "ref" in getattr(unwrapped, "peft_config", {}):
        unwrapped.delete_adapter("ref")  # TRL's frozen copy of the starting adapter (the KL reference)
    final = save_final(trainer, run_dir, plan.method, prepared.tokenizer, main)
    history = trainer.state.log_history

    def last(key: str) -> float | None:
        return next((entry[key] for entry in reversed(history) if entry.get(key) is not None), None)

    result = GrpoResult(
        run_dir=str(run_dir), method=plan.method, base_model=plan.base_model, steps=output.global_step,
        train_loss=last("loss"), eval_loss=None, truncated_train=0, truncated_eval=0, adapter_dir=str(final),
        model_dir=None, resumed_from_step=resumed_from, seconds=round(time.time() - started, 3),
        reward=last("reward"), pass_rate=last("pass_rate"),
    )
    finish_run(trainer, run_dir, result, main)
    return result

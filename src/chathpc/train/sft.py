"""Supervised fine-tuning with TRL's SFTTrainer, PEFT (LoRA/QLoRA) or full training, and accelerate.

``train_sft(config)`` plans the run first (``chathpc.train.plan``: nothing heavy is loaded before the
config, data and model architecture are checked), then trains into a run directory (layout and
state in ``chathpc.train.runs``) that ``--resume`` continues from its last complete checkpoint. The
same call runs under ``accelerate launch`` or ``torchrun``: every process trains, the main process
writes the run directory. The model, LoRA config and datasets come from ``chathpc.train.build``,
the callbacks from ``chathpc.train.callbacks``, the end of the run from ``chathpc.train.finish``.
"""

from __future__ import annotations

import time
from pathlib import Path

from chathpc.config import RunConfig
from chathpc.models import run_layout
from chathpc.train import build, runs
from chathpc.train.callbacks import run_callbacks
from chathpc.train.encode import make_collator
from chathpc.train.finish import finish_run, save_final
from chathpc.train.plan import TrainPlan, prepare_sft
from chathpc.train.runs import TrainResult


def _sft_args(config: RunConfig, plan: TrainPlan, run_dir: Path, progress: bool):
    from trl import SFTConfig

    t = config.training
    has_eval = plan.eval_examples > 0
    return SFTConfig(
        **build.trainer_arguments(config, plan, run_dir, progress),
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.batch_size,
        activation_checkpointing_kwargs={"use_reentrant": False} if t.gradient_checkpointing else None,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=t.eval_steps,
        max_length=None,
        dataset_kwargs={"skip_prepare_dataset": True},
    )


def train_sft(config: RunConfig, *, resume: bool = False, force: bool = False, progress: bool = True) -> TrainResult:
    """Fine-tune ``config.model.base`` (``training.method`` lora or full) on the configured data into
    ``config.training.output_dir``.

    ``resume`` continues an interrupted run from its last complete checkpoint (a finished run
    returns its result); ``force`` deletes an existing run directory first.
    """
    started = time.time()
    prepared = prepare_sft(config)
    plan = prepared.plan
    run_dir = Path(config.training.output_dir)
    args = _sft_args(config, plan, run_dir, progress)
    main = args.process_index == 0

    state, checkpoint, resumed_from = runs.open_run_dir(run_dir, config, plan, resume=resume, force=force, main=main)
    if state == "finished":
        return TrainResult(**run_layout.read_json(run_dir / run_layout.RESULT_FILE))

    from transformers import PrinterCallback
    from trl import SFTTrainer

    model = build.load_model(config, plan, args.local_process_index)
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=build.examples_dataset(prepared.train),
        eval_dataset=build.examples_dataset(prepared.eval) if prepared.eval else None,
        processing_class=prepared.tokenizer,
        data_collator=make_collator(prepared.tokenizer),
        peft_config=build.peft_config(config, plan),
        callbacks=run_callbacks(run_dir),
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


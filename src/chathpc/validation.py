"""``validate``: everything that can be checked before a model or a GPU is touched, in one report.

Each check is named after what it looks at (``config``, ``data.train_file``, ``template``,
``model hf:runs/x``, ``harness`` (compiler, launcher, sandbox), ``tasks``, ``training``) and ends
``ok`` (with a detail such as a record count) or ``failed`` (with the one-line error the real run
would have given). A failed config stops the report there: nothing else can be read without it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Literal, Sequence

from pydantic import BaseModel

from chathpc.config import RunConfig, resolve_config
from chathpc.errors import ChathpcError


class ValidationCheck(BaseModel):
    """One thing checked and what was found."""

    name: str
    status: Literal["ok", "failed", "skipped"]
    detail: str = ""


class ValidationReport(BaseModel):
    """Every check, in the order they ran; ``ok`` when none failed."""

    checks: list[ValidationCheck]

    @property
    def ok(self) -> bool:
        return all(check.status != "failed" for check in self.checks)


def _run(checks: list[ValidationCheck], name: str, probe: Callable[[], str]) -> bool:
    """Run ``probe`` (returns a detail or raises ChathpcError/OSError) and record it; True when it passed."""
    try:
        detail = probe()
    except (ChathpcError, OSError) as exc:
        checks.append(ValidationCheck(name=name, status="failed", detail=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
        return False
    checks.append(ValidationCheck(name=name, status="ok", detail=detail))
    return True


def _records_detail(path: str | Path) -> str:
    from chathpc.data import load_records

    records = load_records(path)
    if not records:
        raise ChathpcError(f"{path}: no records")
    return f"{len(records)} records in {path}"


def _model_detail(spec: str) -> str:
    """Spec syntax, a known provider, and for ``hf`` and ``llamacpp`` a local path that exists (a hub id is only named)."""
    from chathpc.providers import available_providers, parse_spec

    provider, name = parse_spec(spec)
    if provider not in available_providers():
        raise ChathpcError(f"model spec '{spec}': unknown provider '{provider}'; available: {', '.join(available_providers())}")
    if provider not in ("hf", "llamacpp") or name is None:
        return f"provider {provider}" + (f", model {name}" if name else "")
    path = Path(name).expanduser()
    if path.exists():
        return f"local model {path}"
    looks_local = name.startswith((".", "/", "~")) or name.endswith(".gguf") or name.count("/") != 1
    if looks_local:
        raise ChathpcError(f"model spec '{spec}': {name} does not exist")
    return f"hub id {name} (not downloaded by validate)"


def validate_setup(
    config_path: str | os.PathLike[str] | None = None,
    overrides: Sequence[str] | None = None,
    *,
    models: Sequence[str] = (),
    tasks_dir: str | os.PathLike[str] | None = None,
    training: bool = False,
) -> ValidationReport:
    """Check the config, its data and template, model specs, MPI tools, sandbox, task dir and (with
    ``training``) the training plan, without loading weights; see the module docs."""
    checks: list[ValidationCheck] = []
    resolved: list[RunConfig] = []

    def config_probe() -> str:
        result = resolve_config(config_path, list(overrides or []))
        resolved.append(result.config)
        changed = sorted(key for key, source in result.sources.items() if source != "default")
        return f"{len(changed)} values set ({', '.join(changed[:6])}{' ...' if len(changed) > 6 else ''})" if changed else "defaults"

    if not _run(checks, "config", config_probe):
        return ValidationReport(checks=checks)
    config = resolved[0]
    from chathpc.tasks import dataset_file

    for split, path in (("train", config.data.train_file), ("test", config.data.test_file), ("refine", config.data.refine_file)):
        if path is None and split == "refine":
            checks.append(ValidationCheck(name="data.refine_file", status="skipped", detail="not set"))
            continue
        _run(checks, f"data.{split}_file", lambda p=path or dataset_file(split): _records_detail(p))

    def template_probe() -> str:
        from chathpc.data import load_records, load_template, render_prompt

        template = load_template(config.data.template, config.data.system)
        first = load_records(config.data.train_file or dataset_file("train"))[:1]
        if not first:
            return f"{config.data.template}: loads (no record to render)"
        return f"{config.data.template}: the first train prompt renders ({len(render_prompt(first[0], template))} characters)"

    _run(checks, "template", template_probe)
    for spec in models:
        _run(checks, f"model {spec}", lambda s=spec: _model_detail(s))
    harness = config.harness

    def harness_probe() -> str:
        from chathpc.harness import preflight

        isolation = preflight(harness)
        return f"{harness.cc}, {harness.launcher}; isolation {isolation} (asked: {harness.sandbox})"

    _run(checks, "harness", harness_probe)
    if tasks_dir is not None:
        def tasks_probe() -> str:
            from chathpc.tasks import load_suite

            if not Path(tasks_dir).is_dir():
                raise ChathpcError(f"{tasks_dir}: task directory not found")
            tasks = load_suite(root=tasks_dir)
            if not tasks:
                raise ChathpcError(f"{tasks_dir}: holds no task")
            return f"{len(tasks)} tasks in {tasks_dir}"

        _run(checks, "tasks", tasks_probe)
    if training:
        def training_probe() -> str:
            from chathpc.train import validate

            plan = validate(config)
            return f"{plan.method} on {plan.base_model}: {plan.train_examples} train examples, ~{plan.estimated_steps} steps"

        _run(checks, "training", training_probe)
    else:
        checks.append(ValidationCheck(name="training", status="skipped", detail="add --train to check the training plan (loads the tokenizer)"))
    return ValidationReport(checks=checks)

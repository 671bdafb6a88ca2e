"""Prompt templates: Jinja2 text with exactly one answer split point, ``{{ answer }}``.

Everything before the split point is the prompt (what a model is given at inference, and the
masked part at training); the answer and everything after it (e.g. an end marker) is what the
model learns to produce. ``render_prompt`` and ``render_example`` are the only renderers: the
trainer, the providers and the evaluation all call them, so prompts are identical everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2

from chathpc.data.records import Record
from chathpc.errors import ChathpcError
from chathpc.files import read_text_file

ANSWER_SLOT = re.compile(r"\{\{-?\s*answer\s*-?\}\}")

DEFAULT_SYSTEM = (
    "You are ChatHPC, an assistant for HPC developers. Your job is {{ context or 'HPC programming' }}. "
    "Answer the question with complete, correct and efficient code."
)

BUILTIN_TEMPLATES = {
    "chathpc": (
        "{{ system }}\n\n"
        "### Context:\n{{ context }}\n\n"
        "### Question:\n{{ question }}\n\n"
        "### Answer:\n{{ answer }}"
    ),
    "plain": "{{ question }}\n\n{{ answer }}",
}


@dataclass(frozen=True)
class PromptTemplate:
    """A parsed template: the prompt part, the completion part, and the default system text."""

    source: str
    name: str = "inline"
    default_system: str = DEFAULT_SYSTEM

    def __post_init__(self) -> None:
        slots = ANSWER_SLOT.findall(self.source)
        if len(slots) != 1:
            raise ChathpcError(
                f"template {self.name}: needs exactly one answer split point '{{{{ answer }}}}', found {len(slots)}"
            )
        try:
            _environment().parse(self.source)
        except jinja2.TemplateSyntaxError as exc:
            raise ChathpcError(f"template {self.name}: line {exc.lineno}: {exc.message}") from None

    @property
    def prompt_part(self) -> str:
        return ANSWER_SLOT.split(self.source, maxsplit=1)[0]

    @property
    def completion_part(self) -> str:
        return ANSWER_SLOT.split(self.source, maxsplit=1)[1]

    @property
    def answer_marker(self) -> str:
        """The last non-empty line before the answer slot (used to find answers in raw output)."""
        lines = [line for line in self.prompt_part.splitlines() if line.strip()]
        return lines[-1].strip() if lines and "{" not in lines[-1] else ""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)


def load_template(spec: str = "chathpc", system: str | None = None) -> PromptTemplate:
    """A template from a built-in name, a file path, or inline Jinja2 text."""
    default_system = system if system is not None else DEFAULT_SYSTEM
    if spec in BUILTIN_TEMPLATES:
        return PromptTemplate(BUILTIN_TEMPLATES[spec], name=spec, default_system=default_system)
    if "{{" in spec:
        return PromptTemplate(spec, name="inline", default_system=default_system)
    path = Path(spec)
    if not path.exists():
        names = ", ".join(BUILTIN_TEMPLATES)
        raise ChathpcError(f"template '{spec}': not a built-in ({names}), a file, or inline Jinja2 text")
    try:
        text = read_text_file(path)  # one-line errors: a directory, unreadable, not UTF-8
    except ChathpcError as exc:
        raise ChathpcError(f"template {exc}") from None
    return PromptTemplate(text, name=str(path), default_system=default_system)


def _variables(record: Record, template: PromptTemplate) -> dict[str, str]:
    env = _environment()
    system_source = record.system if record.system is not None else template.default_system
    system = env.from_string(system_source).render(context=record.context, question=record.question)
    return {"system": system, "context": record.context, "question": record.question}


def render_prompt(record: Record, template: PromptTemplate | None = None) -> str:
    """The prompt for a record: the template rendered up to the answer split point."""
    template = template or load_template()
    try:
        return _environment().from_string(template.prompt_part).render(**_variables(record, template))
    except jinja2.UndefinedError as exc:
        raise ChathpcError(f"template {template.name}: {exc.message}") from None


def render_example(record: Record, template: PromptTemplate | None = None) -> tuple[str, str]:
    """``(prompt, completion)`` for training: the completion is the answer plus the template's tail."""
    template = template or load_template()
    prompt = render_prompt(record, template)
    tail = _environment().from_string(template.completion_part).render(**_variables(record, template))
    return prompt, record.answer + tail

"""Prompt templates: Jinja2 text with exactly one answer split point, ``{{ answer }}``.

Everything before the split point is the prompt (what a model is given at inference, and the
masked part at training); the answer and everything after it (e.g. an end marker) is what the
model learns to produce. ``render_prompt`` and ``render_example`` are the only renderers: the
trainer, the providers and the evaluation all call them, so prompts are identical everywhere.

Two formats (``data.prompt_format``): ``text`` renders the template above; ``chat`` (what ``auto``
picks when the tokenizer has a chat template) turns the same record into messages (``chat_messages``:
system text, then the context and question as the user turn, then the answer as the assistant
turn) rendered by the tokenizer's own chat template. Training puts the loss on the assistant turn
and its end-of-turn marker; inference renders system + user with the generation prompt.
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


PROMPT_FORMATS = ("auto", "text", "chat")


def uses_chat(prompt_format: str, tokenizer=None) -> bool:
    """Whether prompts are chat messages: ``chat``; ``auto`` when ``tokenizer`` has a chat template
    (no tokenizer, e.g. an endpoint: chat); ``text`` never."""
    if prompt_format not in PROMPT_FORMATS:
        raise ChathpcError(f"data.prompt_format '{prompt_format}': choose from {', '.join(PROMPT_FORMATS)}")
    if prompt_format == "text":
        return False
    has_template = tokenizer is None or bool(getattr(tokenizer, "chat_template", None))
    if prompt_format == "chat" and not has_template:
        raise ChathpcError("data.prompt_format is 'chat' but the tokenizer has no chat template (use text or auto)")
    return has_template


def chat_messages(record: Record, template: PromptTemplate | None = None, *, with_answer: bool = False) -> list[dict[str, str]]:
    """The record as chat messages: system, user (context and question), and with ``with_answer`` the assistant's answer."""
    template = template or load_template()
    variables = _variables(record, template)
    user = f"{record.context}\n\n{record.question}" if record.context.strip() else record.question
    messages = [{"role": "system", "content": variables["system"]}, {"role": "user", "content": user}]
    if with_answer:
        messages.append({"role": "assistant", "content": record.answer})
    return messages


def render_chat(messages: list[dict[str, str]], tokenizer, *, generation_prompt: bool = True) -> str:
    """Messages through the tokenizer's chat template: with ``generation_prompt`` the inference prompt
    (system + user turns, then the assistant's opening), else a whole training conversation."""
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)


def render_example(record: Record, template: PromptTemplate | None = None, tokenizer=None, *, chat: bool = False) -> tuple[str, str]:
    """``(prompt, completion)`` for training: the completion is the answer plus the template's tail
    (text), or the assistant turn through its end-of-turn marker (``chat``, with ``tokenizer``)."""
    template = template or load_template()
    if chat:
        prompt = render_chat(chat_messages(record, template), tokenizer)
        full = render_chat(chat_messages(record, template, with_answer=True), tokenizer, generation_prompt=False)
        if not full.startswith(prompt):
            raise ChathpcError("the tokenizer's chat template does not render the answer after the generation prompt; use data.prompt_format=text")
        return prompt, full[len(prompt):].rstrip("\n")
    prompt = render_prompt(record, template)
    tail = _environment().from_string(template.completion_part).render(**_variables(record, template))
    return prompt, record.answer + tail

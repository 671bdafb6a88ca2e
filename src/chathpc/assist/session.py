"""``chathpc run``: an interactive, multi-turn session with streaming answers and execution checks.

Lines are questions, except commands:

- ``/file seq.c``: load a sequential C program and ask for its MPI version (the same prompt as
  ``parallelize`` and the suite records; starts a new conversation); under an assistant kind whose input is a
  parallel program (portability, optimization), that program, and the kind's request,
- ``/sequential seq.c``: the sequential program ``/check`` compares with when the loaded program is not sequential,
- ``/check``: verify the last answer's program against the sequential program with the harness
  (timed), and show the verdict, the speedup per rank count and the bytes each run moved; under an optimization
  kind also its speed against the loaded program (it must be ``harness.optimize_margin`` faster),
- ``/save out.c [--force]``: write the last answer's program (an existing file needs --force),
- ``/context [KIND | text]``: show the context and the assistant kinds, switch to a kind by name (its context,
  request wording, target and check: ``/context openmp-to-kokkos``), or set the context to free text,
- ``/reset``: forget the conversation and the loaded program, ``/help``, ``/bye`` (or end of input).

A line ``\"\"\"`` starts a multi-line message that ends at the next ``\"\"\"`` line. Follow-up
questions carry the earlier turns in the question, rendered with the run's template.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from chathpc.assist.parallelize import bytes_moved, kind_record, translation_record, write_program
from chathpc.config import RunConfig
from chathpc.data import Record, load_template
from chathpc.errors import ChathpcError
from chathpc.extract import extract_code
from chathpc.files import os_error_text, read_text_file
from chathpc.providers.base import Provider, generation_request
from chathpc.tasks.kinds import KIND_NAMES, KINDS, AssistantKind
from chathpc.tasks.loader import TARGET_TITLES

HELP = """commands:
  /file PATH          load a sequential C program and ask for its MPI version (or the kind's input program)
  /sequential PATH    the sequential program /check compares with (portability and optimization kinds)
  /check              verify the last answer against the sequential program (verdict, speedup, comm)
  /save PATH [--force]  write the last answer's program
  /context [KIND|TEXT]  show the context and the kinds, switch to a kind by name, or set the context
  /reset              forget the conversation and the loaded program
  /help               this text
  /bye                end the session (so does end of input)
  \"\"\"                 start or end a multi-line message
anything else is a question for the model"""

MULTILINE = '"""'


class Session:
    """State of one conversation: turns, context, the loaded program and the last answer."""

    def __init__(
        self,
        provider: Provider,
        config: RunConfig,
        *,
        out: TextIO | None = None,
        err: TextIO | None = None,
        args: list[list[str]] | None = None,
        perf_args: list[str] | None = None,
    ) -> None:
        from chathpc.tasks import CONTEXT

        self.provider = provider
        self.kind: AssistantKind | None = None
        self.config = config
        self.start_config = config
        self.template = load_template(config.data.template, config.data.system)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.args, self.perf_args = args, perf_args
        self.default_context = CONTEXT
        self.context = CONTEXT
        self.turns: list[tuple[str, str]] = []
        self.program: str | None = None
        self.sequential: str | None = None
        self.last_answer: str | None = None
        self.last_code: str | None = None
        self.errors = 0

    def record_for(self, question: str) -> Record:
        """The record for a new question: earlier turns are carried in the question text."""
        parts = []
        for previous_question, previous_answer in self.turns:
            parts.append(f"{previous_question}\n\nPrevious answer:\n{previous_answer.strip()}\n\nFollow-up question:")
        parts.append(question)
        return Record(question="\n\n".join(parts), context=self.context)

    def ask(self, question: str, record: Record | None = None) -> str:
        """Stream the model's answer to a question, remember the turn and the program in it."""
        record = record or self.record_for(question)
        request = generation_request(record, self.template)
        chunks = []
        for chunk in self.provider.stream(request, self.config.generation):
            chunks.append(chunk)
            self.out.write(chunk)
            self.out.flush()
        answer = "".join(chunks)
        if not answer.endswith("\n"):
            self.out.write("\n")
        self.turns.append((question, answer))
        self.last_answer = answer
        self.last_code = extract_code(answer, self.template.answer_marker)
        if self.last_code is None:
            self.say("[no C program in this answer]")
        else:
            lines = self.last_code.count("\n")
            self.say(f"[program of {lines} lines; /check to verify it, /save FILE to keep it]")
        return answer

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def load_file(self, path: str) -> None:
        """Load a sequential program and ask for its MPI version in a new conversation."""
        if not path:
            raise ChathpcError("/file needs a path: /file seq.c")
        source = read_text_file(path, allow_empty=False)
        self.turns = []
        self.program = source
        if self.kind is None or self.kind.input == "sequential":
            self.sequential = source
        base = kind_record(self.kind, source) if self.kind is not None else translation_record(source, self.config.harness.target)
        record = base.model_copy(update={"context": self.context})
        lines = source.count("\n")
        self.say(f"[loaded {path}: {lines} lines]")
        self.ask(record.question, record)

    def check(self) -> None:
        """Verify the last answer's program against the loaded program, timed, and print the outcome."""
        from chathpc.harness import check
        from chathpc.harness.targets import get_target

        if self.program is None:
            raise ChathpcError("/check needs a sequential program: load one with /file seq.c")
        if self.sequential is None:
            raise ChathpcError(f"/check: kind {self.kind.name if self.kind else ''} needs the sequential program too: /sequential seq.c")
        if self.last_answer is None:
            raise ChathpcError("/check: nothing to check yet, ask the model first")
        if self.last_code is None:
            self.say("extract_error: the last answer holds no C program")
            return
        baseline = self.program if self.kind is not None and self.kind.optimizes else None
        result = check(self.sequential, self.last_code, args=self.args, config=self.config.harness, perf=True, perf_args=self.perf_args,
                       baseline=baseline)
        self.say(result.summary())
        found = result.perf.improvement() if baseline is not None and result.perf is not None else None
        if found is not None:
            self.say(f"against the loaded program: {found[0]:.2f}x (needs {self.config.harness.optimize_margin:.2f}x)")
        if not result.passed:
            self.say(result.feedback())
            return
        if result.perf is None or not result.perf.timings:
            error = result.perf.error if result.perf is not None else None
            self.say(f"no timing{': ' + error if error else ''}")
            return
        self.say(f"sequential: {result.perf.sequential_seconds:.4f} s")
        mpi = get_target(result.target).uses_mpi
        for timing in result.perf.timings:
            line = f"{timing.configuration(mpi)}: {timing.seconds:.4f} s"
            if result.perf.timeable:
                line += f", speedup {timing.speedup:.2f}x, efficiency {timing.efficiency:.0%}"
            if timing.comm:
                messages = sum(c.p2p_messages for c in timing.comm)
                collectives = sum(c.collective_calls for c in timing.comm)
                line += f", {bytes_moved(timing)} bytes moved ({messages} messages, {collectives} collective calls)"
            self.say(line)

    def save(self, argument: str) -> None:
        """Write the last answer's program to a file."""
        words = argument.split()
        force = "--force" in words
        paths = [w for w in words if w != "--force"]
        if len(paths) != 1:
            raise ChathpcError("/save needs one path: /save out.c [--force]")
        if self.last_code is None:
            raise ChathpcError("/save: the last answer holds no C program" if self.last_answer else "/save: no answer yet")
        path = write_program(self.last_code, Path(paths[0]).expanduser(), overwrite=force)
        self.say(f"[wrote {path}]")

    def reset(self) -> None:
        """Forget the conversation, the loaded programs and the context (and the kind: back to the session's start)."""
        self.turns, self.program, self.sequential, self.last_answer, self.last_code = [], None, None, None, None
        self.context = self.default_context
        self.kind, self.config = None, self.start_config
        self.say("[conversation reset]")

    def switch_context(self, argument: str) -> None:
        """``/context``: list the kinds and show the context; a kind's name switches to it (its context, wording, target
        and check: the conversation and loaded programs are forgotten); other text sets the context."""
        if argument in KINDS:
            self.kind = KINDS[argument]
            self.config = self.start_config.model_copy(
                update={"harness": self.start_config.harness.model_copy(update={"target": self.kind.target})})
            self.context = self.kind.context
            self.turns, self.program, self.sequential, self.last_answer, self.last_code = [], None, None, None, None
            source = "a sequential program" if self.kind.input == "sequential" else f"a {TARGET_TITLES[self.kind.source_target]} program"
            self.say(f"[kind {self.kind.name}: /file takes {source}; answers are {TARGET_TITLES[self.kind.target]} programs checked for "
                     f"{self.kind.check}]")
        elif argument:
            self.context = argument
        else:
            self.say(f"[kinds: {', '.join(KIND_NAMES)} (/context KIND switches, other text sets the context)]")
            self.say(f"[kind: {self.kind.name if self.kind is not None else 'none (translation to harness.target ' + self.config.harness.target + ')'}]")
        self.say(f"[context: {self.context}]")

    def load_sequential(self, path: str) -> None:
        """``/sequential``: the sequential program ``/check`` compares with."""
        if not path:
            raise ChathpcError("/sequential needs a path: /sequential seq.c")
        self.sequential = read_text_file(path, allow_empty=False)
        self.say(f"[sequential program {path}: {self.sequential.count(chr(10))} lines]")

    def handle(self, message: str) -> bool:
        """Act on one message or command; False when the session should end."""
        text = message.strip()
        if not text:
            return True
        if not text.startswith("/"):
            self.ask(message)
            return True
        command, _, argument = text.partition(" ")
        argument = argument.strip()
        if command in ("/bye", "/exit", "/quit"):
            return False
        if command == "/help":
            self.say(HELP)
        elif command == "/file":
            self.load_file(argument)
        elif command == "/check":
            self.check()
        elif command == "/save":
            self.save(argument)
        elif command == "/context":
            self.switch_context(argument)
        elif command == "/sequential":
            self.load_sequential(argument)
        elif command == "/reset":
            self.reset()
        else:
            raise ChathpcError(f"unknown command {command} (/help lists them)")
        return True

    def run(self, lines: Iterable[str]) -> int:
        """Handle messages until /bye or the end of input; errors are reported and the session goes on.

        Returns 0, or 1 when any message failed (useful when the session is scripted).
        """
        for message in messages(lines):
            try:
                if not self.handle(message):
                    break
            except (ChathpcError, OSError) as exc:  # one failed command does not end the session
                self.errors += 1
                text = os_error_text(exc) if isinstance(exc, OSError) else str(exc)
                print(f"error: {text}", file=self.err, flush=True)
        return 1 if self.errors else 0


def messages(lines: Iterable[str]) -> Iterator[str]:
    """Input lines grouped into messages: a \"\"\" line starts or ends a multi-line message."""
    buffer: list[str] | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        if line.strip() == MULTILINE:
            if buffer is None:
                buffer = []
            else:
                yield "\n".join(buffer)
                buffer = None
        elif buffer is not None:
            buffer.append(line)
        else:
            yield line
    if buffer:
        yield "\n".join(buffer)


def default_history_path() -> Path:
    """Where interactive sessions keep their input history."""
    return Path("~/.chathpc_history").expanduser()


def terminal_lines(history: Path | None, prompt: str = "> ") -> Iterator[str]:
    """Lines typed at a terminal, with readline editing and a persistent history file."""
    import readline

    if history is not None and history.exists():
        try:
            readline.read_history_file(history)
        except OSError:
            pass
    try:
        while True:
            try:
                yield input(prompt)
            except EOFError:
                print()
                return
    finally:
        if history is not None:
            try:
                history.parent.mkdir(parents=True, exist_ok=True)
                readline.write_history_file(history)
            except OSError as exc:
                print(f"warning: cannot write history file {history}: {exc.strerror}", file=sys.stderr)


def recorded_lines(lines: Iterable[str], history: Path | None) -> Iterator[str]:
    """Scripted input lines, appended to a history file when one is given."""
    if history is None:
        yield from lines
        return
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        handle = history.open("a", encoding="utf-8")
    except OSError as exc:
        raise ChathpcError(f"history file {history}: cannot open ({exc.strerror})") from None
    with handle:
        for line in lines:
            handle.write(line if line.endswith("\n") else line + "\n")
            handle.flush()
            yield line

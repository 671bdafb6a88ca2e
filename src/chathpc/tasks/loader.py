"""Task folders: ``suite/<domain>/<id>/{task.yaml, seq.c, mpi.c, variants/*.c}``, loaded and validated.

Solutions of the other targets sit beside them when a task has them: ``omp.c`` (openmp), ``kokkos.cpp``
(kokkos, always C++), ``hybrid.c`` (MPI + OpenMP), with variants in ``variants/openmp/``, ``variants/kokkos/``
and ``variants/hybrid/`` (``Task.solutions(target)``).

A task may be C++ (``seq.cc``/``mpi.cc``, also ``.cpp``/``.cxx``) or Fortran (``seq.f90``/``mpi.f90``, also
``.F90``/``.f``/``.F``); ``task.yaml`` may add extra sources, include directories (paths relative to the task
folder), defines, output filters and a time pattern, which become the task's ``ProgramOptions``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chathpc.data.records import Record
from chathpc.errors import ChathpcError
from chathpc.files import read_text_file
from chathpc.harness.languages import LANGUAGE_NAMES, LANGUAGES, Language, language_for_path
from chathpc.harness.program import ProgramOptions, ProgramOptionsError, program_options
from chathpc.tasks.template import AnswerTemplate

SUITE_DIR = Path(__file__).parent / "suite"
OUTSIDE_DIR = Path(__file__).parent / "outside"
"""Held-out programs from outside the suite, in another hand (docs/tasks.md, "Outside the suite"): a task root."""
DOMAINS: tuple[str, ...] = ("blas", "sparse", "stencil", "solver")
SPLITS: tuple[str, ...] = ("train", "test", "refine")
TASK_ID = re.compile(r"^[a-z0-9_]+$")

INSTRUCTION = (
    "Parallelize the following sequential C program with MPI. The MPI program must take the same "
    "command-line arguments and print the same results, from rank 0 only, for any number of ranks."
)
CONTEXT = "Sequential to MPI translation"


FENCE_TAGS = {"c": "c", "cxx": "cpp", "fortran": "fortran"}


TARGET_INSTRUCTIONS = {
    "mpi": INSTRUCTION,
    "openmp": ("Parallelize the following sequential C program with OpenMP. The OpenMP program must take the same "
               "command-line arguments and print the same results for any number of threads."),
    "hybrid": ("Parallelize the following sequential C program with MPI and OpenMP (MPI ranks, OpenMP threads within each "
               "rank). The program must take the same command-line arguments and print the same results, from rank 0 "
               "only, for any number of ranks and threads per rank."),
    "kokkos": ("Port the following sequential C program to Kokkos in C++17 (Kokkos::initialize and finalize, Views, "
               "parallel_for and parallel_reduce). The Kokkos program must take the same command-line arguments and print "
               "the same results for any number of threads."),
}
"""The translation request of each target (harness.target, --target)."""


PORTABILITY_INSTRUCTIONS = {
    ("openmp", "kokkos"): (
        "Port the following OpenMP C program to Kokkos in C++17 (Kokkos::initialize and finalize, Views, parallel_for "
        "and parallel_reduce instead of OpenMP pragmas). The Kokkos program must take the same command-line arguments "
        "and print the same results for any number of threads."),
    ("mpi", "hybrid"): (
        "Add OpenMP threads to the following MPI C program (MPI ranks, OpenMP threads within each rank, MPI "
        "initialized with MPI_Init_thread). The program must take the same command-line arguments and print the same "
        "results, from rank 0 only, for any number of ranks and threads per rank."),
}
"""The request of each portability kind: (the input program's target, the answer's target) -> instruction."""

OPTIMIZATION_INSTRUCTIONS = {
    "mpi": ("The following MPI C program is correct but slow. Make it faster: answer with the complete optimized MPI "
            "program. It must take the same command-line arguments and print the same results, from rank 0 only, for "
            "any number of ranks."),
    "openmp": ("The following OpenMP C program is correct but slow. Make it faster: answer with the complete optimized "
               "OpenMP program. It must take the same command-line arguments and print the same results for any number "
               "of threads."),
    "hybrid": ("The following MPI + OpenMP C program is correct but slow. Make it faster: answer with the complete "
               "optimized MPI + OpenMP program. It must take the same command-line arguments and print the same results, "
               "from rank 0 only, for any number of ranks and threads per rank."),
    "kokkos": ("The following Kokkos C++ program is correct but slow. Make it faster: answer with the complete optimized "
               "Kokkos program. It must take the same command-line arguments and print the same results for any number "
               "of threads."),
}
"""The request of each optimization kind, by target (the input and the answer are programs of that target)."""


def program_question(instruction: str, source: str, language: str = "c") -> str:
    """The one renderer of a request about a program: the instruction (its " C program" named after ``language``),
    then the program in a fence."""
    if language != "c":
        instruction = instruction.replace(" C program", f" {LANGUAGES[language].title} program")
    return f"{instruction}\n\n```{FENCE_TAGS[language]}\n{source.rstrip()}\n```"


def translation_question(sequential_source: str, language: str = "c", target: str = "mpi") -> str:
    """The one wording of a translation request: the target's instruction, then the sequential program in a fence."""
    return program_question(TARGET_INSTRUCTIONS[target], sequential_source, language)


def portability_question(source: str, source_target: str, target: str, language: str = "c") -> str:
    """A portability request: the expert ``source_target`` program to port to ``target`` (``PORTABILITY_INSTRUCTIONS``)."""
    return program_question(PORTABILITY_INSTRUCTIONS[(source_target, target)], source, language)


def optimization_question(source: str, target: str, language: str = "c") -> str:
    """An optimization request: a correct but slow ``target`` program to make faster (``OPTIMIZATION_INSTRUCTIONS``)."""
    return program_question(OPTIMIZATION_INSTRUCTIONS[target], source, language)


Split = Literal["train", "test", "refine"]
FUNCTION_INSTRUCTION = (
    "Complete the following {title} function with {model}. Answer with the rest of the function (its body) "
    "or with the whole function."
)
TARGET_TITLES = {"mpi": "MPI", "openmp": "OpenMP", "hybrid": "MPI and OpenMP", "kokkos": "Kokkos"}
"""How a function-answer question names the model of each target."""


class TaskError(ChathpcError):
    """A task folder that is incomplete or invalid; the message names the file."""


class AnswerSpec(BaseModel):
    """task.yaml's ``answer:``: files (relative to the task folder) of a function-answer task (see tasks.template)."""

    model_config = ConfigDict(extra="forbid")

    template: str = Field(description="Candidate program with the line '// chathpc:answer'")
    prompt: str = Field(description="Code shown to the model, ending with the function's signature and '{'")
    function: str = Field(pattern=r"^[A-Za-z_]\w*$", description="Name of the function the answer implements")
    target: str = Field("mpi", description="The target the answer is written for (mpi, openmp, hybrid, kokkos)")

    @field_validator("target")
    @classmethod
    def _known_target(cls, value: str) -> str:
        if value not in TARGET_TITLES:
            raise ValueError(f"unknown target '{value}' (choose from {', '.join(TARGET_TITLES)})")
        return value


class TaskSpec(BaseModel):
    """The contents of one ``task.yaml``."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="Unique task id, [a-z0-9_]+, equal to the folder name")
    domain: str = Field(description="Domain, equal to the parent folder's name (the built-in suite: blas, sparse, stencil, solver)")
    split: Split
    description: str = Field(min_length=1)
    args: list[list[str]] = Field(min_length=1, description="Correctness argument sets")
    perf_args: list[str] = Field(description="Argument set of the timed run")
    rtol: float | None = Field(None, ge=0.0)
    atol: float | None = Field(None, ge=0.0)
    language: str | None = Field(None, description="c, cxx or fortran (default: from the extension of seq.*)")
    sources: list[str] = Field(default_factory=list, description="Extra sources built into both programs, relative to the task folder")
    include_dirs: list[str] = Field(default_factory=list, description="Include directories, relative to the task folder")
    defines: list[str] = Field(default_factory=list, description="Preprocessor defines NAME or NAME=VALUE")
    ignore_lines: list[str] = Field(default_factory=list, description="Regexes of output lines left out of the comparison")
    compare_lines: list[str] = Field(default_factory=list, description="Regexes: only matching output lines are compared")
    time_pattern: str | None = Field(None, description="Regex with one group: the seconds the programs print, used by --perf")
    answer: AnswerSpec | None = Field(None, description="The answer is one function assembled into a template program")

    @field_validator("id", "domain")
    @classmethod
    def _id_pattern(cls, value: str) -> str:
        if not TASK_ID.match(value):
            raise ValueError("must match [a-z0-9_]+")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGE_NAMES:
            raise ValueError(f"unknown language '{value}' (choose from {', '.join(LANGUAGE_NAMES)})")
        return value

    @field_validator("args", mode="before")
    @classmethod
    def _args_text(cls, value: object) -> object:
        if isinstance(value, list):
            return [[str(a) for a in item] if isinstance(item, list) else item for item in value]
        return value

    @field_validator("perf_args", mode="before")
    @classmethod
    def _perf_text(cls, value: object) -> object:
        return [str(a) for a in value] if isinstance(value, list) else value


class Task(TaskSpec):
    """One suite task: its spec, the sequential program, the expert MPI solution and variants (immutable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq_source: str
    mpi_source: str
    variants: dict[str, str] = Field(default_factory=dict, description="Variant name -> MPI source")
    target_sources: dict[str, str] = Field(
        default_factory=dict, description="Expert solution of each other target the task has: openmp (omp.c), kokkos (kokkos.cpp), hybrid (hybrid.c)")
    target_variants: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="Target -> variant name -> source (variants/openmp/, variants/kokkos/, variants/hybrid/)")
    path: Path
    options: ProgramOptions = Field(default_factory=ProgramOptions, description="Language, extra files, filters, time pattern")
    template: AnswerTemplate | None = Field(None, description="With task.yaml's answer: how an answer becomes a program")

    @property
    def answer_target(self) -> str | None:
        """The target of a function-answer task (task.yaml's ``answer.target``); None for a whole-program task."""
        return None if self.answer is None else self.answer.target

    def question(self, target: str = "mpi") -> str:
        """The question a model is asked: the translation request for ``target``, or for a function-answer task of
        that target the prompt."""
        if self.template is None or target != self.answer_target:
            return translation_question(self.seq_source, self.options.language, target)
        instruction = FUNCTION_INSTRUCTION.format(title=self.options.lang.title, model=TARGET_TITLES[target])
        return f"{instruction}\n\n```{FENCE_TAGS[self.options.language]}\n{self.template.prompt.rstrip()}\n```"

    def candidate(self, answer: str) -> str | None:
        """The program to check for an answer: the answer itself, or assembled into the template."""
        return answer if self.template is None else self.template.assemble(answer)

    def program(self, source: str, target: str = "mpi") -> tuple[str | None, ProgramOptions]:
        """A solution of ``target`` as the program and options to check: an answer of the task's own target (mpi,
        or ``answer.target``) goes through the task's template like ``candidate``; other solutions are whole programs."""
        if target == (self.answer_target or "mpi"):
            return self.candidate(source), self.options
        return source, self.options.model_copy(update={"mpi_rule": "init"})

    def to_record(self) -> Record:
        """The task as a ChatHPC dataset record (question: instruction + sequential code; answer: expert code)."""
        return Record(
            question=self.question(self.answer_target or "mpi"),
            context=CONTEXT,
            answer=f"```{FENCE_TAGS[self.options.language]}\n{self.mpi_source.rstrip()}\n```",
            id=self.id,
            metadata={
                "task": self.id,
                "domain": self.domain,
                "split": self.split,
                "args": self.args,
                "perf_args": self.perf_args,
                **({"language": self.options.language} if self.options.language != "c" else {}),
            },
        )

    def solutions(self, target: str = "mpi") -> dict[str, str]:
        """Every solution of ``target`` by name: ``reference`` (mpi.c, omp.c, kokkos.cpp, hybrid.c) first, then the
        variants; empty when the task has none for that target."""
        if target == (self.answer_target or "mpi"):
            return {"reference": self.mpi_source, **self.variants}
        if target not in self.target_sources:
            return {}
        return {"reference": self.target_sources[target], **self.target_variants.get(target, {})}


def _read_source(path: Path) -> str:
    return read_text_file(
        path, error=TaskError, missing="missing (every task needs task.yaml, seq.c and mpi.c)", allow_empty=False
    )


def _program_file(folder: Path, stem: str, language: Language | None) -> Path:
    """``folder/stem.EXT`` for a known language extension (``stem.c`` when there is none, so the error names it)."""
    found = sorted(p for p in folder.glob(f"{stem}.*") if (lang := language_for_path(p)) and (language is None or lang == language))
    if len(found) > 1:
        raise TaskError(f"{folder}: several {stem} programs ({', '.join(p.name for p in found)}); keep one")
    return found[0] if found else folder / f"{stem}{language.suffix if language else '.c'}"


def _inside(folder: Path, entry: str, spec_file: Path) -> Path:
    if Path(entry).is_absolute() or ".." in Path(entry).parts:
        raise TaskError(f"{spec_file}: '{entry}' must be a path inside the task folder")
    return folder / entry


def _template(spec: TaskSpec, folder: Path, spec_file: Path) -> AnswerTemplate | None:
    if spec.answer is None:
        return None
    texts = {name: _read_source(_inside(folder, getattr(spec.answer, name), spec_file)) for name in ("template", "prompt")}
    try:
        return AnswerTemplate(program=texts["template"], prompt=texts["prompt"], function=spec.answer.function)
    except ValidationError as exc:
        raise TaskError(f"{folder / spec.answer.template}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None


def _task_options(spec: TaskSpec, folder: Path, seq_file: Path, spec_file: Path) -> ProgramOptions:
    language = spec.language or (language_for_path(seq_file) or LANGUAGES["c"]).name
    suffix = seq_file.suffix if language_for_path(seq_file) == LANGUAGES[language] else None
    try:
        return program_options(
            language=language, suffix=suffix, sources=[_inside(folder, p, spec_file) for p in spec.sources],
            include_dirs=[_inside(folder, p, spec_file) for p in spec.include_dirs], defines=spec.defines,
            ignore_lines=spec.ignore_lines, compare_lines=spec.compare_lines, time_pattern=spec.time_pattern,
            mpi_rule="init" if spec.answer is None else "answer_calls_mpi", where=str(spec_file),
        )
    except ProgramOptionsError as exc:
        raise TaskError(str(exc)) from None


TARGET_FILES = {"openmp": ("omp", None), "kokkos": ("kokkos", "cxx"), "hybrid": ("hybrid", None)}
"""Target -> (file stem, language: None for the task's own) of the solutions of the targets other than mpi."""


def _target_solutions(folder: Path, options: ProgramOptions) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The expert solution and variants (``variants/<target>/``) of each target other than mpi the task has."""
    sources: dict[str, str] = {}
    variants: dict[str, dict[str, str]] = {}
    for target, (stem, language) in TARGET_FILES.items():
        lang = LANGUAGES[language] if language else options.lang
        path = _program_file(folder, stem, lang)
        if path.is_file():
            sources[target] = _read_source(path)
        folder_of_variants = folder / "variants" / target
        found = sorted(p for p in folder_of_variants.glob("*") if language_for_path(p) == lang) if folder_of_variants.is_dir() else []
        if found and target not in sources:
            raise TaskError(f"{folder_of_variants}: variants of {target} but no {path.name} (the {target} reference)")
        if any(p.stem == "reference" for p in found):
            raise TaskError(f"{folder_of_variants / 'reference'}: 'reference' is reserved for {path.name}")
        if found:
            variants[target] = {p.stem: _read_source(p) for p in found}
    return sources, variants


def load_task(folder: str | Path) -> Task:
    """Load and validate one task folder; errors name the offending file."""
    folder = Path(folder)
    spec_file = folder / "task.yaml"
    try:
        data = yaml.safe_load(_read_source(spec_file))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        raise TaskError(f"{spec_file}:{where} invalid YAML ({getattr(exc, 'problem', None) or 'syntax error'})") from None
    if not isinstance(data, dict):
        raise TaskError(f"{spec_file}: expected a mapping of task fields, got {type(data).__name__}")
    try:
        spec = TaskSpec(**{str(k): v for k, v in data.items()})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "task"
        raise TaskError(f"{spec_file}: {key}: {err['msg']}") from None
    if spec.id != folder.name:
        raise TaskError(f"{spec_file}: id '{spec.id}' differs from the folder name '{folder.name}'")
    if spec.domain != folder.parent.name:
        raise TaskError(f"{spec_file}: domain '{spec.domain}' differs from the domain folder '{folder.parent.name}'")
    seq_file = _program_file(folder, "seq", LANGUAGES[spec.language] if spec.language else None)
    options = _task_options(spec, folder, seq_file, spec_file)
    variants_dir = folder / "variants"
    variant_files = sorted(p for p in variants_dir.glob("*") if language_for_path(p) == options.lang) if variants_dir.is_dir() else []
    variants = {p.stem: _read_source(p) for p in variant_files}
    if "reference" in variants:
        raise TaskError(f"{variants_dir / 'reference'}: 'reference' is reserved for the mpi program")
    target_sources, target_variants = _target_solutions(folder, options)
    return Task(
        **spec.model_dump(),
        seq_source=_read_source(seq_file),
        mpi_source=_read_source(_program_file(folder, "mpi", options.lang)),
        variants=variants,
        target_sources=target_sources,
        target_variants=target_variants,
        path=folder,
        options=options,
        template=_template(spec, folder, spec_file),
    )



def task_folders(root: str | Path | None = None) -> list[Path]:
    """Every task folder (``<domain>/<id>/``) under the suite root, sorted."""
    root = Path(root) if root is not None else SUITE_DIR
    if root.exists() and not root.is_dir():
        raise TaskError(f"{root}: is a file, expected a task suite directory")
    if not root.is_dir():
        raise TaskError(f"{root}: task suite directory not found")
    return sorted(p for p in root.glob("*/*") if p.is_dir() and not p.name.startswith((".", "_")))


def _check_choice(value: str | None, choices: tuple[str, ...], what: str) -> None:
    if value is not None and value not in choices:
        raise TaskError(f"unknown {what} '{value}' (choose from {', '.join(choices)})")


_loaded: dict[Path, tuple[tuple, list[Task]]] = {}


def _signature(root: Path) -> tuple:
    """Every file under the suite with its size and modification time: a change invalidates the cache."""
    return tuple(sorted((str(p), (st := p.stat()).st_size, st.st_mtime_ns) for p in root.rglob("*")))


def load_suite(split: str | None = None, domain: str | None = None, *, root: str | Path | None = None) -> list[Task]:
    """All tasks, optionally one split and/or one domain, sorted by domain then id; ids are checked unique.

    Folders are read again only when a file under the suite changed since the last call.
    """
    _check_choice(split, SPLITS, "split")
    root = (Path(root) if root is not None else SUITE_DIR).resolve()
    if root == SUITE_DIR.resolve():
        _check_choice(domain, DOMAINS, "domain")
    signature = _signature(root) if root.is_dir() else ()
    cached = _loaded.get(root)
    if cached is None or cached[0] != signature:
        _loaded[root] = cached = (signature, _read_suite(root))
    return [t for t in cached[1] if (split is None or t.split == split) and (domain is None or t.domain == domain)]


def _read_suite(root: Path) -> list[Task]:
    for child in sorted(root.iterdir()) if root.is_dir() else []:
        holds_tasks = child.is_dir() and any((folder / "task.yaml").is_file() for folder in child.iterdir())
        if child.is_dir() and not child.name.startswith((".", "_")) and child.name not in DOMAINS and not holds_tasks:
            raise TaskError(f"{child}: unknown domain folder (choose from {', '.join(DOMAINS)})")
    tasks: list[Task] = []
    seen: dict[str, Path] = {}
    for folder in task_folders(root):
        task = load_task(folder)
        if task.id in seen:
            raise TaskError(f"{folder / 'task.yaml'}: id '{task.id}' already used by {seen[task.id]}")
        seen[task.id] = folder
        tasks.append(task)
    return tasks


def get_task(task_id: str, *, root: str | Path | None = None) -> Task:
    """The task with this id; an unknown id is an error that suggests close ids."""
    import difflib

    tasks = {t.id: t for t in load_suite(root=root)}
    if task_id not in tasks:
        close = difflib.get_close_matches(task_id, list(tasks), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise TaskError(f"unknown task '{task_id}'{hint}")
    return tasks[task_id]

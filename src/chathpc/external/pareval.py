"""ParEval's problems through our harness (``chathpc pareval import`` / ``score``).

ParEval (Nichols et al., HPDC'24; github.com/parallelcodefoundry/ParEval) is read from a user's checkout;
nothing of it is part of this project. Each of our targets reads one of ParEval's parallelism models
(``MODELS``: mpi -> mpi, openmp -> omp, hybrid -> mpi+omp, kokkos -> kokkos). Per problem ``<type>/<name>``
(described for MPI; the other models differ as ``ParEvalModel`` says):

- the sequential program is ParEval's serial driver (``drivers/cpp/models/serial-driver.cc``) with the
  problem's ``cpu.cc`` built ``USE_SERIAL``, its generated function calling the problem's correct serial
  baseline (``baseline.hpp``);
- the candidate is ParEval's MPI driver with the same ``cpu.cc`` built ``USE_MPI``, the generated function
  being the prompt (ending at the signature and ``{``) plus the model's answer (a body, ParEval style, or
  the whole function), see ``chathpc.tasks.template``;
- both print ParEval's ``Validation: PASS|FAIL`` (compared: ``compare_lines``) and ``Time:`` (the
  ``time_pattern`` for ``--perf``); ``DRIVER_PROBLEM_SIZE`` is the problem's MPI size from
  ``drivers/problem-sizes.json``; the driver's argument (iterations) is 1 for correctness, 3 for timing.

``mpi.cc`` of an imported task (the reference answer of a function-answer task, whatever its target) is the
serial baseline called after a trivial use of the model that passes the target's "uses the model" rule: an
``MPI_Comm_size`` (mpi), an empty ``#pragma omp parallel if (0)`` region (openmp; both for hybrid), an empty
one-iteration ``Kokkos::parallel_for`` (kokkos, the views passed to the baseline through
``chathpc-kokkos-host.hpp``). It is correct but not parallel: ParEval has no expert solutions.

Other models: the OpenMP and MPI+OpenMP drivers read the thread count from ``argv[1]`` (ParEval's launcher
passes it) and, like the Kokkos driver, run the function 5 times; ours are patched to take
``omp_get_max_threads()`` (``OMP_NUM_THREADS``, which the harness sets per configuration) and the iteration
count from ``argv[1]``, like ParEval's MPI driver (1 for correctness, 3 for timing). ParEval builds mpi+omp
with ``-DUSE_MPI+OMP``, which defines ``USE_MPI``; so do we. Kokkos problems use ``kokkos.cc`` with ParEval's ``kokkos-includes.hpp``, whose includes are
guarded by ``__has_include`` (Kokkos 3.4 lacks ``Kokkos_StdAlgorithms.hpp`` and a few others that ParEval's
Kokkos 4.1 has: a candidate that needs one fails to compile, as it would with that Kokkos).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple

import yaml
from pydantic import BaseModel, Field

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.evaluate.metrics import EvaluationSummary
from chathpc.external.pareval_kokkos import HEADER as KOKKOS_HOST_HEADER
from chathpc.external.pareval_kokkos import HEADER_NAME as KOKKOS_HOST
from chathpc.files import atomic_write_text, refuse_existing

PROMPT_FILES = {"generation": "prompts/generation-prompts.json", "translation": "prompts/translation-prompts.json"}
SERIAL_DRIVER = "drivers/cpp/models/serial-driver.cc"
UTILITIES = "drivers/cpp/utilities.hpp"
KOKKOS_INCLUDES = "drivers/cpp/kokkos-includes.hpp"
PROBLEM_SIZES = "drivers/problem-sizes.json"
DEFAULT_SIZE = "(1<<18)"  # ParEval's own default when a problem has no size for the model
GENERATED_INCLUDE = re.compile(r'^\s*#\s*include\s+"generated-code\.hpp".*$', re.M)
_BASELINE = re.compile(r"^([\w:<>,\t \*&]+?)\s+(?:NO_INLINE\s+)?(correct\w*)\s*(\([^{;]*\))\s*\{", re.M)
_SIGNATURE = re.compile(r"^(.*?)\b(\w+)\s*\((.*)\)\s*\{\s*$", re.S)
COMPARE_LINES = [r"^Validation:"]
TIME_PATTERN = r"^Time:\s*(\S+)"


class ParEvalError(ChathpcError):
    """A ParEval checkout or outputs file that cannot be used; the message names the file."""


class ParEvalModel(NamedTuple):
    """How one of ParEval's parallelism models becomes tasks of one of our targets."""

    name: str  # ParEval's parallelism_model
    title: str
    driver: str  # drivers/cpp/models/<driver>
    source: str  # the problem's driver: cpu.cc or kokkos.cc
    define: str  # the macro the problem's driver is built with


MODELS: dict[str, ParEvalModel] = {
    "mpi": ParEvalModel("mpi", "MPI", "mpi-driver.cc", "cpu.cc", "USE_MPI"),
    "openmp": ParEvalModel("omp", "OpenMP", "omp-driver.cc", "cpu.cc", "USE_OMP"),
    "hybrid": ParEvalModel("mpi+omp", "MPI+OpenMP", "mpi-omp-driver.cc", "cpu.cc", "USE_MPI"),
    "kokkos": ParEvalModel("kokkos", "Kokkos", "kokkos-driver.cc", "kokkos.cc", "USE_KOKKOS"),
}
"""Our target -> ParEval's model."""


def pareval_model(target: str) -> ParEvalModel:
    """ParEval's model of one of our targets; ``ParEvalError`` for a target ParEval has no problems of."""
    if target not in MODELS:
        raise ParEvalError(f"ParEval has no problems for target '{target}' (choose from {', '.join(MODELS)})")
    return MODELS[target]


class ParEvalProblem(BaseModel):
    """One problem of one model, ready to become a task."""

    name: str
    problem_type: str
    target: str = Field("mpi", description="Our target (see MODELS)")
    prompt: str = Field(description="The model's prompt, or the translation prompt (ends with the function's signature and '{')")
    function: str
    seq_source: str
    template: str = Field(description="The candidate program with the '// chathpc:answer' line")
    reference_answer: str = Field(description="A body calling the serial baseline: correct, not parallel")
    includes: dict[str, str] = Field(description="utilities.hpp, the problem's baseline.hpp (kokkos: kokkos-includes.hpp and the host adapter)")
    problem_size: str


class ImportOutcome(BaseModel):
    """What ``import_problems`` wrote and what it could not import (with the reason)."""

    out: str
    imported: list[str]
    failed: dict[str, str]
    dataset: str


def _read(root: Path, relative: str) -> str:
    path = root / relative
    try:
        return path.read_text()
    except FileNotFoundError:
        raise ParEvalError(f"{path}: missing (is {root} a ParEval checkout?)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParEvalError(f"{path}: cannot read ({exc})") from None


def _json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParEvalError(f"{path}: invalid JSON (line {exc.lineno}: {exc.msg})") from None


def load_prompts(root: str | Path, kind: str = "generation", target: str = "mpi") -> dict[str, dict[str, Any]]:
    """ParEval's prompt entries of ``target``'s model by problem name (``kind``: generation or translation;
    ParEval translates serial -> mpi, serial -> omp and cuda -> kokkos)."""
    model = pareval_model(target).name
    if kind not in PROMPT_FILES:
        raise ParEvalError(f"unknown prompt kind '{kind}' (choose from {', '.join(PROMPT_FILES)})")
    root = Path(root)
    entries = _json(root / PROMPT_FILES[kind], _read(root, PROMPT_FILES[kind]))
    if not isinstance(entries, list):
        raise ParEvalError(f"{root / PROMPT_FILES[kind]}: expected a list of prompt entries")
    return {e["name"]: e for e in entries if isinstance(e, dict) and e.get("parallelism_model") == model and "name" in e}


def _serial_prompts(root: Path) -> dict[str, str]:
    entries = _json(root / PROMPT_FILES["generation"], _read(root, PROMPT_FILES["generation"]))
    return {e["name"]: e["prompt"] for e in entries if isinstance(e, dict) and e.get("parallelism_model") == "serial"}


def _split_parameters(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "<([{"
        depth -= char in ">)]}"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p for p in (*parts, current) if p.strip()]


def _signature(prompt: str, where: str) -> tuple[str, str, list[str]]:
    """(return type, function name, parameter names) of the signature that ends a prompt."""
    last = prompt.rstrip().splitlines()[-1] if prompt.strip() else ""
    match = _SIGNATURE.match(last.strip())
    if not match:
        raise ParEvalError(f"{where}: the prompt does not end with a function signature and '{{'")
    names = [re.findall(r"\w+", p.split("=")[0])[-1] for p in _split_parameters(match.group(3))]
    return match.group(1).strip(), match.group(2), names


def _no_inline(prompt: str) -> str:
    """ParEval's patch: NO_INLINE after the return type of the prompt's last line."""
    lines = prompt.rstrip().splitlines()
    words = lines[-1].split(" ")
    return "\n".join([*lines[:-1], " ".join([words[0], "NO_INLINE", *words[1:]])])


def _baseline_call(baseline: str, names: list[str], returns: str, where: str, wrap: str = "{}") -> str:
    """A body: the baseline's declaration in block scope (it may be defined after the generated code), then its
    call with each argument as ``wrap`` formats it."""
    match = _BASELINE.search(baseline)
    if not match:
        raise ParEvalError(f"{where}: no 'correct...(...) {{' baseline function found")
    declaration = f"{match.group(1).strip()} {match.group(2)}{' '.join(match.group(3).split())};"
    call = f"{match.group(2)}({', '.join(wrap.format(n) for n in names)});"
    return f"    {declaration}\n    {'' if returns == 'void' else 'return '}{call}\n}}\n"


_TRIVIAL_USE = {
    "mpi": "    int chathpc_ranks = 1;\n    MPI_Comm_size(MPI_COMM_WORLD, &chathpc_ranks);\n",
    "openmp": "    #pragma omp parallel if (0)\n    { }\n",
    "kokkos": "    Kokkos::parallel_for(1, KOKKOS_LAMBDA(int) {});\n",
}
_TRIVIAL_USE["hybrid"] = _TRIVIAL_USE["mpi"] + _TRIVIAL_USE["openmp"]


def reference_answer(target: str, baseline: str, names: list[str], returns: str, where: str) -> str:
    """The reference answer (a body): a trivial use of the target's model, then the serial baseline's result
    (correct, not parallel; see the module docs)."""
    wrap = "chathpc::host({})" if target == "kokkos" else "{}"
    return _TRIVIAL_USE[target] + _baseline_call(baseline, names, returns, where, wrap)


# ParEval's omp, mpi+omp and kokkos drivers run the function NITER = 5 times (and the baseline 5 times) after
# validation, and the omp ones take the thread count from argv[1]. Ours take the iterations from argv[1] like
# ParEval's MPI driver (1 for correctness, 3 for timing) and the threads from OMP_NUM_THREADS (set by the harness).
_NITER = ("const int NITER = 5;", "const int NITER = argc > 1 ? std::stoi(std::string(argv[1])) : 5;  // chathpc: iterations from argv[1]")
_DRIVER_PATCHES = {
    "omp": [_NITER, ("int num_threads = 1;", "int num_threads = omp_get_max_threads();  // chathpc: OMP_NUM_THREADS, not argv[1]"),
            ("num_threads = std::stoi(std::string(argv[1]));", "// chathpc: argv[1] is the iteration count")],
    "kokkos": [_NITER, ("if (argc > 1) {", "if (argc > 2) {  // chathpc: argv[1] is the iteration count")],
}
_DRIVER_PATCHES["mpi+omp"] = _DRIVER_PATCHES["omp"]


def _model_driver(root: Path, model: ParEvalModel) -> str:
    """ParEval's driver of ``model``; the omp, mpi+omp and kokkos ones patched as ``_DRIVER_PATCHES`` says."""
    driver = _read(root, f"drivers/cpp/models/{model.driver}")
    for old, new in _DRIVER_PATCHES.get(model.name, []):
        if old not in driver:
            raise ParEvalError(f"{root / 'drivers/cpp/models' / model.driver}: no '{old}' line to patch (another ParEval version?)")
        driver = driver.replace(old, new, 1)
    return driver


def _guarded_includes(text: str) -> str:
    """Each ``#include <...>`` of ParEval's kokkos-includes.hpp only where the Kokkos install has the header."""
    return re.sub(r"^\s*#\s*include\s*<([^>]+)>.*$", lambda m: f"#if __has_include(<{m[1]}>)\n#include <{m[1]}>\n#endif",
                  text, flags=re.M)


def problem_folder(root: Path, entry: dict[str, Any]) -> Path:
    """``drivers/cpp/benchmarks/<type>/<name>`` of a prompt entry."""
    return root / "drivers" / "cpp" / "benchmarks" / str(entry.get("problem_type")) / str(entry["name"])


def load_problem(root: str | Path, entry: dict[str, Any], sizes: dict[str, Any] | None = None, target: str = "mpi") -> ParEvalProblem:
    """The sequential program, candidate template and reference answer of one prompt entry of ``target``'s model."""
    root = Path(root)
    model = pareval_model(target)
    folder = problem_folder(root, entry)
    relative = folder.relative_to(root).as_posix()
    cpu = _read(root, f"{relative}/cpu.cc")
    driver_source = cpu if model.source == "cpu.cc" else _read(root, f"{relative}/{model.source}")
    baseline = _read(root, f"{relative}/baseline.hpp")
    for name, text in (("cpu.cc", cpu), (model.source, driver_source)):
        if not GENERATED_INCLUDE.search(text):
            raise ParEvalError(f"{folder / name}: no '#include \"generated-code.hpp\"' line")
    serial_prompt = _serial_prompts(root).get(entry["name"])
    if serial_prompt is None:
        raise ParEvalError(f"{root / PROMPT_FILES['generation']}: no serial prompt for {entry['name']}")
    # a translation entry's prompt shows the source code (commented out) before the target's signature
    prompt = entry.get("translation_prompt") or entry["prompt"]
    returns, function, names = _signature(prompt, f"{entry['name']} ({model.title} prompt)")
    serial_returns, _, serial_names = _signature(serial_prompt, f"{entry['name']} (serial prompt)")
    serial_code = _no_inline(serial_prompt) + "\n" + _baseline_call(baseline, serial_names, serial_returns, str(folder / "baseline.hpp"))
    # the baseline's standard headers first: some problems' generated code comes before baseline.hpp in cpu.cc
    headers = "".join(line + "\n" for line in baseline.splitlines() if re.match(r"\s*#\s*include\s*<", line))
    seq = "#define USE_SERIAL 1\n" + headers + GENERATED_INCLUDE.sub(lambda _: serial_code, cpu) + "\n" + _read(root, SERIAL_DRIVER)
    answer_line = (f'#include "{KOKKOS_HOST}"\n' if target == "kokkos" else "") + "// chathpc:answer"
    template = (f"#define {model.define} 1\n" + headers + GENERATED_INCLUDE.sub(lambda _: answer_line, driver_source) + "\n"
                + _model_driver(root, model))
    reference = reference_answer(target, baseline, names, returns, str(folder / "baseline.hpp"))
    if sizes is None:
        sizes = _json(root / PROBLEM_SIZES, _read(root, PROBLEM_SIZES))
    size = str((sizes.get(entry["name"]) or {}).get(model.name, DEFAULT_SIZE))
    includes = {"utilities.hpp": _read(root, UTILITIES), "baseline.hpp": baseline}
    if target == "kokkos":
        includes |= {"kokkos-includes.hpp": _guarded_includes(_read(root, KOKKOS_INCLUDES)), KOKKOS_HOST: KOKKOS_HOST_HEADER}
    return ParEvalProblem(
        name=entry["name"], problem_type=str(entry["problem_type"]), target=target, prompt=prompt, function=function,
        seq_source=seq, template=template, reference_answer=reference, includes=includes, problem_size=size,
    )


def task_id(name: str) -> str:
    """Our task id for a ParEval problem name (``21_histogram_bin_0-100`` -> ``21_histogram_bin_0_100``)."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def task_spec(problem: ParEvalProblem) -> dict[str, Any]:
    """The task.yaml fields of a problem (``answer.target`` names a target other than mpi)."""
    model = pareval_model(problem.target)
    answer = {"template": "candidate.cc", "prompt": "prompt.cc", "function": problem.function}
    return {
        "id": task_id(problem.name), "domain": task_id(problem.problem_type), "split": "test",
        "description": f"ParEval {problem.name} ({model.title}): {problem.function}", "language": "cxx",
        "args": [["1"]], "perf_args": ["3"], "include_dirs": ["include"],
        "defines": [f"DRIVER_PROBLEM_SIZE={problem.problem_size}"], "compare_lines": COMPARE_LINES,
        "time_pattern": TIME_PATTERN, "answer": answer if problem.target == "mpi" else {**answer, "target": problem.target},
    }


def write_task(problem: ParEvalProblem, out: Path) -> Path:
    """Write one problem as a task folder ``out/<type>/<name>/``."""
    folder = out / task_id(problem.problem_type) / task_id(problem.name)
    files = {
        "task.yaml": yaml.safe_dump(task_spec(problem), sort_keys=False, width=1000),
        "seq.cc": problem.seq_source, "candidate.cc": problem.template, "prompt.cc": problem.prompt.rstrip() + "\n",
        "mpi.cc": problem.reference_answer, **{f"include/{k}": v for k, v in problem.includes.items()},
    }
    for name, text in files.items():
        atomic_write_text(folder / name, text)
    return folder


def _select(prompts: dict[str, dict[str, Any]], problems: list[str] | None, where: str, title: str = "MPI") -> list[str]:
    if not problems:
        return sorted(prompts)
    unknown = [p for p in problems if p not in prompts]
    if unknown:
        raise ParEvalError(f"{where}: no {title} problem '{unknown[0]}'")
    return list(dict.fromkeys(problems))


def import_problems(
    root: str | Path, out: str | Path, *, problems: list[str] | None = None, kind: str = "generation",
    config: HarnessConfig | None = None, force: bool = False, progress: Callable[[str, str | None], None] | None = None,
) -> ImportOutcome:
    """Write a task directory (and ``dataset.jsonl``) of ParEval's problems of ``config.harness.target``'s model;
    each is built and its reference answer checked at one configuration first (1 rank, 1 thread, once): a problem
    that fails here is listed with the reason, not written."""
    from chathpc.data.records import save_records
    from chathpc.harness import ReferenceProgramError, check
    from chathpc.tasks.loader import TaskError, load_task

    root, out = Path(root), Path(out)
    cfg = (config or HarnessConfig()).model_copy(update={"ranks": [1], "threads": [1], "layouts": ["1x1"], "repeats": 1})
    target = cfg.target
    prompts = load_prompts(root, kind, target)
    chosen = _select(prompts, problems, str(root / PROMPT_FILES[kind]), pareval_model(target).title)
    dataset = out / "dataset.jsonl"
    refuse_existing(dataset, force)
    sizes = _json(root / PROBLEM_SIZES, _read(root, PROBLEM_SIZES))
    imported, failed, records = [], {}, []
    for name in chosen:
        reason = None
        try:
            folder = write_task(load_problem(root, prompts[name], sizes, target), out)
            task = load_task(folder)
            result = check(task.seq_source, task.candidate(task.mpi_source) or "", args=task.args, config=cfg, options=task.options)
            if not result.passed:
                reason = f"the reference answer does not pass here: {result.summary()}{_first_error(result.build_log)}"
            elif any(re.search(r"^Validation:\s*FAIL", run.stdout, re.M) for run in result.runs):
                reason = ("ParEval's serial baseline fails the problem's own validation (the sequential program "
                          "prints 'Validation: FAIL'): the problem cannot tell a correct answer")
        except ReferenceProgramError as exc:
            reason = str(exc).splitlines()[0][:300]
        except (ParEvalError, TaskError) as exc:
            reason = str(exc)
        if reason is None:
            imported.append(name)
            records.append(task.to_record())
        else:
            failed[name] = reason
            _remove_task(out / task_id(str(prompts[name].get("problem_type"))) / task_id(name))
        if progress:
            progress(name, reason)
    save_records(records, dataset, overwrite=True)
    atomic_write_text(out / "import-failures.json", json.dumps(failed, indent=2) + "\n")
    return ImportOutcome(out=str(out), imported=imported, failed=failed, dataset=str(dataset))


def _first_error(build_log: str) -> str:
    """`` (compiler: <first error line>)`` of a build log, or nothing."""
    line = next((line.strip() for line in build_log.splitlines() if "error:" in line), "")
    return f" (compiler: {line[:300]})" if line else ""


def _remove_task(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    if folder.parent.is_dir() and not any(folder.parent.iterdir()):
        folder.parent.rmdir()


def _rates(samples: list[tuple[str, bool, bool]]) -> dict[str, float] | None:
    """build@1 and pass@1 of (problem, built, passed) samples: per problem c/n, averaged over problems
    (the pass@1 estimator of ours and ParEval's alike); None without samples."""
    if not samples:
        return None
    by_problem: dict[str, list[tuple[bool, bool]]] = {}
    for name, built, passed in samples:
        by_problem.setdefault(name, []).append((built, passed))
    mean = lambda i: round(sum(sum(s[i] for s in v) / len(v) for v in by_problem.values()) / len(by_problem), 4)  # noqa: E731
    return {"build@1": mean(0), "pass@1": mean(1), "samples": len(samples)}


class Labels(BaseModel):
    """ParEval's own verdict on one sample, where an evaluated outputs file carries it."""

    did_build: bool
    passed: bool = Field(description="are_all_valid and is_source_valid")


def read_outputs(path: str | Path, target: str = "mpi") -> list[dict[str, Any]]:
    """The entries of ``target``'s model in a ParEval outputs file, each with ``outputs`` as a list of samples:
    ``(code, Labels | None)``."""
    model = pareval_model(target)
    path = Path(path)
    try:
        data = _json(path, path.read_text())
    except FileNotFoundError:
        raise ParEvalError(f"{path}: outputs file not found") from None
    if not isinstance(data, list):
        raise ParEvalError(f"{path}: expected a list of prompt entries with 'outputs'")
    entries = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or entry.get("parallelism_model") != model.name:
            continue
        outputs = entry.get("outputs")
        if not isinstance(outputs, list) or "name" not in entry or "prompt" not in entry:
            raise ParEvalError(f"{path}: entry {index} has no name, prompt or 'outputs' list")
        samples = []
        for sample in outputs:
            if isinstance(sample, str):
                samples.append((sample, None))
            elif isinstance(sample, dict) and isinstance(sample.get("generated_output"), str):
                labels = None
                if "did_build" in sample and "are_all_valid" in sample:
                    labels = Labels(did_build=bool(sample["did_build"]),
                                    passed=bool(sample["are_all_valid"]) and bool(sample.get("is_source_valid", True)))
                samples.append((sample["generated_output"], labels))
            else:
                raise ParEvalError(f"{path}: entry {index} ({entry['name']}): an output is neither text nor a result with 'generated_output'")
        entries.append({**entry, "index": index, "samples": samples})
    if not entries:
        raise ParEvalError(f"{path}: no {model.title} entries (parallelism_model '{model.name}')")
    return entries


class Disagreement(BaseModel):
    """One sample judged differently by ParEval and by us."""

    problem: str
    sample: int
    kind: str = Field(description="build or pass")
    theirs: bool
    ours: bool
    our_verdict: str
    feedback: str


class ScoreOutcome(BaseModel):
    """What ``score_outputs`` wrote and measured."""

    path: str
    written: int
    skipped: int
    samples: int
    seconds_per_sample: float | None = Field(description="check seconds per sample checked by this call")
    summary: EvaluationSummary
    theirs: dict[str, float] | None = Field(description="ParEval's build@1 and pass@1 from the file's labels, where present")
    ours_on_labelled: dict[str, float] | None = Field(description="Our build@1 and pass@1 on the same labelled samples")
    disagreements: list[Disagreement]
    unscored: dict[str, str] = Field(default_factory=dict, description="Problems not checked: ParEval's own program fails here (reason)")


def score_outputs(
    root: str | Path, outputs_path: str | Path, out: str | Path, *, config: HarnessConfig | None = None,
    problems: list[str] | None = None, perf: bool = False, resume: bool = False, force: bool = False,
    ks: tuple[int, ...] = (1,), progress: Callable[[], None] | None = None,
) -> ScoreOutcome:
    """Check every sample of ``config.target``'s model in a ParEval outputs file with our harness, append results
    lines (``item_id`` = problem name, ``sample`` = index in its ``outputs``), and compare with ParEval's labels
    where present."""
    from chathpc.config import RunConfig
    from chathpc.data import Record
    from chathpc.evaluate.items import ItemCheck
    from chathpc.evaluate.metrics import summarize
    from chathpc.evaluate.results import ResultsWriter, SampleLine, open_results, read_results
    from chathpc.evaluate.runner import check_samples
    from chathpc.harness import ReferenceProgramError
    from chathpc.harness.program import program_options
    from chathpc.tasks.template import AnswerTemplate

    root, out = Path(root), Path(out)
    target = (config or HarnessConfig()).target
    model = pareval_model(target)
    entries = read_outputs(outputs_path, target)
    if problems:
        known = {e["name"] for e in entries}
        missing = [p for p in problems if p not in known]
        if missing:
            raise ParEvalError(f"{outputs_path}: no {model.title} entry for problem '{missing[0]}'")
        entries = [e for e in entries if e["name"] in problems]
    provider = f"pareval:{Path(outputs_path).name}"
    generation: dict[str, Any] = {"outputs_file": Path(outputs_path).name, **({"target": target} if target != "mpi" else {})}
    ids = {e["index"]: e["name"] for e in entries}
    dense_ids = [ids.get(i, f"entry{i}") for i in range(max(ids) + 1)]
    done, cut_at, kept = open_results(out, provider, generation, dense_ids, perf=perf, resume=resume, force=force)
    sizes = _json(root / PROBLEM_SIZES, _read(root, PROBLEM_SIZES))
    run_config = RunConfig(harness=config or HarnessConfig())
    written, spent, unscored = 0, 0.0, {}
    with ResultsWriter(out, truncate_at=cut_at) as writer:
        for entry in entries:
            todo = [s for s in range(len(entry["samples"])) if (entry["index"], s) not in done]
            if not todo:
                continue
            try:
                problem = load_problem(root, entry, sizes, target)
            except ParEvalError as exc:
                unscored[entry["name"]] = str(exc)
                continue
            spec = task_spec(problem)
            options = program_options(language="cxx", defines=spec["defines"], compare_lines=COMPARE_LINES,
                                      time_pattern=TIME_PATTERN, mpi_rule="answer_calls_mpi")
            options = options.model_copy(update={"headers": {f"inc0/{k}": v for k, v in problem.includes.items()}, "include_dirs": ["inc0"]})
            template = AnswerTemplate(program=problem.template, prompt=problem.prompt, function=problem.function)
            record = Record(question=problem.prompt, id=problem.name, answer="",
                            metadata={"pareval": problem.name, "domain": problem.problem_type})
            item = ItemCheck(mode="execution", sequential=problem.seq_source, args=spec["args"], perf_args=spec["perf_args"],
                             task=problem.name, domain=problem.problem_type, options=options, template=template)
            samples = [SampleLine(item_id=problem.name, item_index=0, sample=s, domain=problem.problem_type, task=problem.name,
                                  record=record, prompt=problem.prompt, raw_output=entry["samples"][s][0], provider=provider,
                                  generation=generation) for s in todo]

            def emit(line, index=entry["index"]) -> None:
                nonlocal written, spent
                writer.append(line.model_copy(update={"item_index": index}))
                written += 1
                spent += line.timings.check_s
                if progress:
                    progress()

            try:
                check_samples(samples, [record], [item], None, run_config, perf, provider=provider, generation=generation, emit=emit)
            except ReferenceProgramError as exc:
                unscored[problem.name] = f"ParEval's sequential program fails here: {str(exc).splitlines()[0][:300]}"
    lines = [line for line in read_results(out).lines if line.item_id in {e["name"] for e in entries}]
    ours = {(line.item_id, line.sample): line for line in lines}
    labelled = [(e["name"], s, labels) for e in entries for s, (_, labels) in enumerate(e["samples"]) if labels is not None]
    disagreements = []
    for name, sample, labels in labelled:
        line = ours.get((name, sample))
        if line is None:
            continue
        built = line.verdict not in ("build_error", "extract_error")
        for kind, theirs, mine in (("build", labels.did_build, built), ("pass", labels.passed, line.passed)):
            if theirs != mine:
                disagreements.append(Disagreement(problem=name, sample=sample, kind=kind, theirs=theirs, ours=mine,
                                                  our_verdict=line.verdict, feedback=line.feedback))
    compared = [(name, labels, ours[(name, sample)]) for name, sample, labels in labelled if (name, sample) in ours]
    theirs = _rates([(name, labels.did_build, labels.passed) for name, labels, _ in compared])
    ours_on_labelled = _rates([(name, line.verdict not in ("build_error", "extract_error"), line.passed) for name, _, line in compared])
    return ScoreOutcome(
        path=str(out), written=written, skipped=kept, samples=len(lines),
        seconds_per_sample=round(spent / written, 3) if written else None, summary=summarize(lines, ks),
        theirs=theirs, ours_on_labelled=ours_on_labelled, disagreements=disagreements, unscored=unscored,
    )

"""ParEval's MPI problems through our harness (``chathpc pareval import`` / ``score``).

ParEval (Nichols et al., HPDC'24; github.com/parallelcodefoundry/ParEval) is read from a user's checkout;
nothing of it is part of this project. Per MPI problem ``<type>/<name>``:

- the sequential program is ParEval's serial driver (``drivers/cpp/models/serial-driver.cc``) with the
  problem's ``cpu.cc`` built ``USE_SERIAL``, its generated function calling the problem's correct serial
  baseline (``baseline.hpp``);
- the candidate is ParEval's MPI driver with the same ``cpu.cc`` built ``USE_MPI``, the generated function
  being the prompt (ending at the signature and ``{``) plus the model's answer (a body, ParEval style, or
  the whole function), see ``chathpc.tasks.template``;
- both print ParEval's ``Validation: PASS|FAIL`` (compared: ``compare_lines``) and ``Time:`` (the
  ``time_pattern`` for ``--perf``); ``DRIVER_PROBLEM_SIZE`` is the problem's MPI size from
  ``drivers/problem-sizes.json``; the driver's argument (iterations) is 1 for correctness, 3 for timing.

``mpi.cc`` of an imported task is the serial baseline called on every rank after an ``MPI_Comm_size``: a
correct answer that passes the not-MPI rule but is not parallel (ParEval has no expert MPI solutions).
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Callable

import yaml
from pydantic import BaseModel, Field

from chathpc.config import HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.evaluate.metrics import EvaluationSummary
from chathpc.files import atomic_write_text, refuse_existing

PROMPT_FILES = {"generation": "prompts/generation-prompts.json", "translation": "prompts/translation-prompts.json"}
SERIAL_DRIVER = "drivers/cpp/models/serial-driver.cc"
MPI_DRIVER = "drivers/cpp/models/mpi-driver.cc"
UTILITIES = "drivers/cpp/utilities.hpp"
PROBLEM_SIZES = "drivers/problem-sizes.json"
DEFAULT_SIZE = "(1<<18)"  # ParEval's own default when a problem has no MPI size
GENERATED_INCLUDE = re.compile(r'^\s*#\s*include\s+"generated-code\.hpp".*$', re.M)
_BASELINE = re.compile(r"^([\w:<>,\t \*&]+?)\s+(?:NO_INLINE\s+)?(correct\w*)\s*(\([^{;]*\))\s*\{", re.M)
_SIGNATURE = re.compile(r"^(.*?)\b(\w+)\s*\((.*)\)\s*\{\s*$", re.S)
COMPARE_LINES = [r"^Validation:"]
TIME_PATTERN = r"^Time:\s*(\S+)"


class ParEvalError(ChathpcError):
    """A ParEval checkout or outputs file that cannot be used; the message names the file."""


class ParEvalProblem(BaseModel):
    """One MPI problem, ready to become a task."""

    name: str
    problem_type: str
    prompt: str = Field(description="The MPI prompt, or the translation prompt (ends with the function's signature and '{')")
    function: str
    seq_source: str
    template: str = Field(description="The candidate program with the '// chathpc:answer' line")
    reference_answer: str = Field(description="A body calling the serial baseline: correct, not parallel")
    includes: dict[str, str] = Field(description="utilities.hpp and the problem's baseline.hpp")
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


def load_prompts(root: str | Path, kind: str = "generation") -> dict[str, dict[str, Any]]:
    """ParEval's MPI prompt entries by problem name (``kind``: generation or translation)."""
    if kind not in PROMPT_FILES:
        raise ParEvalError(f"unknown prompt kind '{kind}' (choose from {', '.join(PROMPT_FILES)})")
    root = Path(root)
    entries = _json(root / PROMPT_FILES[kind], _read(root, PROMPT_FILES[kind]))
    if not isinstance(entries, list):
        raise ParEvalError(f"{root / PROMPT_FILES[kind]}: expected a list of prompt entries")
    return {e["name"]: e for e in entries if isinstance(e, dict) and e.get("parallelism_model") == "mpi" and "name" in e}


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


def _baseline_call(baseline: str, names: list[str], returns: str, where: str) -> str:
    """A body: the baseline's declaration in block scope (it may be defined after the generated code), then its call."""
    match = _BASELINE.search(baseline)
    if not match:
        raise ParEvalError(f"{where}: no 'correct...(...) {{' baseline function found")
    declaration = f"{match.group(1).strip()} {match.group(2)}{' '.join(match.group(3).split())};"
    call = f"{match.group(2)}({', '.join(names)});"
    return f"    {declaration}\n    {'' if returns == 'void' else 'return '}{call}\n}}\n"


def problem_folder(root: Path, entry: dict[str, Any]) -> Path:
    """``drivers/cpp/benchmarks/<type>/<name>`` of a prompt entry."""
    return root / "drivers" / "cpp" / "benchmarks" / str(entry.get("problem_type")) / str(entry["name"])


def load_problem(root: str | Path, entry: dict[str, Any], sizes: dict[str, Any] | None = None) -> ParEvalProblem:
    """The sequential program, candidate template and reference answer of one MPI prompt entry."""
    root = Path(root)
    folder = problem_folder(root, entry)
    relative = folder.relative_to(root).as_posix()
    cpu = _read(root, f"{relative}/cpu.cc")
    baseline = _read(root, f"{relative}/baseline.hpp")
    if not GENERATED_INCLUDE.search(cpu):
        raise ParEvalError(f"{folder / 'cpu.cc'}: no '#include \"generated-code.hpp\"' line")
    serial_prompt = _serial_prompts(root).get(entry["name"])
    if serial_prompt is None:
        raise ParEvalError(f"{root / PROMPT_FILES['generation']}: no serial prompt for {entry['name']}")
    # a translation entry's prompt shows the serial code (commented out) before the MPI signature
    prompt = entry.get("translation_prompt") or entry["prompt"]
    returns, function, names = _signature(prompt, f"{entry['name']} (MPI prompt)")
    serial_returns, _, serial_names = _signature(serial_prompt, f"{entry['name']} (serial prompt)")
    serial_code = _no_inline(serial_prompt) + "\n" + _baseline_call(baseline, serial_names, serial_returns, str(folder / "baseline.hpp"))
    # the baseline's standard headers first: some problems' generated code comes before baseline.hpp in cpu.cc
    headers = "".join(line + "\n" for line in baseline.splitlines() if re.match(r"\s*#\s*include\s*<", line))
    seq = "#define USE_SERIAL 1\n" + headers + GENERATED_INCLUDE.sub(lambda _: serial_code, cpu) + "\n" + _read(root, SERIAL_DRIVER)
    template = "#define USE_MPI 1\n" + headers + GENERATED_INCLUDE.sub("// chathpc:answer", cpu) + "\n" + _read(root, MPI_DRIVER)
    reference = "    int chathpc_ranks = 1;\n    MPI_Comm_size(MPI_COMM_WORLD, &chathpc_ranks);\n" + _baseline_call(
        baseline, names, returns, str(folder / "baseline.hpp"))
    if sizes is None:
        sizes = _json(root / PROBLEM_SIZES, _read(root, PROBLEM_SIZES))
    size = str((sizes.get(entry["name"]) or {}).get("mpi", DEFAULT_SIZE))
    return ParEvalProblem(
        name=entry["name"], problem_type=str(entry["problem_type"]), prompt=prompt, function=function,
        seq_source=seq, template=template, reference_answer=reference,
        includes={"utilities.hpp": _read(root, UTILITIES), "baseline.hpp": baseline}, problem_size=size,
    )


def task_id(name: str) -> str:
    """Our task id for a ParEval problem name (``21_histogram_bin_0-100`` -> ``21_histogram_bin_0_100``)."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def task_spec(problem: ParEvalProblem) -> dict[str, Any]:
    """The task.yaml fields of a problem."""
    return {
        "id": task_id(problem.name), "domain": task_id(problem.problem_type), "split": "test",
        "description": f"ParEval {problem.name} (MPI): {problem.function}", "language": "cxx",
        "args": [["1"]], "perf_args": ["3"], "include_dirs": ["include"],
        "defines": [f"DRIVER_PROBLEM_SIZE={problem.problem_size}"], "compare_lines": COMPARE_LINES,
        "time_pattern": TIME_PATTERN, "answer": {"template": "candidate.cc", "prompt": "prompt.cc", "function": problem.function},
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


def _select(prompts: dict[str, dict[str, Any]], problems: list[str] | None, where: str) -> list[str]:
    if not problems:
        return sorted(prompts)
    unknown = [p for p in problems if p not in prompts]
    if unknown:
        raise ParEvalError(f"{where}: no MPI problem '{unknown[0]}'")
    return list(dict.fromkeys(problems))


def import_problems(
    root: str | Path, out: str | Path, *, problems: list[str] | None = None, kind: str = "generation",
    config: HarnessConfig | None = None, force: bool = False, progress: Callable[[str, str | None], None] | None = None,
) -> ImportOutcome:
    """Write a task directory (and ``dataset.jsonl``) of ParEval's MPI problems; each is built and its reference
    answer checked at 1 rank first: a problem that fails here is listed with the reason, not written."""
    from chathpc.data.records import save_records
    from chathpc.harness import ReferenceProgramError, check
    from chathpc.tasks.loader import TaskError, load_task

    root, out = Path(root), Path(out)
    prompts = load_prompts(root, kind)
    chosen = _select(prompts, problems, str(root / PROMPT_FILES[kind]))
    dataset = out / "dataset.jsonl"
    refuse_existing(dataset, force)
    sizes = _json(root / PROBLEM_SIZES, _read(root, PROBLEM_SIZES))
    cfg = (config or HarnessConfig()).model_copy(update={"ranks": [1]})
    imported, failed, records = [], {}, []
    for name in chosen:
        reason = None
        try:
            folder = write_task(load_problem(root, prompts[name], sizes), out)
            task = load_task(folder)
            result = check(task.seq_source, task.candidate(task.mpi_source) or "", args=task.args, config=cfg, options=task.options)
            if not result.passed:
                reason = f"the reference answer does not pass here: {result.summary()}"
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


def read_outputs(path: str | Path) -> list[dict[str, Any]]:
    """The MPI entries of a ParEval outputs file, each with ``outputs`` as a list of samples:
    ``(code, Labels | None)``."""
    path = Path(path)
    try:
        data = _json(path, path.read_text())
    except FileNotFoundError:
        raise ParEvalError(f"{path}: outputs file not found") from None
    if not isinstance(data, list):
        raise ParEvalError(f"{path}: expected a list of prompt entries with 'outputs'")
    entries = []
    for index, entry in enumerate(data):
        if not isinstance(entry, dict) or entry.get("parallelism_model") != "mpi":
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
        raise ParEvalError(f"{path}: no MPI entries (parallelism_model 'mpi')")
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
    """Check every sample of a ParEval outputs file with our harness, append results lines (``item_id`` =
    problem name, ``sample`` = index in its ``outputs``), and compare with ParEval's labels where present."""
    from chathpc.assist.sanitize import answer_code
    from chathpc.data import Record
    from chathpc.evaluate.metrics import summarize
    from chathpc.evaluate.results import ResultLine, ResultsWriter, Timings, read_results
    from chathpc.evaluate.runner import open_results
    from chathpc.harness import CheckResult, ReferenceProgramError, check
    from chathpc.harness.program import program_options
    from chathpc.tasks.template import AnswerTemplate

    root, out = Path(root), Path(out)
    entries = read_outputs(outputs_path)
    if problems:
        known = {e["name"] for e in entries}
        missing = [p for p in problems if p not in known]
        if missing:
            raise ParEvalError(f"{outputs_path}: no MPI entry for problem '{missing[0]}'")
        entries = [e for e in entries if e["name"] in problems]
    provider = f"pareval:{Path(outputs_path).name}"
    generation: dict[str, Any] = {"outputs_file": Path(outputs_path).name}
    ids = {e["index"]: e["name"] for e in entries}
    dense_ids = [ids.get(i, f"entry{i}") for i in range(max(ids) + 1)]
    done, cut_at, kept = open_results(out, provider, generation, dense_ids, perf=perf, resume=resume, force=force)
    sizes = _json(root / PROBLEM_SIZES, _read(root, PROBLEM_SIZES))
    cfg = config or HarnessConfig()
    written, spent, unscored = 0, 0.0, {}
    with ResultsWriter(out, truncate_at=cut_at) as writer:
        for entry in entries:
            todo = [s for s in range(len(entry["samples"])) if (entry["index"], s) not in done]
            if not todo:
                continue
            try:
                problem = load_problem(root, entry, sizes)
            except ParEvalError as exc:
                unscored[entry["name"]] = str(exc)
                continue
            spec = task_spec(problem)
            options = program_options(language="cxx", defines=spec["defines"], compare_lines=COMPARE_LINES,
                                      time_pattern=TIME_PATTERN, mpi_rule="answer_calls_mpi")
            options = options.model_copy(update={"headers": {f"inc0/{k}": v for k, v in problem.includes.items()}, "include_dirs": ["inc0"]})
            template = AnswerTemplate(program=problem.template, prompt=problem.prompt, function=problem.function)
            record = Record(question=problem.prompt, id=problem.name,
                            metadata={"pareval": problem.name, "domain": problem.problem_type})
            for sample in todo:
                raw = entry["samples"][sample][0]
                start = time.perf_counter()
                code = template.assemble(answer_code(raw))
                if code is None:
                    result = CheckResult.extraction_failed("The output is empty.")
                else:
                    try:
                        result = check(problem.seq_source, code, args=spec["args"], config=cfg, options=options,
                                       perf=perf, perf_args=spec["perf_args"])
                    except ReferenceProgramError as exc:
                        unscored[problem.name] = f"ParEval's sequential program fails here: {str(exc).splitlines()[0][:300]}"
                        break
                seconds = time.perf_counter() - start
                spent += seconds
                timings = result.perf.timings if result.perf is not None and result.perf.timeable else []  # no speedup from noise
                writer.append(ResultLine(
                    item_id=problem.name, item_index=entry["index"], sample=sample, domain=problem.problem_type,
                    task=problem.name, record=record, prompt=problem.prompt, raw_output=raw, code=code,
                    check_mode="execution", verdict=result.verdict.value, passed=result.passed,
                    check=result.model_dump(mode="json"), feedback=result.feedback(), perf_requested=perf,
                    speedup={t.ranks: t.speedup for t in timings}, efficiency={t.ranks: t.efficiency for t in timings},
                    provider=provider, generation=generation, timings=Timings(check_s=seconds),
                ))
                written += 1
                if progress:
                    progress()
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

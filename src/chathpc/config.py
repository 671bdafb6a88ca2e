"""Typed run configuration.

One YAML or JSON file per run, with nine sections (``model``, ``lora``, ``training``,
``generation``, ``grpo``, ``iterate``, ``data``, ``harness``, ``schedule``). Values are resolved in this precedence, later wins:

1. defaults (the field defaults below),
2. the config file (``-c FILE``),
3. environment variables ``CHATHPC_<SECTION>__<KEY>`` (e.g. ``CHATHPC_TRAINING__SEED=7``),
4. command-line overrides ``--set section.key=value`` (repeatable).

Environment and ``--set`` values are parsed as YAML scalars (``1e-4``, ``true``, ``[1, 2]``);
comma-separated text is accepted for list fields (``harness.ranks=1,2,3``). Unknown keys, wrong
types and out-of-range values are rejected with the key's path and, for typos, a suggestion.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chathpc.errors import ConfigError
from chathpc.files import read_text_file

_LAYOUT = re.compile(r"^\s*[0-9]+\s*x\s*[0-9]+\s*$")  # RANKSxTHREADS of the hybrid target

ENV_PREFIX = "CHATHPC_"
ENV_DELIMITER = "__"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


def _split_commas(value: Any) -> Any:
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",")]
        if value.strip() and not all(items):  # "1,,2" or "1,2,": a typo, not a shorter list
            raise ValueError(f"empty item in the comma-separated list '{value}'")
        return [item for item in items if item]
    return value


class ModelConfig(_Section):
    """Which model answers, and how it is loaded."""

    provider: str = Field("hf", description="Provider: hf, llamacpp, openai, reference, sequential (or a registered name)")
    base: str = Field("codellama/CodeLlama-7b-hf", description="Hugging Face hub id or local path of the base model (for openai: the model name)")
    adapter: str | None = Field(None, description="LoRA adapter directory or training run directory applied on top of the base model")
    dtype: Literal["auto", "bfloat16", "float16", "float32"] = Field("auto", description="Weights dtype; auto picks bf16 where supported, else fp32 on CPU")
    device: Literal["auto", "cpu", "cuda", "mps"] = Field("auto", description="Device; auto picks CUDA, then MPS, then CPU")
    load_in_4bit: bool = Field(False, description="4-bit QLoRA loading (needs CUDA and bitsandbytes)")
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint; default: the client's OPENAI_BASE_URL")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the endpoint's API key")
    request_timeout: float = Field(120.0, gt=0, description="Seconds before one HTTP request to an endpoint times out")
    max_retries: int = Field(4, ge=0, le=20, description="Retries with exponential back-off on 429 and 5xx")


class LoraConfig(_Section):
    """LoRA adapter shape."""

    r: int = Field(16, ge=1, le=1024, description="Rank of the LoRA update matrices")
    alpha: int = Field(32, ge=1, description="LoRA scaling numerator (scale = alpha / r)")
    dropout: float = Field(0.05, ge=0.0, lt=1.0, description="Dropout on the LoRA branch")
    target_modules: list[str] | Literal["all-linear"] = Field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"],
        description="Module names to adapt, or all-linear for every linear layer but the output head",
    )

    @field_validator("target_modules", mode="before")
    @classmethod
    def _modules(cls, value: Any) -> Any:
        return value if value == "all-linear" else _split_commas(value)


class TrainingConfig(_Section):
    """Optimization and run-directory settings for ``chathpc train``."""

    method: Literal["lora", "full", "grpo", "expert_iteration"] = Field(
        "lora", description="lora trains an adapter (QLoRA with model.load_in_4bit); full updates every weight (tiny models); "
        "grpo: reinforcement learning of a LoRA adapter rewarded by the harness (grpo section); "
        "expert_iteration: rounds of sampling, checking and fine-tuning on the passing programs (iterate section)"
    )
    epochs: float = Field(3.0, gt=0, description="Passes over the training data (ignored when max_steps > 0)")
    max_steps: int = Field(-1, ge=-1, description="Total optimizer steps; -1 means use epochs")
    learning_rate: float = Field(2e-4, gt=0, le=1.0, description="Peak learning rate")
    lr_scheduler: Literal["linear", "cosine", "constant", "constant_with_warmup", "cosine_with_restarts", "polynomial"] = Field(
        "cosine", description="Learning-rate schedule after warm-up"
    )
    warmup_ratio: float = Field(0.03, ge=0.0, lt=1.0, description="Fraction of steps spent warming up")
    batch_size: int = Field(4, ge=1, description="Examples per device per step")
    gradient_accumulation_steps: int = Field(1, ge=1, description="Steps accumulated before each optimizer update")
    max_seq_length: int = Field(2048, ge=16, description="Longest tokenized example (prompt plus answer); longer ones are truncated and reported")
    seed: int = Field(42, ge=0, description="Seed for data order, initialization and dropout")
    validation_split: float = Field(0.1, ge=0.0, lt=1.0, description="Fraction of the training data held out for eval loss (0 disables)")
    validation_file: str | None = Field(None, description="Separate validation dataset (overrides validation_split)")
    output_dir: str = Field("runs/chathpc", description="Run directory (adapter, tokenizer, metrics, resolved config)")
    gradient_checkpointing: bool = Field(False, description="Trade compute for memory on long sequences")
    weight_decay: float = Field(0.0, ge=0.0, description="AdamW weight decay")
    logging_steps: int = Field(10, ge=1, description="Steps between metric records")
    save_steps: int = Field(50, ge=1, description="Steps between checkpoints (used by --resume)")
    eval_steps: int = Field(50, ge=1, description="Steps between eval-loss measurements")


REWARD_RUNGS = ("extract_error", "not_mpi", "build_error", "timeout", "runtime_error", "memory_error", "wrong_output", "pass")
DEFAULT_LADDER = {"extract_error": -1.0, "not_mpi": -1.0, "build_error": -0.8, "timeout": -0.6, "runtime_error": -0.5,
                  "memory_error": -0.4, "wrong_output": -0.2, "pass": 1.0}


class GrpoConfig(_Section):
    """Reinforcement learning from verification (training.method=grpo): sampling, KL and the reward."""

    generations: int = Field(4, ge=2, le=256, description="Completions sampled per prompt: the group whose rewards are compared (group size)")
    prompts_per_step: int = Field(1, ge=1, description="Prompts (groups) per optimizer step and process")
    max_completion_length: int = Field(1024, ge=1, description="Longest sampled completion in tokens")
    temperature: float = Field(1.0, gt=0.0, le=2.0, description="Sampling temperature of the completions")
    beta: float = Field(0.04, ge=0.0, description="KL coefficient towards the starting model (0: no reference model)")
    ladder: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_LADDER),
        description="Reward per verdict, lowest rung first; keys left out keep their default; must not decrease along "
        "this order and pass must top every failure",
    )
    timing: bool = Field(False, description="Time passing programs at harness.perf_ranks and add the speedup term")
    speedup_weight: float = Field(0.5, ge=0.0, description="Reward per doubling of speedup (log2, mean over the timed rank counts > 1)")
    speedup_cap: float = Field(8.0, ge=1.0, description="Speedups above this are paid as this")
    partial_credit: float = Field(
        0.6, ge=0.0, description="Graded credit below pass: a failing program that passed some of its correctness runs (argument "
        "sets x rank counts) is paid as wrong_output plus this times the share it passed; 0 turns it off; "
        "ladder[wrong_output] + partial_credit must stay below pass")
    drop_zero_spread: bool = Field(
        False, description="Leave groups whose completions all score the same out of the loss (they carry no advantage; "
        "their count is logged as zero_spread_groups either way)")
    hidden_args: bool = Field(True, description="Check every item also at one argument set it does not list (its sizes shifted, kept where the expert answer passes)")
    vllm: Literal["auto", "on", "off"] = Field(
        "auto", description="Sample completions with TRL's vLLM, colocated on the training GPU: auto uses it on CUDA when the "
                            "vllm package is installed; on requires both (validate fails otherwise); off never")

    @field_validator("ladder")
    @classmethod
    def _increasing(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(REWARD_RUNGS))
        if unknown:
            raise ValueError(f"unknown verdict '{unknown[0]}' (rungs: {', '.join(REWARD_RUNGS)})")
        ladder = {rung: float(value.get(rung, DEFAULT_LADDER[rung])) for rung in REWARD_RUNGS}
        for low, high in zip(REWARD_RUNGS, REWARD_RUNGS[1:]):
            if ladder[high] < ladder[low]:
                raise ValueError(f"the ladder must not decrease: {high}={ladder[high]} is below {low}={ladder[low]}")
        if ladder["pass"] <= ladder["wrong_output"]:
            raise ValueError(f"pass={ladder['pass']} must be above every failing verdict (wrong_output={ladder['wrong_output']})")
        return ladder

    @model_validator(mode="after")
    def _partial_below_pass(self) -> GrpoConfig:
        top = self.ladder["wrong_output"] + self.partial_credit
        if top >= self.ladder["pass"]:
            raise ValueError(f"partial_credit={self.partial_credit}: a failing program could earn {top}, not below pass={self.ladder['pass']}")
        return self


class IterateConfig(_Section):
    """Expert iteration (training.method=expert_iteration): sample, check, keep passing programs, fine-tune from the base."""

    rounds: int = Field(2, ge=1, le=100, description="Rounds of sample -> check -> keep -> fine-tune")
    samples: int = Field(8, ge=1, le=200, description="Samples per item and round (n)")
    temperature: float = Field(0.8, gt=0.0, le=2.0, description="Sampling temperature (generation.* gives the other decoding settings)")
    keep: int = Field(4, ge=1, description="At most this many distinct passing programs kept per item (over all rounds)")
    prefer_faster: bool = Field(False, description="Time passing programs (--perf at harness.perf_ranks) and keep the fastest first")
    hints: Literal["skeleton", "description", "off"] = Field(
        "skeleton", description="Items with no passing sample in a round are sampled again with a hint: skeleton (the expert answer's "
        "MPI set-up and block bounds without the kernel; description where there is no expert answer), description (the task's "
        "description of the decomposition), or off; kept answers are trained without the hint")
    items_file: str | None = Field(None, description="Records to sample from (a dataset file or split name); default: the training records")
    finetune: Literal["lora", "full"] = Field("lora", description="How each round fine-tunes model.base (training.* settings apply)")
    start: str | None = Field(None, description="Model that samples in round 1 (run directory, adapter or model); default: "
                              "round 0 fine-tunes model.base on the training records first")
    provider: Literal["hf", "llamacpp"] = Field(
        "hf", description="What samples each round's model: hf (transformers) or llamacpp (the model exported to a q8_0 GGUF file "
        "and decoded by llama.cpp, several times faster on a CPU; needs the llamacpp extra)")


class GenerationConfig(_Section):
    """Decoding settings shared by every provider."""

    max_new_tokens: int = Field(1024, ge=1, description="Longest answer in tokens")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature; 0 means greedy")
    top_p: float = Field(0.95, gt=0.0, le=1.0, description="Nucleus sampling mass (when temperature > 0)")
    samples: int = Field(1, ge=1, le=200, description="Samples per prompt (n, for pass@k)")
    seed: int = Field(0, ge=0, description="Sampling seed")
    batch_size: int = Field(8, ge=1, description="Prompts generated together by the hf provider (left-padded)")
    repetition_penalty: float = Field(1.0, ge=1.0, le=2.0, description="hf provider: penalty on repeated tokens (1.0: none)")
    stop_after_code_block: bool = Field(True, description="End an answer at the close of its first complete fenced code block")


class DataConfig(_Section):
    """Dataset files and the prompt template."""

    train_file: str | None = Field(None, description="Training dataset (JSON, JSON Lines, YAML or messages JSONL); default: the built-in train split")
    test_file: str | None = Field(None, description="Held-out dataset; default: the built-in test split")
    refine_file: str | None = Field(None, description="Expert-corrected refinement dataset added to training")
    template: str = Field("chathpc", description="Prompt template: a built-in name, a path to a Jinja2 file, or inline Jinja2 text")
    prompt_format: Literal["auto", "text", "chat"] = Field(
        "auto", description="text: the template; chat: system/user/assistant messages through the tokenizer's chat template; auto: chat when the tokenizer has one")
    system: str | None = Field(None, description="System text for records without one; default: the template's own")


class HarnessConfig(_Section):
    """How candidates are built, run, compared, timed and sandboxed."""

    ranks: list[int] = Field(default_factory=lambda: [1, 2, 3, 4], description="Rank counts for correctness runs")
    perf_ranks: list[int] = Field(default_factory=lambda: [1, 2], description="Rank counts for timing runs (never more than the cores)")
    launcher: str = Field("mpirun -np {n}", description="Launcher template; {n} is the rank count (e.g. mpiexec -n {n}; srun is refused: use schedule.backend slurm)")
    cc: str = Field("mpicc", description="MPI C compiler wrapper")
    cflags: list[str] = Field(
        default_factory=lambda: ["-O2", "-Wall", "-falign-loops=64"],
        description="Compiler flags for candidate and sequential program (aligned loops keep timings independent of code layout)",
    )
    cxx: str = Field("mpicxx", description="MPI C++ compiler wrapper (programs ending .cc .cpp .cxx .C)")
    cxxflags: list[str] = Field(
        default_factory=lambda: ["-O2", "-Wall", "-falign-loops=64"], description="Compiler flags for C++ programs"
    )
    fc: str = Field("mpifort", description="MPI Fortran compiler wrapper (programs ending .f90 .F90 .f .F; needs gfortran)")
    fflags: list[str] = Field(
        default_factory=lambda: ["-O2", "-Wall", "-falign-loops=64"], description="Compiler flags for Fortran programs"
    )
    ldflags: list[str] = Field(default_factory=lambda: ["-lm"], description="Linker flags (every language)")
    build_timeout: float = Field(60.0, gt=0, description="Seconds one compilation may take")
    timeout: float = Field(30.0, gt=0, description="Seconds one correctness run may take before it counts as a timeout")
    rtol: float = Field(1e-7, ge=0.0, description="Relative tolerance for numbers in the output")
    atol: float = Field(1e-10, ge=0.0, description="Absolute tolerance for numbers in the output")
    perf_repeats: int = Field(5, ge=1, description="Timed repeats per rank count (the median is reported)")
    perf_warmup: int = Field(1, ge=0, description="Untimed warm-up runs per rank count")
    optimize_margin: float = Field(
        1.1, gt=0, description="How much faster than its input an optimization answer must be at the largest timed configuration (optimize-* kinds)")
    sandbox: Literal["auto", "bwrap", "rlimits"] = Field("auto", description="Isolation: bwrap where available (auto), or resource limits only")
    memory_mb: int = Field(2048, ge=16, description="Address-space limit per process, MiB")
    cpu_seconds: int = Field(120, ge=1, description="CPU-time limit per process, seconds")
    max_output_bytes: int = Field(1 << 20, ge=1024, description="Captured stdout/stderr per run; more is cut and the run fails")
    jobs: int = Field(1, ge=1, description="Correctness runs in parallel (timing runs are always serialized)")
    explore: bool = Field(False, description="After the given runs pass, probe derived sizes and rank counts and shrink a failure (--explore)")
    explore_budget: float = Field(60.0, gt=0, description="Seconds exploration may spend per candidate, probing plus shrinking (--explore-budget)")
    explore_seed: int = Field(0, ge=0, description="Seed of the probe order (--explore-seed)")
    explore_ranks: list[int] = Field(
        default_factory=lambda: [5, 8], description="Extra rank counts explored beyond ranks (oversubscribed; include a prime above 4)")
    sanitize: bool = Field(False, description="Also run an AddressSanitizer + UBSan build at the given inputs (--sanitize)")
    sanitize_flags: list[str] = Field(
        default_factory=lambda: ["-fsanitize=address,undefined", "-g", "-O1", "-fno-omit-frame-pointer"],
        description="Compiler flags of the sanitizer build (replace cflags)")

    target: Literal["mpi", "openmp", "hybrid", "kokkos"] = Field(
        "mpi", description="Programming model of the candidates (--target): mpi, openmp, hybrid (MPI + OpenMP) or kokkos")
    threads: list[int] = Field(default_factory=lambda: [1, 2, 3, 4], description="Thread counts of correctness runs (openmp, kokkos)")
    perf_threads: list[int] = Field(default_factory=lambda: [1, 2], description="Thread counts of timing runs (openmp, kokkos; never more than the cores)")
    explore_threads: list[int] = Field(default_factory=lambda: [5, 8], description="Extra thread counts explored (openmp, kokkos; --explore)")
    layouts: list[str] = Field(
        default_factory=lambda: ["1x1", "1x2", "2x1", "2x2", "3x2"], description="Ranks x threads per rank of correctness runs (hybrid)")
    perf_layouts: list[str] = Field(
        default_factory=lambda: ["1x1", "1x2", "2x1"], description="Ranks x threads per rank of timing runs (hybrid; ranks x threads <= cores)")
    repeats: int = Field(3, ge=1, description="Runs per configuration of a threaded target (openmp, kokkos, hybrid), to expose races")
    omp_cc: str = Field("gcc", description="C compiler of the openmp target (the sequential program builds with it too)")
    omp_cxx: str = Field("g++", description="C++ compiler of the openmp target")
    openmp_flags: list[str] = Field(default_factory=lambda: ["-fopenmp"], description="Flags that enable OpenMP (openmp, hybrid, kokkos)")
    omp_proc_bind: str = Field("false", description="OMP_PROC_BIND of threaded runs (false or spread; unset, Kokkos warns on every run)")
    kokkos_root: str = Field("", description="Kokkos install (include/, lib/libkokkoscore.a); empty: $KOKKOS_ROOT, else the environment's kokkos/")
    kokkos_cxx: str = Field("g++", description="C++ compiler of the kokkos target")
    kokkos_flags: list[str] = Field(default_factory=lambda: ["-std=c++17"], description="Extra flags of Kokkos builds (after cxxflags)")

    @field_validator("ranks", "perf_ranks", "explore_ranks", "cflags", "cxxflags", "fflags", "ldflags", "sanitize_flags",
                     "threads", "perf_threads", "explore_threads", "layouts", "perf_layouts", "openmp_flags", "kokkos_flags", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.split() if " " in value.strip() else _split_commas(value)
        return value

    @field_validator("ranks", "perf_ranks", "explore_ranks", "threads", "perf_threads", "explore_threads")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if not value or any(n < 1 for n in value):
            raise ValueError("rank and thread counts must be a non-empty list of integers >= 1")
        return value

    @field_validator("layouts", "perf_layouts")
    @classmethod
    def _layouts(cls, value: list[str]) -> list[str]:
        if not value or any(not _LAYOUT.match(v) or any(int(p) < 1 for p in v.lower().split("x")) for v in value):
            raise ValueError("layouts must be a non-empty list of RANKSxTHREADS, e.g. 1x2,2x2")
        return value

    @field_validator("launcher")
    @classmethod
    def _has_n(cls, value: str) -> str:
        if "{n}" not in value:
            raise ValueError("launcher template must contain {n} (the rank count)")
        return value


class ScheduleConfig(_Section):
    """How many candidates are checked at once, and where (``chathpc.schedule``)."""

    backend: Literal["auto", "local", "slurm"] = Field(
        "auto", description="Where checks run: auto is slurm inside an allocation (SLURM_JOB_ID set, srun on PATH), else local"
    )
    jobs: int = Field(0, ge=0, description="Checks in parallel; 0: twice the core count (local) or the allocation's CPUs (slurm)")
    srun: str = Field("srun --exclusive -N 1 -n 1", description="Job step command of one check under the slurm backend (-c CPUS is added)")


class RunConfig(BaseModel):
    """The whole configuration of one run (layered from file, env and CLI by ``resolve_config``)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    model: ModelConfig = Field(default_factory=ModelConfig)
    lora: LoraConfig = Field(default_factory=LoraConfig)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    grpo: GrpoConfig = Field(default_factory=GrpoConfig)
    iterate: IterateConfig = Field(default_factory=IterateConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    harness: HarnessConfig = Field(default_factory=HarnessConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation for name, field in RunConfig.model_fields.items()  # type: ignore[misc]
}


class ResolvedConfig(BaseModel):
    """A validated config plus the source of every value (default, file, env or cli)."""

    config: RunConfig
    sources: dict[str, str]
    file: str | None = None


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_key(section: str, key: str | None, origin: str) -> None:
    if section not in SECTIONS:
        raise ConfigError(f"{origin}: unknown section '{section}'{_suggest(section, list(SECTIONS))}")
    if key is not None and key not in SECTIONS[section].model_fields:
        fields = list(SECTIONS[section].model_fields)
        raise ConfigError(f"{origin}: unknown key '{section}.{key}'{_suggest(key, fields)}")


def _parse_scalar(text: str) -> Any:
    try:
        return yaml.safe_load(text) if text.strip() else ""
    except yaml.YAMLError:
        return text


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (YAML would keep the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key '{key}'", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    repeated = next((key for key in keys if keys.count(key) > 1), None)
    if repeated is not None:
        raise ValueError(f"duplicate key '{repeated}'")
    return dict(pairs)


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML or JSON config file into a nested dict, with one-line errors."""
    p = Path(path)
    text = read_text_file(p, error=ConfigError, missing="config file not found")
    kind = "JSON" if p.suffix == ".json" else "YAML"
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_pairs) if kind == "JSON" else yaml.load(text, Loader=_UniqueKeyLoader)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{p}: line {exc.lineno} not valid JSON") from None
    except yaml.YAMLError as exc:
        mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None) or ""
        where = f" line {mark.line + 1}" if mark is not None else ""
        detail = f": {problem}" if problem.startswith("duplicate key") else ""
        raise ConfigError(f"{p}:{where} not valid YAML{detail}") from None
    except ValueError as exc:  # a JSON key given twice
        raise ConfigError(f"{p}: not valid JSON: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: a config must be a mapping of sections, got {type(data).__name__}")
    for section, values in data.items():
        _check_key(str(section), None, str(p))
        if values is None:
            data[section] = {}
        elif not isinstance(values, dict):
            raise ConfigError(f"{p}: section '{section}' must be a mapping")
        else:
            for key in values:
                _check_key(str(section), str(key), str(p))
    return data


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Config values from ``CHATHPC_<SECTION>__<KEY>`` variables (others with the prefix are ignored)."""
    environ = os.environ if environ is None else environ
    out: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or ENV_DELIMITER not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition(ENV_DELIMITER)
        _check_key(section, key, f"environment variable {name}")
        out.setdefault(section, {})[key] = _parse_scalar(value)
    return out


def cli_overrides(assignments: list[str] | None) -> dict[str, dict[str, Any]]:
    """Config values from ``--set section.key=value`` assignments."""
    out: dict[str, dict[str, Any]] = {}
    for item in assignments or []:
        path, sep, value = item.partition("=")
        section, dot, key = path.strip().partition(".")
        if not sep or not dot or not key:
            raise ConfigError(f"--set {item}: expected section.key=value")
        _check_key(section, key, f"--set {item}")
        out.setdefault(section, {})[key] = _parse_scalar(value)
    return out


def _format_validation_error(exc: ValidationError, sources: dict[str, str]) -> str:
    err = exc.errors()[0]
    path = ".".join(str(p) for p in err["loc"])
    # the source of harness.ranks.0 is that of harness.ranks (section.key)
    origin = sources.get(".".join(str(p) for p in err["loc"][:2]), "config")
    return f"{origin}: {path}: {err['msg']}"


def resolve_config(
    path: str | os.PathLike[str] | None = None,
    overrides: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedConfig:
    """Merge defaults < file < env < CLI overrides, validate, and record each value's source."""
    layers = [
        ("file" if path is None else f"file {path}", read_config_file(path) if path else {}),
        ("env", env_overrides(environ)),
        ("cli", cli_overrides(overrides)),
    ]
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for label, layer in layers:
        for section, values in layer.items():
            for key, value in values.items():
                merged.setdefault(section, {})[key] = value
                origin[f"{section}.{key}"] = label
    try:
        config = RunConfig(**merged)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc, origin)) from None
    sources = {
        f"{section}.{key}": origin.get(f"{section}.{key}", "default")
        for section, model in SECTIONS.items()
        for key in model.model_fields
    }
    return ResolvedConfig(config=config, sources=sources, file=str(path) if path else None)


def load_config(path: str | os.PathLike[str] | None = None, overrides: list[str] | None = None) -> RunConfig:
    """The validated run config from a file, the environment and overrides (see module docs)."""
    return resolve_config(path, overrides).config


def example_config_yaml() -> str:
    """A commented YAML config with every field at its default."""
    lines = [
        "# chathpc run config. Every field is shown at its default.",
        "# Precedence (later wins): defaults < this file < CHATHPC_<SECTION>__<KEY> env < --set section.key=value",
        "",
    ]
    defaults = RunConfig().model_dump(mode="json")
    for section, model in SECTIONS.items():
        lines.append(f"# {(model.__doc__ or '').strip()}")
        lines.append(f"{section}:")
        for key, field in model.model_fields.items():
            if field.description:
                lines.append(f"  # {field.description}")
            value = yaml.safe_dump({key: defaults[section][key]}, default_flow_style=True, width=1000).strip()
            lines.append(f"  {value[1:-1]}")
        lines.append("")
    return "\n".join(lines)

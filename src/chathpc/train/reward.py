"""The GRPO reward: each completion's code checked by the harness, paid by the verdict ladder and speedup.

``reward = ladder[verdict] + partial + bonus``. The ladder (``grpo.ladder``, validated by the config: it never
decreases along ``extract_error, not_mpi, build_error, timeout, runtime_error, memory_error,
wrong_output, pass``) puts ``not_mpi`` at the bottom, so handing back the sequential program, which
prints the right answer, never pays. A verdict the ladder does not name (one the harness gained later)
is paid as ``runtime_error``. The bonus, only for a pass when ``grpo.timing`` is on, is
``speedup_weight * mean(log2(clamp(speedup, 1, speedup_cap)))`` over the timed rank counts above 1: zero for a
pass without speedup, and zero when the timing run failed or its output differed from the sequential
program's (a program that special-cases the timed size earns nothing for it). The partial credit, only for
a failing program that passed some of its correctness runs (argument sets x rank counts, in order; no run
starts after the first failure), pays it as ``wrong_output`` plus ``partial_credit * passed / planned runs``,
whatever its verdict: above every program that passed no run and (by the config's check) below a pass. ``zero_spread`` finds the groups whose completions all scored the same (no advantage to
learn from); the reward logs their share as ``zero_spread_groups``.

Checks are cached per unique program (content hash of the item and the code) in memory and in the
run's ``rewards.jsonl``, which a resumed run reads back. Every check goes through ``run_checks``, the
one place that calls the harness (to be swapped for the check scheduler).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from pydantic import BaseModel

from chathpc.config import GrpoConfig, HarnessConfig
from chathpc.errors import ChathpcError
from chathpc.evaluate.items import ItemCheck, answer_program

REWARDS_FILE = "rewards.jsonl"
UNKNOWN_VERDICT_RUNG = "runtime_error"


class RewardItem(ItemCheck):
    """What one prompt's completions are checked against: the item's ``ItemCheck`` (sequential program,
    arguments, tolerances, language options, answer template), its id and a hidden argument set."""

    mode: str = "execution"
    id: str
    args: list[list[str]]
    hidden_args: list[str] | None = None


class Score(BaseModel):
    """The reward of one program and how it was reached."""

    verdict: str
    reward: float
    bonus: float = 0.0
    partial: float = 0.0
    speedup: dict[int, float] = {}
    summary: str = ""


def ladder_reward(grpo: GrpoConfig, verdict: str) -> float:
    """The ladder's value for a verdict (``not_parallel``, another target's ``not_mpi``, on the ``not_mpi`` rung;
    an unknown verdict is paid as ``runtime_error``)."""
    verdict = "not_mpi" if verdict == "not_parallel" else verdict
    return grpo.ladder.get(verdict, grpo.ladder[UNKNOWN_VERDICT_RUNG])


def speedup_bonus(grpo: GrpoConfig, speedups: dict[int, float]) -> float:
    """``speedup_weight * mean(log2(clamp(s, 1, cap)))`` over rank counts above 1; 0 with none timed."""
    parallel = [s for ranks, s in speedups.items() if ranks > 1]
    if not parallel:
        return 0.0
    return grpo.speedup_weight * statistics.fmean(math.log2(min(max(s, 1.0), grpo.speedup_cap)) for s in parallel)


def partial_credit(grpo: GrpoConfig, result, planned_runs: int) -> float:
    """What a failing program that passed some of its ``planned_runs`` correctness runs (argument sets x rank counts,
    in order; the harness starts none after the first failure) earns above its verdict's rung: the lift to the top
    failing rung (``wrong_output``) plus ``grpo.partial_credit`` times the share of runs passed; 0 with none passed
    or with ``partial_credit`` 0 (graded credit off)."""
    passed = sum(run.verdict == "pass" for run in result.runs)
    if result.passed or passed == 0 or planned_runs < 1 or grpo.partial_credit == 0:
        return 0.0
    lift = max(0.0, grpo.ladder["wrong_output"] - ladder_reward(grpo, result.verdict.value))
    return lift + grpo.partial_credit * min(1.0, passed / planned_runs)


def zero_spread(rewards: Sequence[float], group_size: int) -> list[bool]:
    """Per completion: whether its group (``group_size`` consecutive completions) scored all the same."""
    flags: list[bool] = []
    for start in range(0, len(rewards), group_size):
        group = rewards[start:start + group_size]
        flags += [max(group) - min(group) < 1e-9] * len(group)
    return flags


def score_result(result, grpo: GrpoConfig, planned_runs: int) -> Score:
    """The ``Score`` of a ``CheckResult`` whose check planned ``planned_runs`` correctness runs."""
    verdict = result.verdict.value
    speedup: dict[int, float] = {}
    bonus = 0.0
    partial = partial_credit(grpo, result, planned_runs)
    perf = result.perf
    if result.passed and perf is not None:
        speedup = perf.speedups
        differs = any("differs from the sequential program" in flag for flag in perf.flags)
        if perf.error is None and not differs:
            bonus = speedup_bonus(grpo, speedup)
    return Score(verdict=verdict, reward=ladder_reward(grpo, verdict) + partial + bonus, bonus=bonus, partial=partial, speedup=speedup,
                 summary=result.summary())


@dataclass
class RewardCheck:
    """One program to check for one item."""

    item: RewardItem
    code: str


def run_checks(jobs: Sequence[RewardCheck], harness: HarnessConfig, timing: bool) -> list[Any]:
    """``CheckResult`` per job: the one place the reward calls the harness, every job of the step in one
    ``chathpc.schedule.Scheduler`` call (parallel across items, identical programs once, timing alone)."""
    from chathpc.schedule import CheckJob, Scheduler

    checks = [
        CheckJob(
            sequential=job.item.sequential, candidate=job.code,
            args=job.item.args + ([job.item.hidden_args] if job.item.hidden_args is not None else []), perf=timing,
            perf_args=job.item.perf_args if job.item.perf_args is not None else job.item.args[-1],
            rtol=job.item.rtol, atol=job.item.atol, options=job.item.options,
        )
        for job in jobs
    ]
    return list(Scheduler(harness).check_all(checks))


def shifted_args(args: list[str], rng: random.Random) -> list[str] | None:
    """``args`` with every integer shifted up by 1-9 (a size the item does not list), or None without integers."""
    if not any(a.lstrip("-").isdigit() for a in args):
        return None
    return [str(int(a) + rng.randint(1, 9)) if a.lstrip("-").isdigit() else a for a in args]


def add_hidden_args(items: list[RewardItem], answers: list[str | None], harness: HarnessConfig, seed: int) -> list[str]:
    """Give each item an argument set it does not list, kept where its expert answer passes there; returns warnings."""
    rng = random.Random(seed)
    warnings, jobs = [], []
    for item, answer in zip(items, answers):
        hidden = shifted_args(item.args[-1], rng)
        if hidden is None or answer is None:
            continue
        probe = item.model_copy(update={"args": [hidden], "hidden_args": None})
        jobs.append((item, RewardCheck(probe, answer)))
    results = run_checks([job for _, job in jobs], harness, timing=False)
    for (item, job), result in zip(jobs, results):
        if result.passed:
            item.hidden_args = job.item.args[0]
        else:
            warnings.append(f"{item.id}: no hidden argument set (the expert answer does not pass at {' '.join(job.item.args[0])})")
    return warnings


@dataclass
class VerificationReward:
    """The reward function handed to TRL's GRPOTrainer (``__call__``), with its cache and timers."""

    items: list[RewardItem]
    grpo: GrpoConfig
    harness: HarnessConfig
    marker: str | None = None
    log_path: Path | None = None
    cache: dict[str, Score] = field(default_factory=dict)
    seconds: float = 0.0
    zero_spread: list[bool] = field(default_factory=list)  # per completion of the last call: its group scored all the same

    def __post_init__(self) -> None:
        self.__name__ = "verification"  # TRL names the reward by it
        if self.log_path is not None and self.log_path.is_file():
            for line in self.log_path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.cache[entry["key"]] = Score.model_validate(entry["score"])
                except (json.JSONDecodeError, KeyError, ValueError):
                    continue  # a line cut short by a kill

    def key(self, item: RewardItem, code: str) -> str:
        """The cache key: a hash of the item's check and the program."""
        return hashlib.sha256((item.model_dump_json() + "\0" + code).encode()).hexdigest()

    def score(self, pairs: Sequence[tuple[int, str]]) -> list[Score]:
        """Scores for ``(item index, completion text)`` pairs; each unique program is checked once."""
        started = time.perf_counter()
        scores: list[Score | None] = [None] * len(pairs)
        pending: dict[str, tuple[RewardCheck, list[int]]] = {}
        for index, (item_index, text) in enumerate(pairs):
            item = self.items[item_index]
            code = answer_program(text, item, self.marker)
            if code is None:
                verdict = "extract_error"
                scores[index] = Score(verdict=verdict, reward=ladder_reward(self.grpo, verdict), summary="no program")
                continue
            key = self.key(item, code)
            if key in self.cache:
                scores[index] = self.cache[key]
            else:
                pending.setdefault(key, (RewardCheck(item, code), []))[1].append(index)
        keys = list(pending)
        results = run_checks([pending[k][0] for k in keys], self.harness, self.grpo.timing) if keys else []
        for key, result in zip(keys, results):
            job, indices = pending[key]
            score = score_result(result, self.grpo, len(job.item.args + ([job.item.hidden_args] if job.item.hidden_args else []))
                                 * len(self.harness.ranks))
            self.cache[key] = score
            self._log(key, job, score)
            for index in indices:
                scores[index] = score
        self.seconds += time.perf_counter() - started
        return [s for s in scores if s is not None]

    def _log(self, key: str, job: RewardCheck, score: Score) -> None:
        if self.log_path is None:
            return
        entry = {"key": key, "item": job.item.id, "score": score.model_dump(mode="json"), "code": job.code}
        with self.log_path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry) + "\n")

    def __call__(self, prompts, completions, item, log_metric=None, **kwargs) -> list[float]:
        """TRL's reward-function protocol: one float per completion; logs the verdict histogram and pass rate."""
        if not completions:
            raise ChathpcError("the reward function got no completions")
        scores = self.score(list(zip(item, completions)))
        if log_metric is not None:
            counts = Counter(s.verdict for s in scores)
            for verdict in sorted(set(self.grpo.ladder) | set(counts)):
                log_metric(f"verdicts/{verdict}", counts.get(verdict, 0) / len(scores))
            log_metric("pass_rate", counts.get("pass", 0) / len(scores))
            timed = [max(s.speedup.values()) for s in scores if s.verdict == "pass" and s.speedup]
            if timed:
                log_metric("pass_speedup", statistics.fmean(timed))
        rewards = [s.reward for s in scores]
        self.zero_spread = zero_spread(rewards, self.grpo.generations)
        if log_metric is not None:
            groups = self.zero_spread[::self.grpo.generations]
            log_metric("zero_spread_groups", sum(groups) / len(groups))
        return rewards

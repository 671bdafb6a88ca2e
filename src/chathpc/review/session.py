"""A review session: the results file's items, the expert's checks, and what the expert decided.

The session reads the results file(s) once and writes only two files: the refinement file (one record
per accepted answer, in the format ``chathpc refine`` writes, loadable as ``data.refine_file``) and a
review state file beside it (statuses, ratings, rejections). Both are rewritten whole with
``atomic_write_text`` after every decision, so stopping the server loses nothing decided.

A **Check** runs the harness through ``chathpc.schedule.Scheduler`` with the settings the results file
was checked with (the item's sequential program, argument sets and tolerances; the rank counts, explore
and sanitize settings its checks record; timing when it was timed) in a worker thread; an answer is
**accepted** only when the last check of exactly that program (by content hash) passed.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from chathpc.config import HarnessConfig, ScheduleConfig
from chathpc.data import Record, load_records, save_records
from chathpc.errors import ChathpcError, DataError
from chathpc.evaluate.items import ItemCheck, item_check, suite_tasks
from chathpc.evaluate.metrics import group_by_item
from chathpc.evaluate.refine import RATING_FIELDS, RATING_SCALE, refinement_record
from chathpc.evaluate.results import VERDICTS, ResultLine, load_result_lines
from chathpc.files import atomic_write_text, read_text_file
from chathpc.harness.results import CheckResult

STATUSES = ("unreviewed", "accepted", "rejected", "rated")
FENCE_TAGS = {"c": "c", "cxx": "cpp", "fortran": "fortran"}
STATE_SCHEMA = 1


def sha256_text(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8), hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_hash(result: CheckResult) -> str:
    """The SHA-256 of a CheckResult's canonical JSON (what an accepted record cites)."""
    return sha256_text(json.dumps(result.model_dump(mode="json"), sort_keys=True))


def default_refine_out(results: str | Path) -> Path:
    """Where accepted answers go by default: beside the (first) results file, ``NAME.refine.jsonl``."""
    path = Path(results)
    return path.with_name(path.stem + ".refine.jsonl")


def state_path(refine_out: str | Path) -> Path:
    """The review state file beside the refinement file: ``REFINE.review.json``."""
    path = Path(refine_out)
    return path.with_name(path.name + ".review.json")


@dataclass
class ReviewItem:
    """One item of one model: its samples (lines of the results file) and how it is checked."""

    index: int
    key: str
    lines: list[ResultLine]
    check: ItemCheck

    @property
    def first(self) -> ResultLine:
        return self.lines[0]

    @property
    def target(self) -> str | None:
        """The line's target (a programming model), when the results file records one."""
        value = getattr(self.first, "target", None) or self.first.record.metadata.get("target")
        return value if isinstance(value, str) else None

    @property
    def language(self) -> str:
        return self.check.options.language if self.check.options is not None else "c"

    def sample(self, sample: int) -> ResultLine:
        for line in self.lines:
            if line.sample == sample:
                return line
        raise ChathpcError(f"item {self.first.item_id} has no sample {sample}")


@dataclass
class CheckSettings:
    """How the results file's programs were checked (what a Check repeats)."""

    harness: HarnessConfig
    perf: bool
    recorded: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {"ranks": self.harness.ranks, "explore": self.harness.explore, "explore_budget": self.harness.explore_budget,
                "explore_seed": self.harness.explore_seed, "sanitize": self.harness.sanitize, "perf": self.perf,
                "perf_ranks": self.harness.perf_ranks, "from_results": self.recorded}


def recorded_settings(lines: Sequence[ResultLine], base: HarnessConfig) -> CheckSettings:
    """``base`` with what the results' checks record: the rank counts of their given runs, explore
    (seed, budget) and sanitize when a check ran them, and timing when it was requested."""
    ranks: set[int] = set()
    explore = sanitize = None
    for line in lines:
        if line.check is None:
            continue
        result = CheckResult.model_validate(line.check)
        ranks |= {run.ranks for run in result.runs if run.role == "given"}
        explore = explore or result.explore
        sanitize = sanitize or result.sanitized
    updates: dict[str, Any] = {}
    recorded = []
    if ranks:
        updates["ranks"] = sorted(ranks)
        recorded.append("ranks")
    if explore is not None:
        updates.update(explore=True, explore_seed=explore.seed, explore_budget=explore.budget_seconds)
        recorded.append("explore")
    if sanitize:
        updates["sanitize"] = True
        recorded.append("sanitize")
    perf = any(line.perf_requested for line in lines)
    if perf:
        recorded.append("perf")
    return CheckSettings(harness=base.model_copy(update=updates), perf=perf, recorded=recorded)


@dataclass
class CheckRun:
    """A Check the expert started: the program, and its result or error once done."""

    id: str
    item: int
    sample: int
    program_sha256: str
    state: str = "running"  # running, done, error
    result: CheckResult | None = None
    error: str | None = None


class ReviewSession:
    """The items of the results file(s), the expert's checks, and the refinement and state files."""

    def __init__(self, results: Sequence[str | Path], refine_out: str | Path, *, harness: HarnessConfig | None = None,
                 schedule: ScheduleConfig | None = None, reviewer: str | None = None, tasks_root: str | Path | None = None) -> None:
        lines = load_result_lines(results)
        if not lines:
            raise ChathpcError(f"{', '.join(str(r) for r in results)}: the results hold no lines")
        self.results = [str(r) for r in results]
        self.refine_out = Path(refine_out)
        self.state_file = state_path(self.refine_out)
        if any(self.refine_out.resolve() == Path(r).resolve() for r in results):
            raise ChathpcError(f"{self.refine_out}: the refinement file must not be a results file")
        self.reviewer = reviewer or os.environ.get("USER") or getpass.getuser()
        self.settings = recorded_settings(lines, harness or HarnessConfig())
        self.schedule = schedule
        tasks = suite_tasks([line.record for line in lines], tasks_root)
        by_provider: dict[str, list[ResultLine]] = {}
        for line in lines:
            by_provider.setdefault(line.provider, []).append(line)
        self.items: list[ReviewItem] = []
        for provider, provider_lines in by_provider.items():
            for item_id, samples in group_by_item(provider_lines).items():
                self.items.append(ReviewItem(index=len(self.items), key=f"{provider}|{item_id}", lines=samples,
                                             check=item_check(samples[0].record, tasks)))
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chathpc-review-check")
        self.checks: dict[str, CheckRun] = {}
        self._last_checks: dict[tuple[int, int], dict[str, CheckResult]] = {}  # (item, sample) -> program hash -> last check
        for item in self.items:
            for line in item.lines:
                if line.code is not None and line.check is not None:
                    self._last_checks.setdefault((item.index, line.sample), {})[sha256_text(line.code)] = CheckResult.model_validate(line.check)
        self.records = self._load_refinements()
        self.state = self._load_state()

    # -- files -----------------------------------------------------------------------------------

    def _load_refinements(self) -> list[Record]:
        if not self.refine_out.exists() or not read_text_file(self.refine_out, error=DataError).strip():
            return []  # an empty file: every accepted record was withdrawn
        return load_records(self.refine_out)

    def _load_state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {"schema_version": STATE_SCHEMA, "items": {}}
        text = read_text_file(self.state_file, error=DataError)
        try:
            state = json.loads(text)
        except ValueError as exc:
            raise DataError(f"{self.state_file}: not a review state file ({exc})") from None
        if not isinstance(state, dict) or not isinstance(state.get("items"), dict):
            raise DataError(f"{self.state_file}: not a review state file (no 'items' object)")
        return state

    def _save(self) -> None:
        """Both files, each rewritten atomically (the refinement file first: the state only cites it)."""
        if self.records:
            save_records(self.records, self.refine_out, overwrite=True)
        elif self.refine_out.exists():
            atomic_write_text(self.refine_out, "")
        atomic_write_text(self.state_file, json.dumps(self.state, indent=1, sort_keys=True) + "\n")

    # -- reading ---------------------------------------------------------------------------------

    def item(self, index: int) -> ReviewItem:
        if not 0 <= index < len(self.items):
            raise KeyError(index)
        return self.items[index]

    def item_state(self, item: ReviewItem) -> dict[str, Any]:
        return self.state["items"].get(item.key, {})

    def status(self, item: ReviewItem) -> str:
        """unreviewed, accepted, rejected or rated (the latest decision wins over ratings)."""
        state = self.item_state(item)
        return state.get("status") or ("rated" if state.get("ratings") else "unreviewed")

    def filters(self) -> dict[str, list[str]]:
        """The values each list filter can take."""
        def values(get) -> list[str]:
            return sorted({v for item in self.items if (v := get(item))})
        return {
            "verdict": [v for v in VERDICTS if any(line.verdict == v for item in self.items for line in item.lines)],
            "domain": values(lambda i: i.first.domain), "target": values(lambda i: i.target),
            "model": values(lambda i: i.first.provider), "status": list(STATUSES),
        }

    def listing(self, *, verdict: str | None = None, domain: str | None = None, target: str | None = None,
                model: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
        """The items that match every given filter (a verdict matches when any sample has it)."""
        out = []
        for item in self.items:
            if verdict and not any(line.verdict == verdict for line in item.lines):
                continue
            if (domain and item.first.domain != domain) or (target and item.target != target) \
                    or (model and item.first.provider != model) or (status and self.status(item) != status):
                continue
            out.append({"index": item.index, "item_id": item.first.item_id, "model": item.first.provider,
                        "domain": item.first.domain, "target": item.target, "verdicts": [line.verdict for line in item.lines],
                        "passed": sum(line.passed for line in item.lines), "samples": len(item.lines), "status": self.status(item)})
        return out

    # -- checking --------------------------------------------------------------------------------

    def start_check(self, index: int, sample: int, program: str) -> CheckRun:
        """Check ``program`` as an answer to item ``index`` (in a worker thread); poll ``checks[run.id]``."""
        item = self.item(index)
        item.sample(sample)
        if item.check.mode != "execution" or item.check.sequential is None:
            raise ChathpcError(f"item {item.first.item_id} has no sequential program to check against")
        if not program.strip():
            raise ChathpcError("the program is empty")
        run = CheckRun(id=uuid.uuid4().hex, item=index, sample=sample, program_sha256=sha256_text(program))
        with self._lock:
            self.checks[run.id] = run
        self._pool.submit(self._run_check, run, item, program)
        return run

    def _run_check(self, run: CheckRun, item: ReviewItem, program: str) -> None:
        from chathpc.schedule import CheckJob, Scheduler

        line = item.sample(run.sample)
        recorded = CheckResult.model_validate(line.check) if line.check is not None and line.check.get("runs") else None
        spec = item.check
        job = CheckJob(sequential=spec.sequential or "", candidate=program, args=spec.args, perf=self.settings.perf,
                       perf_args=spec.perf_args, options=spec.options,
                       rtol=recorded.rtol if recorded is not None else spec.rtol,
                       atol=recorded.atol if recorded is not None else spec.atol)
        try:
            result = Scheduler(self.settings.harness, self.schedule, jobs=1).check_all([job])[0]
        except ChathpcError as exc:
            with self._lock:
                run.state, run.error = "error", str(exc)
            return
        except Exception as exc:  # noqa: BLE001 - shown on the page, never lost in a thread
            with self._lock:
                run.state, run.error = "error", f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            run.result, run.state = result, "done"
            self._last_checks.setdefault((item.index, run.sample), {})[run.program_sha256] = result

    def last_check(self, index: int, sample: int, program: str) -> CheckResult | None:
        """The last finished check of exactly ``program`` for this answer (or the results file's own)."""
        with self._lock:
            return self._last_checks.get((index, sample), {}).get(sha256_text(program))

    # -- deciding --------------------------------------------------------------------------------

    def _now(self) -> str:
        return datetime.now(timezone.utc).isoformat(timespec="seconds")

    def accept(self, index: int, sample: int, program: str) -> Record:
        """Append the expert's ``program`` as the item's refinement record; refused unless its last check passed.

        Accepting an item again replaces its earlier record (one expert answer per item and model)."""
        item = self.item(index)
        line = item.sample(sample)
        result = self.last_check(index, sample, program)
        if result is None:
            raise ChathpcError("this program has not been checked: run Check on exactly this text first")
        if not result.passed:
            raise ChathpcError(f"the last check of this program did not pass ({result.verdict.value}): only a passing program can be accepted")
        fence = FENCE_TAGS.get(item.language, item.language)
        answer = f"```{fence}\n{program.rstrip()}\n```"
        when = self._now()
        record = refinement_record(
            line, item.lines, answer, sample=sample, reviewer=self.reviewer, reviewed_at=when, edited=program != line.code,
            check_verdict=result.verdict.value, check_sha256=check_hash(result), program_sha256=sha256_text(program),
        )
        with self._lock:
            self.records = [r for r in self.records if not _same_item(r, line)] + [record]
            state = self.state["items"].setdefault(item.key, {})
            state.update(status="accepted", accepted={"sample": sample, "at": when, "by": self.reviewer,
                                                      "program_sha256": sha256_text(program)})
            self._save()
        return record

    def rate(self, index: int, sample: int, ratings: dict[str, Any]) -> dict[str, Any]:
        """Store the expert's ratings of one answer (``RATING_FIELDS``, 0-5 or empty, and ``notes``)."""
        item = self.item(index)
        item.sample(sample)
        low, high = RATING_SCALE
        stored: dict[str, Any] = {}
        for key, label in RATING_FIELDS:
            value = ratings.get(key)
            if value in (None, ""):
                stored[key] = None
                continue
            if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit() or not low <= int(value) <= high:
                raise ChathpcError(f"{label} must be a whole number from {low} to {high}, got {value!r}")
            stored[key] = int(value)
        notes = ratings.get("notes") or ""
        if not isinstance(notes, str):
            raise ChathpcError("notes must be text")
        stored.update(notes=notes, by=self.reviewer, at=self._now())
        with self._lock:
            state = self.state["items"].setdefault(item.key, {})
            state.setdefault("ratings", {})[str(sample)] = stored
            self._save()
        return stored

    def reject(self, index: int, reason: str = "") -> None:
        """Mark the item rejected (its accepted record, if any, is withdrawn from the refinement file)."""
        item = self.item(index)
        with self._lock:
            self.records = [r for r in self.records if not _same_item(r, item.first)]
            state = self.state["items"].setdefault(item.key, {})
            state.pop("accepted", None)
            state.update(status="rejected", rejected={"at": self._now(), "by": self.reviewer, "reason": reason})
            self._save()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _same_item(record: Record, line: ResultLine) -> bool:
    refine = record.metadata.get("refine", {}) if isinstance(record.metadata, dict) else {}
    return record.id == line.item_id and isinstance(refine, dict) and refine.get("provider") == line.provider

"""The GRPO reward on known programs, checked by the real harness (mpicc, mpirun)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chathpc.config import GrpoConfig, HarnessConfig
from chathpc.train.reward import RewardItem, VerificationReward, add_hidden_args, ladder_reward, speedup_bonus

pytestmark = pytest.mark.mpi

PROGRAMS = Path(__file__).parents[1] / "harness" / "programs"
HARNESS = HarnessConfig(ranks=[1, 2, 3], timeout=8, perf_ranks=[1, 2], perf_repeats=3, perf_warmup=1)

WORK_SEQ = """#include <math.h>
#include <stdio.h>
#include <stdlib.h>
static double f(long i) { return sqrt((double)(i % 1000) + 1.0) / (1.0 + (double)(i % 13)); }
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  double s = 0.0;
  for (long i = 0; i < n; i++) s += f(i);
  printf("%.12e\\n", s);
  return 0;
}
"""

WORK_MPI = """#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
static double f(long i) {{ return sqrt((double)(i % 1000) + 1.0) / (1.0 + (double)(i % 13)); }}
int main(int argc, char **argv) {{
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long n = argc > 1 ? atol(argv[1]) : 1000;
  long lo = {lo}, hi = {hi};
  double s = 0.0, total = 0.0;
  for (long i = lo; i < hi; i++) s += f(i);
  MPI_Reduce(&s, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("%.12e\\n", {result});
  MPI_Finalize();
  return 0;
}}
"""
DIVIDED = WORK_MPI.format(lo="n * rank / size", hi="n * (rank + 1) / size", result="total")
# the same division of work plus a second of waiting on every rank: slower by a fixed wall time that no CPU
# load on the machine can hide (a replicated program is not enough: under a busy CI both lose their speedup)
STALLING = DIVIDED.replace("MPI_Reduce(", "usleep(1000000);\n  MPI_Reduce(").replace("#include <stdlib.h>", "#include <stdlib.h>\n#include <unistd.h>")


def fenced(code: str) -> str:
    return f"Here is the MPI version.\n```c\n{code}```\n"


def reward_for(item: RewardItem, grpo: GrpoConfig | None = None, tmp_path: Path | None = None) -> VerificationReward:
    return VerificationReward([item], grpo or GrpoConfig(), HARNESS, log_path=tmp_path / "rewards.jsonl" if tmp_path else None)


@pytest.fixture(scope="module")
def axpy_item():
    from chathpc.tasks import get_task

    task = get_task("axpy")
    return task, RewardItem(id=task.id, sequential=task.seq_source, args=task.args, perf_args=task.perf_args)


@pytest.fixture(scope="module")
def sum_item():
    return RewardItem(id="sum", sequential=(PROGRAMS / "seq_sum.c").read_text(), args=[["37"], ["1000"]])


def test_ladder_rungs_for_reference_sequential_broken_and_no_code(axpy_item, tmp_path):
    task, item = axpy_item
    grpo = GrpoConfig()
    reward = reward_for(item, grpo, tmp_path)
    broken = task.mpi_source.replace("MPI_Finalize();", "MPI_Finalize(")
    texts = [fenced(task.mpi_source), fenced(task.seq_source), fenced(broken), "I cannot help with that.", fenced(task.mpi_source)]
    rewards = reward(prompts=["p"] * len(texts), completions=texts, item=[0] * len(texts))
    assert rewards == [grpo.ladder["pass"], grpo.ladder["not_mpi"], grpo.ladder["build_error"],
                       grpo.ladder["extract_error"], grpo.ladder["pass"]]
    # three unique programs were checked; the repeated reference came from the cache
    lines = (tmp_path / "rewards.jsonl").read_text().splitlines()
    assert len(lines) == 3
    # a resumed run reads the cache back instead of checking again
    again = reward_for(item, grpo, tmp_path)
    assert len(again.cache) == 3
    assert again(prompts=["p"], completions=[fenced(task.mpi_source)], item=[0]) == [grpo.ladder["pass"]]
    assert len((tmp_path / "rewards.jsonl").read_text().splitlines()) == 3


def test_deadlock_gets_the_timeout_rung(sum_item):
    grpo = GrpoConfig(partial_credit=0.0)
    deadlock = (PROGRAMS / "mpi_sum_deadlock.c").read_text()
    correct = (PROGRAMS / "mpi_sum_correct.c").read_text()
    scores = reward_for(sum_item, grpo).score([(0, fenced(deadlock)), (0, fenced(correct))])
    assert [s.verdict for s in scores] == ["timeout", "pass"]
    assert [s.reward for s in scores] == [grpo.ladder["timeout"], grpo.ladder["pass"]]
    # with graded credit (the default) the runs it passed before deadlocking (1 rank at least) lift it above the rung
    graded = reward_for(sum_item, GrpoConfig()).score([(0, fenced(deadlock))])[0]
    assert graded.verdict == "timeout" and graded.partial > 0
    assert grpo.ladder["wrong_output"] < graded.reward < grpo.ladder["pass"]


def test_custom_ladder_values_are_paid_and_unknown_verdicts_fall_back():
    grpo = GrpoConfig(ladder={"pass": 5.0, "wrong_output": 1.0})
    assert ladder_reward(grpo, "pass") == 5.0 and ladder_reward(grpo, "wrong_output") == 1.0
    assert ladder_reward(grpo, "build_error") == -0.8  # a key left out keeps its default
    assert ladder_reward(grpo, "memory_error") == -0.4
    assert ladder_reward(grpo, "some_future_verdict") == grpo.ladder["runtime_error"]


def test_not_parallel_is_paid_like_not_mpi():
    grpo = GrpoConfig(ladder={"not_mpi": -2.0, "extract_error": -2.0})
    assert ladder_reward(grpo, "not_parallel") == ladder_reward(grpo, "not_mpi") == -2.0


def test_speedup_bonus_is_capped_log_and_zero_without_speedup():
    grpo = GrpoConfig(speedup_weight=1.0, speedup_cap=4.0)
    assert speedup_bonus(grpo, {1: 0.9, 2: 2.0}) == pytest.approx(1.0)
    assert speedup_bonus(grpo, {2: 0.7}) == 0.0
    assert speedup_bonus(grpo, {2: 100.0}) == pytest.approx(2.0)
    assert speedup_bonus(grpo, {1: 3.0}) == 0.0  # one rank is no parallel speedup


def test_hidden_argument_set_catches_a_program_that_special_cases_the_listed_size(sum_item):
    special = (PROGRAMS / "mpi_sum_correct.c").read_text().replace("long n = argc > 1 ? atol(argv[1]) : 1000;", "long n = atol(argv[1]) == 37 ? 37 : 1000;")
    assert special != (PROGRAMS / "mpi_sum_correct.c").read_text()
    plain = sum_item.model_copy()
    assert reward_for(plain).score([(0, fenced(special))])[0].verdict == "pass"
    hidden = sum_item.model_copy()
    warnings = add_hidden_args([hidden], [(PROGRAMS / "mpi_sum_correct.c").read_text()], HARNESS, seed=1)
    assert warnings == [] and hidden.hidden_args is not None and hidden.hidden_args != ["1000"]
    assert reward_for(hidden).score([(0, fenced(special))])[0].verdict == "wrong_output"


@pytest.mark.slow
def test_timing_pays_a_faster_program_above_a_slower_correct_one():
    """Both pass; the one without the stall is faster at 2 ranks on any load (the other waits a second more on
    every rank), and each reward is the pass rung plus the bonus of its measured speedups, which
    ``speedup_bonus`` pays strictly more for as speedup grows above 1 (test above)."""
    item = RewardItem(id="work", sequential=WORK_SEQ, args=[["37"], ["1001"]], perf_args=["60000000"])
    grpo = GrpoConfig(timing=True)
    scores = reward_for(item, grpo).score([(0, fenced(DIVIDED)), (0, fenced(STALLING))])
    assert [s.verdict for s in scores] == ["pass", "pass"]
    divided, stalling = scores
    assert divided.speedup[2] > stalling.speedup[2]
    for score in scores:
        assert score.reward == pytest.approx(grpo.ladder["pass"] + speedup_bonus(grpo, score.speedup))
    assert divided.reward >= stalling.reward >= grpo.ladder["pass"]


EXAMPLE_TASKS = Path(__file__).parents[2] / "examples" / "tasks"

FUNCTION_SEQ = """#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 10;
  long s = 0;
  for (long i = 0; i < n; i++) s += i * i;
  printf("%ld\\n", s);
  return 0;
}
"""
FUNCTION_PROMPT = "#include <mpi.h>\n\n/* The sum of i*i for 0 <= i < n over all ranks, returned on rank 0. */\nlong squares(long n) {\n"
FUNCTION_TEMPLATE = """#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
// chathpc:answer
int main(int argc, char **argv) {
  int rank;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long s = squares(argc > 1 ? atol(argv[1]) : 10);
  if (rank == 0) printf("%ld\\n", s);
  MPI_Finalize();
  return 0;
}
"""
FUNCTION_BODY = """  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long mine = 0, total = 0;
  for (long i = rank; i < n; i += size) mine += i * i;
  MPI_Reduce(&mine, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  return total;
}
"""


def _function_task(root: Path) -> Path:
    folder = root / "blas" / "squares_fn"
    folder.mkdir(parents=True)
    (folder / "task.yaml").write_text(
        "id: squares_fn\ndomain: blas\nsplit: train\ndescription: sum of squares as one function\n"
        'args: [["7"], ["100"]]\nperf_args: ["1000"]\n'
        "answer: {template: candidate.c, prompt: prompt.c, function: squares}\n")
    (folder / "seq.c").write_text(FUNCTION_SEQ)
    (folder / "mpi.c").write_text(FUNCTION_BODY)
    (folder / "candidate.c").write_text(FUNCTION_TEMPLATE)
    (folder / "prompt.c").write_text(FUNCTION_PROMPT)
    return root


@pytest.mark.skipif(shutil.which("mpif90") is None, reason="mpif90 missing (scripts/setup.sh installs gfortran)")
def test_the_grpo_reward_checks_a_fortran_task_as_fortran():
    from chathpc.tasks import load_suite
    from chathpc.train.grpo import reward_items

    task = {t.id: t for t in load_suite(root=EXAMPLE_TASKS)}["axpy_fortran"]
    record = task.to_record()
    kept, items, answers, warnings = reward_items([("axpy_fortran", record)], EXAMPLE_TASKS)
    assert kept == [0] and not warnings and items[0].options.language == "fortran"
    assert answers[0] is not None and answers[0].strip() == task.mpi_source.strip()  # the Fortran program, not "no C program"
    reward = VerificationReward(items, GrpoConfig(), HARNESS)
    assert [s.verdict for s in reward.score([(0, record.answer), (0, f"```fortran\n{task.seq_source}```\n")])] == ["pass", "not_mpi"]


def test_the_grpo_reward_assembles_a_function_answer_into_its_template(tmp_path):
    from chathpc.data import Record
    from chathpc.train.grpo import reward_items

    root = _function_task(tmp_path / "tasks")
    record = Record(question="q", answer=FUNCTION_BODY, id="squares_fn", metadata={"task": "squares_fn"})
    kept, items, answers, _ = reward_items([("squares_fn", record)], root)
    assert kept == [0] and items[0].template is not None and items[0].template.function == "squares"
    assert "int main" in answers[0] and "MPI_Reduce" in answers[0]  # assembled, not the bare body
    reward = VerificationReward(items, GrpoConfig(), HARNESS)
    serial = "  long s = 0;\n  for (long i = 0; i < n; i++) s += i * i;\n  return s;\n}\n"
    wrong = FUNCTION_BODY.replace("MPI_SUM", "MPI_MAX")
    verdicts = [s.verdict for s in reward.score([(0, FUNCTION_BODY), (0, f"```c\n{serial}```"), (0, wrong)])]
    assert verdicts == ["pass", "not_mpi", "wrong_output"]


def test_graded_credit_orders_build_error_below_failures_below_partial_below_pass(sum_item):
    """Real programs checked at ranks 1-3 on two sizes: a partial pass (right at some runs) earns more than a failure
    at every run and less than a pass; the credit is ``partial_credit`` times the share of runs that passed."""
    correct = (PROGRAMS / "mpi_sum_correct.c").read_text()
    programs = {
        "build_error": correct.replace("MPI_Finalize();", "MPI_Finalize("),
        "runtime_error": (PROGRAMS / "mpi_sum_segfault.c").read_text().replace("rank == 1", "rank == 0"),  # crashes at every run
        "wrong_output": correct.replace("global[0], global[1]", "global[0] + 1.0, global[1]"),
        "partial_crash": (PROGRAMS / "mpi_sum_segfault.c").read_text(),  # rank 1 crashes: right at 1 rank only
        "partial_wrong": (PROGRAMS / "mpi_sum_wrong_op.c").read_text(),
        "pass": correct,
    }
    grpo = GrpoConfig()
    scores = dict(zip(programs, reward_for(sum_item, grpo).score([(0, fenced(code)) for code in programs.values()])))
    assert [scores[name].verdict for name in programs] == [
        "build_error", "runtime_error", "wrong_output", "runtime_error", "wrong_output", "pass"]
    assert scores["build_error"].partial == scores["runtime_error"].partial == scores["wrong_output"].partial == 0.0
    # right at 1 rank of size 37, then rank 1 crashes: paid as wrong_output plus the credit of 1 run in 6
    assert scores["partial_crash"].reward == pytest.approx(grpo.ladder["wrong_output"] + grpo.partial_credit / 6)
    assert scores["partial_wrong"].partial > 0
    reward = {name: score.reward for name, score in scores.items()}
    assert reward["build_error"] < min(reward["runtime_error"], reward["wrong_output"])
    assert max(reward["runtime_error"], reward["wrong_output"]) < min(reward["partial_crash"], reward["partial_wrong"])
    assert max(reward["partial_crash"], reward["partial_wrong"]) < reward["pass"]


def test_config_keeps_partial_credit_below_a_pass():
    from chathpc.errors import ConfigError
    from chathpc.config import resolve_config

    with pytest.raises(ConfigError, match="partial_credit"):
        resolve_config(overrides=["grpo.partial_credit=1.2"])
    assert resolve_config(overrides=["grpo.partial_credit=1.1"]).config.grpo.partial_credit == 1.1


def test_groups_without_reward_spread_are_recorded(sum_item):
    """Two groups of two: both completions of the first pass (no spread), the second holds a pass and no program."""
    correct = fenced((PROGRAMS / "mpi_sum_correct.c").read_text())
    reward = VerificationReward([sum_item], GrpoConfig(generations=2), HARNESS)
    logged: dict[str, float] = {}
    rewards = reward(prompts=["p"] * 4, completions=[correct, correct, correct, "no code here"], item=[0] * 4,
                     log_metric=lambda key, value: logged.__setitem__(key, value))
    assert rewards[:3] == [1.0, 1.0, 1.0] and rewards[3] < 1.0
    assert reward.zero_spread == [True, True, False, False]
    assert logged["zero_spread_groups"] == 0.5

"""Expert iteration (training.method=expert_iteration): the keep stage on programs checked by the real harness,
and the whole loop on the tiny local model (sample, check, hint, keep, fine-tune from the base, metrics, resume)."""

from __future__ import annotations

import json

import pytest

from chathpc.config import RunConfig
from chathpc.data import Record, load_template

pytestmark = pytest.mark.ml

HARNESS = {"ranks": [1, 2], "timeout": 10}


def _block_version(parallel: str) -> str:
    """The records' expert answer with a block decomposition instead of a cyclic one: another passing program."""
    return parallel.replace("for (long i = rank; i < n; i += size)",
                            "long lo = n * rank / size, hi = n * (rank + 1) / size;\n  for (long i = lo; i < hi; i++)")


def test_keep_stage_keeps_distinct_passing_programs_and_trains_them_without_the_hint(records, tmp_path):
    from chathpc.evaluate.items import item_check
    from chathpc.evaluate.results import SampleLine
    from chathpc.evaluate.runner import check_samples, run_evaluation
    from chathpc.train.iterate import hinted_record, keep_programs, kept_record

    items = [Record(**r) for r in records(2)]
    config = RunConfig(harness=HARNESS)
    expert = [item.answer.removeprefix("```c\n").removesuffix("```") for item in items]
    block = [_block_version(code) for code in expert]
    assert block[0] != expert[0]
    fenced = "```c\n{}```".format
    raw = [
        (0, fenced(expert[0])),                              # passes, but is the expert answer: not new
        (0, fenced(block[0])),                               # passes: kept
        (0, fenced(block[0].replace("  double", "  \n  double"))),  # the same program re-spaced: a duplicate
        (0, fenced(block[0].replace("MPI_SUM", "MPI_MAX"))),   # wrong at 2 ranks: not kept
        (1, "no program at all"),
    ]
    def sample(records, index, number, text):
        return SampleLine(item_id=records[index].id or f"item{index}", item_index=index, sample=number, record=records[index],
                          prompt="", raw_output=text, provider="test", generation={})

    samples = [sample(items, i, k, text) for k, (i, text) in enumerate(raw)]
    checks = [item_check(item, {}) for item in items]
    marker = load_template(config.data.template).answer_marker
    lines = check_samples(samples, items, checks, marker, config, False, provider="test", generation={})
    assert [line.passed for line in lines] == [True, True, True, False, False]
    # item 1 had no passing sample: its hinted prompt is answered by the block version
    hinted = [hinted_record(items[1], "skeleton", {})]
    assert hinted[0].question.startswith(items[1].question) and "MPI_Comm_size" in hinted[0].question
    assert "/* ... */" in hinted[0].question
    hinted_lines = check_samples([sample(hinted, 0, 0, fenced(block[1]))], hinted,
                                 [item_check(hinted[0], {})], marker, config, False, provider="test", generation={})
    kept = keep_programs([], lines, hinted_lines, [1], items, round_index=1, keep=4, prefer_faster=False)
    assert [(e["item_index"], e["hinted"], e["sample"]) for e in kept] == [(0, False, 1), (1, True, 0)]
    assert keep_programs([], lines, [], [1], items, round_index=1, keep=1, prefer_faster=False) == kept[:1]
    # a later round keeps the earlier round's programs and adds nothing it already holds
    assert keep_programs(kept, lines, hinted_lines, [1], items, round_index=2, keep=4, prefer_faster=False) == kept
    kept_records = [kept_record(entry, items[entry["item_index"]]) for entry in kept]
    assert [r.question for r in kept_records] == [items[0].question, items[1].question]  # never the hinted one
    assert kept_records[1].metadata["expert_iteration"]["hinted"] is True
    # every kept record's answer passes the harness, checked as `verify -m reference` checks a dataset
    from chathpc.evaluate.results import read_results

    run_evaluation(kept_records, config, tmp_path / "kept-check.jsonl", provider_spec="reference", progress=False)
    checked = read_results(tmp_path / "kept-check.jsonl").lines
    assert [(line.item_id, line.passed) for line in checked] == [(r.id, True) for r in kept_records]


def _config(model_dir, train_file, output_dir) -> RunConfig:
    return RunConfig(
        model={"base": str(model_dir), "device": "cpu"},
        lora={"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": "all-linear"},
        training={"method": "expert_iteration", "max_steps": 2, "batch_size": 2, "learning_rate": 1e-3, "warmup_ratio": 0.0,
                  "logging_steps": 1, "save_steps": 1, "validation_split": 0.0, "max_seq_length": 1024,
                  "output_dir": str(output_dir), "seed": 3},
        iterate={"rounds": 1, "samples": 2, "keep": 2, "hints": "skeleton"},
        generation={"max_new_tokens": 24, "batch_size": 4},
        data={"train_file": str(train_file)},
        harness=HARNESS,
    )


@pytest.fixture
def small_train_file(records, tmp_path):
    path = tmp_path / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records(2)), encoding="utf-8")
    return path


def _metrics(run_dir) -> list[dict]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in row.items() if k != "seconds"} for row in rows]


@pytest.mark.slow
def test_expert_iteration_on_the_tiny_model_writes_metrics_and_resumes_after_the_check_stage(
        tiny_model_dir, small_train_file, tmp_path, monkeypatch):
    from chathpc.evaluate.results import read_results
    from chathpc.train import iterate, train, validate
    from chathpc.models.loading import resolve_model_source

    config = _config(tiny_model_dir, small_train_file, tmp_path / "whole")
    plan = validate(config)
    assert plan.method == "expert_iteration" and plan.finetune == "lora" and plan.sample_items == 2 and plan.samples_per_round == 4
    whole = train(config, progress=False)
    run = tmp_path / "whole"
    assert whole.method == "expert_iteration" and whole.rounds == 1
    rows = _metrics(run)
    assert [row["round"] for row in rows] == [0, 1]
    first = rows[1]
    assert first["items"] == 2 and first["samples"] == 4 and first["passed"] == len(
        [line for line in read_results(run / "round-1" / "samples.jsonl").lines if line.passed])
    # every item without a passing sample was asked again with a hint, samples.jsonl-style
    assert first["hinted"] == 2 - first["items_passed"] and first["hinted_samples"] == 2 * first["hinted"]
    kept = [json.loads(line) for line in (run / "round-1" / "kept.jsonl").read_text().splitlines()]
    assert first["kept"] == len(kept)
    sampled = {(line.item_index, line.code): line.passed for line in read_results(run / "round-1" / "samples.jsonl").lines}
    for entry in kept:  # only verified programs are kept (the tiny model rarely writes one)
        assert entry["hinted"] or sampled[(entry["item_index"], entry["code"])]
    # the round trained from the base on the training records plus what it kept
    assert first["train_examples"] == 2 + len(kept) and first["steps"] == 2
    source = resolve_model_source(str(run))
    assert source.base == str(tiny_model_dir) and source.adapters == [str(run / "adapter")]

    # the same run stopped after the check stage of round 1, then resumed
    stopped = _config(tiny_model_dir, small_train_file, tmp_path / "stopped")

    def stop(*args, **kwargs):
        raise RuntimeError("stopped after the check stage")

    monkeypatch.setattr(iterate, "_keep_stage", stop)
    with pytest.raises(RuntimeError, match="stopped after the check stage"):
        train(stopped, progress=False)
    monkeypatch.undo()
    assert (tmp_path / "stopped" / "round-1" / "samples.jsonl").is_file() and not (tmp_path / "stopped" / "round-1" / "kept.jsonl").exists()
    resumed = train(stopped, resume=True, progress=False)
    assert _metrics(tmp_path / "stopped")[1:] == [{**rows[1], "model": str(tmp_path / "stopped" / "round-0" / "train")}]
    assert (tmp_path / "stopped" / "round-1" / "kept.jsonl").read_text() == (run / "round-1" / "kept.jsonl").read_text()
    assert resumed.train_loss == pytest.approx(whole.train_loss)
    assert train(stopped, resume=True, progress=False).seconds == resumed.seconds  # finished: its result


def test_items_from_the_held_out_split_are_refused(tiny_model_dir, small_train_file, tmp_path):
    from chathpc.errors import ConfigError
    from chathpc.train import validate

    config = _config(tiny_model_dir, small_train_file, tmp_path / "run")
    config.iterate.items_file = "test"
    with pytest.raises(ConfigError, match="held-out test split"):
        validate(config)


def test_llamacpp_sampling_without_llama_cpp_is_refused_before_round_0_trains(tiny_model_dir, small_train_file, tmp_path, monkeypatch):
    import importlib.util

    from chathpc.errors import ConfigError
    from chathpc.train import validate

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *rest: None if name == "llama_cpp" else find_spec(name, *rest))
    config = _config(tiny_model_dir, small_train_file, tmp_path / "run")
    config.iterate.provider = "llamacpp"
    with pytest.raises(ConfigError, match=r"iterate.provider=llamacpp: .*pip install 'chathpc\[llamacpp\]'"):
        validate(config)
    assert not (tmp_path / "run").exists()

"""Evaluation by execution: the runner (verify/test, JSONL results, resume), metrics, compare, refine, quickstart."""

from chathpc.evaluate.compare import Comparison, compare_results, load_comparison, run_comparison
from chathpc.evaluate.metrics import (
    EvaluationSummary,
    MetricSummary,
    Rate,
    expected_best_at_k,
    pass_at_k,
    summarize,
    wilson_interval,
)
from chathpc.evaluate.refine import RefineOutcome, refine_results
from chathpc.evaluate.results import ResultLine, ResultsFile, read_results
from chathpc.evaluate.runner import RunOutcome, dataset_records, run_evaluation

__all__ = [
    "Comparison",
    "EvaluationSummary",
    "MetricSummary",
    "Rate",
    "RefineOutcome",
    "ResultLine",
    "ResultsFile",
    "RunOutcome",
    "compare_results",
    "dataset_records",
    "expected_best_at_k",
    "load_comparison",
    "pass_at_k",
    "read_results",
    "refine_results",
    "run_comparison",
    "run_evaluation",
    "summarize",
    "wilson_interval",
]

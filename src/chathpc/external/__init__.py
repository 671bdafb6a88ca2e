"""Adapters for outside benchmarks (ParEval)."""

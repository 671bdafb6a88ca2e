"""``chathpc review``: a local web page where an expert reads, edits, re-checks and accepts answers.

``session.ReviewSession`` holds the results file's items, runs Checks through the scheduler and writes the
refinement and review state files; ``app`` serves it (FastAPI + uvicorn, behind a per-run token).
"""

from chathpc.review.session import ReviewSession, default_refine_out, state_path

__all__ = ["ReviewSession", "default_refine_out", "state_path"]

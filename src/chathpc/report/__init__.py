"""Reports of evaluation results: Markdown and CSV tables (``tables``) and PNG plots (``plots``, needs matplotlib)."""

from chathpc.report.tables import comparison_csv, comparison_markdown, summary_markdown

__all__ = ["comparison_csv", "comparison_markdown", "summary_markdown"]

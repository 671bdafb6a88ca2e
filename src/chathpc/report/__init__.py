"""Reports of evaluation results: Markdown and CSV tables (``tables``), PNG plots (``plots``, needs
matplotlib) and the report files of a comparison (``write``)."""

from chathpc.report.tables import comparison_csv, comparison_markdown, markdown_table, summary_markdown
from chathpc.report.write import PLOT_FILES, REPORT_FILES, check_report_dir, write_report

__all__ = ["PLOT_FILES", "REPORT_FILES", "check_report_dir", "comparison_csv", "comparison_markdown", "markdown_table", "summary_markdown", "write_report"]

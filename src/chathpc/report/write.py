"""Writing a comparison's report files: report.md, report.csv, report.json and the PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from chathpc.errors import ChathpcError
from chathpc.files import atomic_write_text
from chathpc.report.tables import comparison_csv, comparison_markdown

if TYPE_CHECKING:
    from chathpc.evaluate.compare import Comparison

REPORT_FILES = ("report.md", "report.csv", "report.json")
PLOT_FILES = ("correctness.png", "speedup.png")


def check_report_dir(out_dir: str | Path, *, plots: bool = True, overwrite: bool = False) -> None:
    """Refuse an ``out_dir`` that already holds report files unless ``overwrite`` (before any run starts)."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ChathpcError(f"{out}: is a file, expected a directory")
    present = [name for name in REPORT_FILES + (PLOT_FILES if plots else ()) if (out / name).exists()]
    if present and not overwrite:
        raise ChathpcError(f"{out}: already holds {', '.join(present)} (use --force to replace them, or another --out)")


def write_report(comparison: Comparison, out_dir: str | Path, *, plots: bool = True, overwrite: bool = False) -> dict[str, Path]:
    """report.md, report.csv, report.json and (with ``plots``) the PNG plots under ``out_dir``.

    Existing report files are refused unless ``overwrite``.
    """
    check_report_dir(out_dir, plots=plots, overwrite=overwrite)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    if plots:
        from chathpc.report.plots import plot_comparison

        written.update(plot_comparison(comparison, out))
    files = {
        "markdown": (out / "report.md", comparison_markdown(comparison, {k: p.name for k, p in written.items()})),
        "csv": (out / "report.csv", comparison_csv(comparison)),
        "json": (out / "report.json", comparison.model_dump_json(indent=2) + "\n"),
    }
    for name, (path, text) in files.items():
        written[name] = atomic_write_text(path, text)
    return written

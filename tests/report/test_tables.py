"""``markdown_table``: the one Markdown table renderer (reports, bench, quickstart)."""

from __future__ import annotations

import re

from chathpc.report import markdown_table


def test_a_pipe_in_a_cell_is_escaped_so_every_row_keeps_the_header_columns():
    lines = markdown_table(["task", "note"], [["a|b", "x"], ["c", "y || z"]])
    assert lines[:2] == ["| task | note |", "|---|---|"]
    assert lines[2] == "| a\\|b | x |"
    columns = [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines]
    assert [len(cells) for cells in columns] == [2, 2, 2, 2]


def test_a_table_without_rows_is_its_header():
    assert markdown_table(["ranks"], []) == ["| ranks |", "|---|"]

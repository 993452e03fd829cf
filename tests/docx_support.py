"""Word resumes for tests: a real .docx written by python-docx, as Word lays one out."""
from __future__ import annotations

from typing import Any


def word_resume(header: str, rows: list[list[str]]) -> Any:
    """A `docx.Document`: `header` in the page header, an "EXPERIENCE" paragraph, then a table
    with `rows` (the usual layout of a Word resume). Add to it, then `.save(path)`."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    document.add_paragraph("EXPERIENCE")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    return document

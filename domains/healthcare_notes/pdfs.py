"""Write a note as a real PDF (fpdf2, built-in Helvetica: Latin-1 text, no font files).

Why PDFs at all: the ingest path under test must extract text with pypdf and redact what it
extracted (line wraps and all) before chunking, as it would with a hospital's exported notes.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF


def write_pdf(path: Path, text: str) -> Path:
    pdf = FPDF(format="Letter")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))  # same seed, same bytes
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    lines = text.splitlines()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 9, lines[0] if lines else "", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in lines[1:]:
        pdf.multi_cell(0, 6, line.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path

"""The manual sectioner on text as pypdf extracts it from real PDFs (fpdf2 writes them): every table
row one section, wrapped lines kept with their row, prose left as it is, other documents untouched."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from pypdf import PdfReader

from rightsized.domains.manufacturing_maintenance.manuals import manual_rows, rows_in, write_manual
from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS
from rightsized.domains.manufacturing_maintenance.sections import ManualSectioner, is_header
from rightsized.pipelines.documents import Section

SECTIONER = ManualSectioner()


def _sections(path: Path) -> list[Section]:
    pages = [Section(page.extract_text(), n) for n, page in enumerate(PdfReader(path).pages, start=1)]
    parts = [part for page in pages for part in SECTIONER.split(page)]
    for page in pages:  # every character kept, in order (whitespace aside), as ingest demands
        assert "".join(page.text.split()) == "".join("".join(p.text.split()) for p in parts if p.page == page.page)
    return parts


def test_every_row_of_a_sample_manual_is_a_section_of_its_own(tmp_path: Path) -> None:
    # one model here; the integration test ingests all three and reads every stored chunk back
    model = MACHINE_MODELS["VMC-600"]
    parts = _sections(write_manual(model, tmp_path / "manual.pdf"))
    expected = manual_rows(model)
    assert 15 <= sum(r.section == "troubleshooting" for r in expected) <= 25
    assert {r.code for r in expected if r.code} == {"TWF", "HDF", "PWF", "OSF", "BWF"}
    table_pages = {p.page for p in parts if any(r.section == "troubleshooting" for r in rows_in(p.text))}
    assert len(table_pages) == 1  # the whole troubleshooting table on one page, far over one chunk
    assert sum(len(p.text.split()) for p in parts if p.page in table_pages) > 400
    found = [rows_in(p.text) for p in parts]
    assert all(len(rows) <= 1 for rows in found)  # never two rows in one section
    assert [rows[0] for rows in found if rows] == expected  # each whole, once, in order
    assert all(len(p.text.split()) < 200 for p in parts)  # so each row is one chunk


def _columnar(path: Path, rows: int) -> Path:
    """A real manual's layout: a column table (cells wrap), a note and a heading, then a second
    page that continues the table with the header repeated, and a third without a header."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    header = ("Row", "Fault", "Possible cause", "Corrective action")
    body = [(f"E-{i:03d}", f"Pump {i} noisy and hot after long runs at full load", "Worn impeller or dry bearing",
             f"Replace the impeller kit K-{i} and regrease the bearing") for i in range(1, rows + 1)]
    for page, chunk, headed in ((1, body[:8], True), (2, body[8:14], True), (3, body[14:], False)):
        pdf.add_page()
        pdf.multi_cell(0, 5, "Pump troubleshooting. Find the fault, then follow the row.", new_x="LMARGIN", new_y="NEXT")
        with pdf.table(col_widths=(14, 50, 40, 60), first_row_as_headings=headed) as table:
            for cells in [header] * headed + chunk:
                row = table.row()
                for cell in cells:
                    row.cell(cell)
        if page == 1:
            pdf.multi_cell(0, 5, "4 Spare parts\nOrder kits from the service desk with the pump serial number.",
                           new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def test_a_column_table_over_pages_is_cut_at_its_rows(tmp_path: Path) -> None:
    parts = _sections(_columnar(tmp_path / "pump.pdf", rows=18))
    rows = [p for p in parts if p.text.startswith("E-")]
    assert [p.text.split()[0] for p in rows] == [f"E-{i:03d}" for i in range(1, 19)]
    for part in rows:  # each row holds its own cells, wrapped lines included, and nothing else
        number = int(part.text.split()[0][2:])
        flat = " ".join(part.text.split())
        assert flat.endswith(f"Replace the impeller kit K-{number} and regrease the bearing")
        assert "Spare parts" not in flat and "troubleshooting" not in flat
    assert any(" ".join(p.text.split()).startswith("4 Spare parts Order kits") for p in parts)  # prose stays prose
    assert {p.page for p in rows} == {1, 2, 3}


def test_documents_without_tables_pass_through_unchanged() -> None:
    record = Section("work_order: WO-1012\ndate: 2026-03-02\nmachine: M03\nnote: repl brg DE side, chk align", 4)
    prose = Section("Safety. Read the whole manual before the first start.\n1 Scope\nThis manual covers the VMC-400.", 1)
    assert SECTIONER.split(record) == [record] and SECTIONER.split(prose) == [prose]
    assert is_header("Symptom | Probable cause | Remedy") and is_header("Item   Interval   Parts")
    assert not is_header("VMC400-TS-02 | Symptom: trips | Probable cause: fins")
    assert not is_header("If the problem persists, find the cause and take action.")  # prose, not columns

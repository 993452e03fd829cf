from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rightsized.ingest.chunking import chunk_document
from rightsized.ingest.loaders import iter_input_files, load_document
from rightsized.pipelines.errors import IngestError
from tests.docx_support import word_resume


def test_each_bad_file_fails_alone_with_its_file_and_reason(tmp_path: Path, make_bad_files) -> None:
    expected = make_bad_files(tmp_path / "batch")
    for name, reason in expected.items():
        with pytest.raises(IngestError) as info:
            load_document(tmp_path / "batch" / name, tmp_path / "batch")
        assert info.value.path.name == name
        assert reason in info.value.reason, (name, info.value.reason)


def test_pdf_pages_and_doc_id_relative_to_root(tmp_path: Path, text_pdf) -> None:
    (tmp_path / "p1").mkdir()
    path = text_pdf(tmp_path / "p1" / "form.pdf", ["Full name: Anna Eriksson", "Date of birth: 1974-08-12"])
    document = load_document(path, tmp_path)
    assert document.doc_id == "p1/form.pdf"
    assert document.sections[0].page == 1
    assert "Anna Eriksson" in document.text


def test_records_become_sections_with_record_numbers(tmp_path: Path) -> None:
    (tmp_path / "sales.csv").write_text("sku,store,units\nA1,S1,4\nB2,S1,\n")
    (tmp_path / "items.json").write_text(json.dumps([{"sku": "A1", "name": "Tea"}, {"sku": "B2"}]))
    (tmp_path / "log.jsonl").write_text('{"asset": "P-7", "note": "bearing noise"}\n\n{"asset": "P-8"}\n')
    csv_doc = load_document(tmp_path / "sales.csv", tmp_path)
    assert [s.page for s in csv_doc.sections] == [1, 2]
    assert csv_doc.sections[1].text == "sku: B2\nstore: S1"  # empty values dropped
    assert load_document(tmp_path / "items.json", tmp_path).sections[0].text == "sku: A1\nname: Tea"
    assert len(load_document(tmp_path / "log.jsonl", tmp_path).sections) == 2


def test_too_large_and_non_object_json(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 50_000)
    with pytest.raises(IngestError, match="too large"):
        load_document(big, tmp_path, max_file_mb=0.1)
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(IngestError, match="item 1 is a int, expected an object"):
        load_document(tmp_path / "list.json", tmp_path)


def test_hidden_files_are_skipped_and_root_override(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text("x")
    (tmp_path / "a" / ".DS_Store").write_text("junk")
    found = list(iter_input_files([tmp_path / "a"], root=tmp_path))
    assert found == [(tmp_path / "a" / "x.txt", tmp_path)]


def test_chunk_ids_are_stable_and_depend_on_content_position_and_embedder(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(" ".join(f"Sentence number {i} about pumps and valves." for i in range(200)))
    doc = load_document(path, tmp_path)
    first = chunk_document(doc, embedder_id="e1", chunk_size=64, chunk_overlap=8)
    again = chunk_document(load_document(path, tmp_path), embedder_id="e1", chunk_size=64, chunk_overlap=8)
    other = chunk_document(doc, embedder_id="e2", chunk_size=64, chunk_overlap=8)
    assert len(first) > 3
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    assert len({c.chunk_id for c in first}) == len(first)
    assert not {c.chunk_id for c in first} & {c.chunk_id for c in other}
    path.write_text(path.read_text() + " One more sentence.")
    changed = chunk_document(load_document(path, tmp_path), embedder_id="e1", chunk_size=64, chunk_overlap=8)
    assert changed[0].chunk_id != first[0].chunk_id


def test_scans_are_refused_naming_the_setting_when_ocr_is_off(tmp_path: Path, text_pdf) -> None:
    from fpdf import FPDF
    from PIL import Image

    assert load_document(text_pdf(tmp_path / "form.pdf", ["Full name: Anna Eriksson"]), tmp_path).metadata == {}
    image_only = FPDF()
    image_only.add_page()
    image_only.rect(20, 20, 100, 60, style="F")
    image_only.output(str(tmp_path / "scan.pdf"))
    Image.new("L", (400, 300), 255).save(tmp_path / "photo.jpg")
    with pytest.raises(IngestError, match=r"no text layer \(a scanned PDF\) and OCR is off \(ingest.ocr=false\)"):
        load_document(tmp_path / "scan.pdf", tmp_path, ocr=False)
    with pytest.raises(IngestError, match=r"an image file and OCR is off \(ingest.ocr=false\)"):
        load_document(tmp_path / "photo.jpg", tmp_path, ocr=False)


_TEXT_BOX = """<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
  xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"
  xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
  xmlns:v="urn:schemas-microsoft-com:vml"><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>
    <w:p><w:r><w:t>SKILLS</w:t></w:r></w:p><w:p><w:r><w:t>Kubernetes, Go</w:t></w:r></w:p>
  </w:txbxContent></wps:txbx></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:textbox><w:txbxContent>
    <w:p><w:r><w:t>SKILLS</w:t></w:r></w:p><w:p><w:r><w:t>Kubernetes, Go</w:t></w:r></w:p>
  </w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"""


def test_docx_reads_header_body_tables_and_text_boxes_once(tmp_path: Path) -> None:
    """A Word resume: the name in the page header, a table of jobs, a side column in a text box
    (written twice by Word: DrawingML and its VML fallback). All of it is read, in order, once."""
    from lxml import etree

    document = word_resume("Ana Souza | ana@example.com", [["Engineer, Acme", "2019 - present"]])
    anchor = document.add_paragraph("Profile\twith a tab")
    anchor._p.append(etree.fromstring(_TEXT_BOX))
    path = tmp_path / "resume.docx"
    document.save(str(path))
    text = load_document(path, tmp_path).text
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines == ["Ana Souza | ana@example.com", "EXPERIENCE", "| Engineer, Acme | 2019 - present |",
                     "Profile\twith a tab", "SKILLS", "Kubernetes, Go"]


def test_a_docx_data_table_is_read_row_by_row_and_a_layout_table_line_by_line(tmp_path: Path) -> None:
    """A policy's table of minimum margins was read one cell per line ("Snacks", then "45%"), so no
    row could be read as a rule; a resume laid out in a two-column table keeps its lines."""
    document = word_resume("Pricing policy", [["Category", "Minimum margin"], ["Snacks", "45%"]])
    layout = document.add_table(rows=1, cols=2)
    layout.rows[0].cells[0].text = "CONTACT"
    layout.rows[0].cells[0].add_paragraph("ana@example.com")
    layout.rows[0].cells[1].text = "Engineer, Acme, 2019 - present"
    path = tmp_path / "policy.docx"
    document.save(str(path))
    lines = [line for line in load_document(path, tmp_path).text.splitlines() if line.strip()]
    assert lines == ["Pricing policy", "EXPERIENCE", "| Category | Minimum margin |", "| Snacks | 45% |",
                     "CONTACT", "ana@example.com", "Engineer, Acme, 2019 - present"]


@pytest.mark.parametrize(("content", "reason"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "password-protected (encrypted) Word file"),
    (b"{\\rtf1 renamed rich text}", "not a Word .docx file (not a ZIP package)"),
])
def test_bad_docx_files_are_named_with_the_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "cv.docx"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=r"cv\.docx") as caught:
        load_document(path, tmp_path)
    assert reason in str(caught.value)


def test_a_zip_that_is_not_a_word_document_is_named(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "cv.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not word")
    with pytest.raises(IngestError, match=r"cv\.docx: damaged Word file"):
        load_document(path, tmp_path)


def test_a_docx_that_expands_beyond_the_bound_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    import zipfile

    from rightsized.ingest import loaders

    monkeypatch.setattr(loaders, "MAX_DOCX_EXPANDED_MB", 1)
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<" * (2 * 1024 * 1024))  # 2 MB of one byte: a few KB packed
    assert path.stat().st_size < 64 * 1024
    with pytest.raises(IngestError, match=r"bomb\.docx: expands to 2 MB, over the limit of 1 MB"):
        load_document(path, tmp_path)


@pytest.mark.parametrize(("content", "reason"), [
    (b"MSH|^~\\&|EPIC|HOSP|||202501150930||ADT^A01|123|P|2.5\rPID|1||33918271^^^MRN||NOVAK^FRANTISEK^J\r",
     "an HL7 v2 message"),
    (b"\xef\xbb\xbf{\\rtf1\\ansi Patient: Frantisek Novak\\par}", "rich text (RTF)"),
    (b"<?xml version=\"1.0\"?><ClinicalDocument><recordTarget/></ClinicalDocument>", "an XML document"),
])
def test_a_structured_export_renamed_txt_is_refused_not_stored_as_prose(tmp_path: Path, content: bytes,
                                                                       reason: str) -> None:
    """An HL7 message saved as .txt was stored with the patient's name, MRN and SSN: the redactor
    reads prose, not PID fields."""
    path = tmp_path / "note.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=rf"note\.txt: {re.escape(reason)}"):
        load_document(path, tmp_path)

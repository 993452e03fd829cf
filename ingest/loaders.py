"""Turn files into `Document`s, or raise `IngestError` naming the file and the reason.

Why so many explicit checks: a KYC or clinical batch always contains the odd blank scan,
password-protected statement or Windows-1252 export. Each must fail loudly and alone, with a
reason the user can act on, while the rest of the batch goes in.
Why scans are read, not refused: packets arrive as scanner PDFs and phone photos. A PDF with no
text layer on any page, and a PNG or JPEG file, is OCR'd (`rightsized.ingest.ocr`); its pages
become sections like a text layer's, and its document's metadata says `ocr: true` so results can
tell a value read by OCR from one typed.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rightsized.pipelines.errors import IngestError
from rightsized.pipelines.logs import routed

from rightsized.pipelines.documents import Document, Section

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
WORD_SUFFIXES = {".docx"}
RECORD_SUFFIXES = {".csv", ".json", ".jsonl"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES | WORD_SUFFIXES | RECORD_SUFFIXES | IMAGE_SUFFIXES

# Fewer extractable characters than this in the whole PDF means it is (almost) only images: a scan.
_MIN_CHARS_PER_PDF = 20
# Bounds on one record, so a file that is not a table (one row of a million columns, a CSV with no
# newlines) is refused in milliseconds instead of becoming thousands of chunks of one "record"
# that take minutes to embed and answer no question. 16,384 is the widest sheet Excel and
# LibreOffice can save, so no spreadsheet export is refused; 1 MiB per line holds 16,384 fields
# of 64 bytes and is far beyond any hand-made record. JSON is exempt from the line bound only:
# minified JSON puts a whole valid export on one line.
MAX_RECORD_FIELDS = 16_384
MAX_LINE_BYTES = 1024 * 1024


def iter_input_files(paths: Iterable[Path], root: Path | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for files and directories (recursively), skipping hidden files.

    The root (what doc ids are relative to) is each given folder, or `root` when provided. A
    folder that cannot be listed is yielded itself, so `load_document` turns it into an
    `IngestError` the report counts: skipping it (as `Path.rglob` does) would make a batch
    with missing files look complete.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for file in _walk(path):
                yield file, root or path
        else:
            yield path, root or path.parent


def _walk(folder: Path) -> Iterator[Path]:
    """Files under `folder` in path order; hidden entries and symlinked folders (cycles) not entered."""
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError:
        yield folder
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def load_document(path: Path, root: Path, *, max_file_mb: float = 50.0, namespace: str = "",
                  ocr: bool = True) -> Document:
    """Load one supported file; `doc_id` is `namespace/` (when given) + its path relative to `root`.

    With `ocr` off, scans (image-only PDFs, images) are refused instead of read.
    """
    if not path.exists():
        raise IngestError(path, "file not found")
    if path.is_dir():
        raise IngestError(path, _folder_problem(path))
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise IngestError(
            path, f"unsupported file type '{suffix or '(none)'}'; supported: "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    size = path.stat().st_size
    if size == 0:
        raise IngestError(path, "empty file (0 bytes)")
    if size > max_file_mb * 1024 * 1024:
        raise IngestError(
            path, f"too large: {size / 1024 / 1024:.1f} MB > limit {max_file_mb:g} MB "
            "(raise ingest.max_file_mb or split the file)"
        )
    scanned = suffix in IMAGE_SUFFIXES
    if suffix in PDF_SUFFIXES:
        pages = _pdf_pages(path)
        scanned = sum(len(p.strip()) for p in pages) < _MIN_CHARS_PER_PDF
        sections = _ocr_sections(path, "PDF", ocr) if scanned else _sections(pages)
    elif scanned:
        sections = _ocr_sections(path, "image", ocr)
    elif suffix in TEXT_SUFFIXES:
        sections = (Section(_read_text(path)),)
    elif suffix in WORD_SUFFIXES:
        sections = (Section(_docx_text(path)),)
    else:
        sections = _load_records(path, suffix)
    if not any(s.text.strip() for s in sections):
        raise IngestError(path, "no text content (file is blank)")
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    doc_id = f"{namespace}/{relative}" if namespace else relative
    return Document(doc_id=doc_id, source=str(path), sections=sections, metadata={"ocr": True} if scanned else {})


def _sections(pages: list[str]) -> tuple[Section, ...]:
    """One section per page that has text, numbered as in the file."""
    return tuple(Section(text, page=i) for i, text in enumerate(pages, start=1) if text.strip())


def _ocr_sections(path: Path, kind: str, ocr: bool) -> tuple[Section, ...]:
    from rightsized.ingest import ocr as reader

    if not ocr:
        what = "no text layer (a scanned PDF)" if kind == "PDF" else "an image file"
        raise IngestError(path, f"{what} and OCR is off (ingest.ocr=false); turn it on or run OCR first")
    pages = reader.pdf_pages(path) if kind == "PDF" else reader.image_pages(path)
    sections = _sections(pages)
    if not sections:
        raise IngestError(path, f"no text found by OCR ({len(pages)} page(s) of {kind}): a blank or unreadable scan?")
    return sections


def _folder_problem(folder: Path) -> str:
    """Why a folder reached `load_document`: `iter_input_files` yields the ones it cannot list."""
    try:
        with os.scandir(folder):
            return "is a folder, not a file"
    except OSError as exc:
        return f"cannot list folder: {exc.strerror or exc}"


_NESTED_TOO_DEEPLY = "objects nested too deeply to parse (RecursionError)"


def _nested_too_deeply(exc: BaseException | None) -> bool:
    """pypdf re-raises a RecursionError as a generic PdfReadError; the cause chain keeps it."""
    while exc is not None:
        if isinstance(exc, RecursionError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class _Collected(logging.Handler):
    """Keeps pypdf's distinct log messages (at most 3: a broken file can log thousands)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # pypdf logs from inside its `except` block, so the exception it swallowed is still the
        # one being handled here: its cause names a RecursionError its message does not.
        message = _NESTED_TOO_DEEPLY if _nested_too_deeply(sys.exc_info()[1]) else record.getMessage()
        if message not in self.messages and len(self.messages) < 3:
            self.messages.append(message)


def _pdf_pages(path: Path) -> list[str]:
    """Each page's extracted text (empty for a page without a text layer)."""
    from pypdf import PdfReader

    # Non-strict pypdf logs what it skipped instead of raising: those messages belong in this
    # file's reason, not on the user's stderr.
    collected = _Collected()
    logged = collected.messages
    with routed("pypdf", collected):
        try:
            reader = PdfReader(path)
            if reader.is_encrypted:
                # Many "protected" PDFs only restrict printing and open with an empty password.
                try:
                    opened = reader.decrypt("")
                except Exception as exc:  # pypdf raises several types for unsupported crypto
                    raise IngestError(path, f"encrypted PDF that cannot be opened ({exc})") from exc
                if not opened:
                    raise IngestError(path, "encrypted PDF (password required); decrypt it first")
            pages = [page.extract_text() or "" for page in reader.pages]
        except IngestError:
            raise
        except Exception as exc:
            # pypdf parses hostile bytes and raises many types on them (PdfReadError,
            # LimitReachedError, RecursionError, ValueError, KeyError, ...): each means this file
            # cannot be read, never that the batch should stop.
            if _nested_too_deeply(exc):
                raise IngestError(path, f"malformed PDF: {_NESTED_TOO_DEEPLY}") from exc
            raise IngestError(path, f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise IngestError(path, "PDF has no pages")
    if logged and sum(len(p.strip()) for p in pages) < _MIN_CHARS_PER_PDF:
        # A PDF pypdf could not parse cleanly and found no text in is broken, not a scan.
        raise IngestError(path, f"malformed PDF: {'; '.join(logged)}; no extractable text")
    return pages


# Formats that arrive renamed .txt: read as plain text they keep their markup, and a redactor made
# for prose does not see the fields (an HL7 message's PID segment went into the index with the
# patient's name, MRN, SSN and address). Refused, named, so the batch carries on without them.
_DISGUISED = ((b"MSH|", "an HL7 v2 message (MSH segment), not a text document: export the note's text"),
              (b"{\\rtf", "rich text (RTF), not plain text: save it as .txt or .docx"),
              (b"<?xml", "an XML document (e.g. a C-CDA export), not plain text: export the note's text"))


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    head = raw[:16].lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, reason in _DISGUISED:
        if head.startswith(magic):
            raise IngestError(path, reason)
    return _decode(path, raw)


def _decode(path: Path, raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise IngestError(path, "binary content (NUL bytes) in a text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8"
        ) from exc


# A Word package's parts are read into memory whole: bound what they expand to (the largest real
# resumes and reports with images expand to a few tens of MB).
MAX_DOCX_EXPANDED_MB = 200
_MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: what Word writes when a .docx is encrypted


def _docx_text(path: Path) -> str:
    """The text of a Word document in reading order: the page header first (resumes often put the
    name and contact line there), then every paragraph of the body, including those inside tables
    and text boxes (two-column layouts), one per line.

    Why every `w:p` element rather than python-docx's `Document.paragraphs`: that list skips
    tables and text boxes, where a two-column resume keeps half of its content."""
    import zipfile

    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _OLE_MAGIC:
        raise IngestError(path, "password-protected (encrypted) Word file; save a copy without a password")
    if not zipfile.is_zipfile(path):
        raise IngestError(path, "not a Word .docx file (not a ZIP package); an old .doc must be saved as .docx")
    try:
        with zipfile.ZipFile(path) as package:
            expanded = sum(member.file_size for member in package.infolist())
        if expanded > MAX_DOCX_EXPANDED_MB * 1024 * 1024:
            raise IngestError(path, f"expands to {expanded / 1024 / 1024:,.0f} MB, over the limit of "
                              f"{MAX_DOCX_EXPANDED_MB} MB for a Word file (a ZIP bomb, or not a document)")
        return "\n".join(_docx_lines(path))
    except IngestError:
        raise
    except Exception as exc:
        # python-docx, zipfile, zlib and lxml raise many types on a damaged package (BadZipFile,
        # KeyError for a missing part, XMLSyntaxError, InvalidXmlError, OSError on a bad offset,
        # ...): each means this file cannot be read, never that the batch should stop.
        raise IngestError(path, f"damaged Word file ({type(exc).__name__}: {exc})") from exc


def _docx_lines(path: Path) -> list[str]:
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    parts, seen = [], set()
    for section in document.sections:
        header = section.header
        if not header.is_linked_to_previous and id(header.part) not in seen:
            seen.add(id(header.part))
            parts.append(header._element)
    parts.append(document.element.body)
    paragraph_tag, fallback = qn("w:p"), f"{{{_MARKUP_COMPATIBILITY}}}Fallback"
    text_tag, tab_tag, row_tag, cell_tag = qn("w:t"), qn("w:tab"), qn("w:tr"), qn("w:tc")

    def text_of(paragraph: Any) -> str:
        pieces = []
        for node in paragraph.iter(text_tag, tab_tag, qn("w:br"), qn("w:cr")):
            if next(node.iterancestors(paragraph_tag)) is not paragraph:
                continue  # a text box's paragraph inside this one: read on its own line
            pieces.append(node.text or "" if node.tag == text_tag else "\t" if node.tag == tab_tag else "\n")
        return "".join(pieces)

    def data_row(row: Any) -> str | None:
        """A table row whose cells hold one line each, as "| a | b |": a row of a data table (a
        policy's "Snacks | 45%", a job and its dates) means something only read across. A row
        with a longer cell is layout (a resume's side column) and is read line by line."""
        cells = []
        for cell in row.iterchildren(cell_tag):
            texts = [t for p in cell.iter(paragraph_tag) if (t := text_of(p).strip())]
            if len(texts) > 1 or any(a.tag == row_tag for a in cell.iterdescendants()):
                return None
            cells.append(texts[0] if texts else "")
        return "| " + " | ".join(cells) + " |" if len(cells) > 1 else None

    lines: list[str] = []
    rows_read: set[Any] = set()
    for part in parts:
        for paragraph in part.iter(paragraph_tag):
            if any(a.tag == fallback for a in paragraph.iterancestors()):
                continue  # the VML copy of a text box whose DrawingML copy is read already
            row = next(paragraph.iterancestors(row_tag), None)
            if row is not None and (row in rows_read or (line := data_row(row)) is not None):
                if row not in rows_read:
                    rows_read.add(row)
                    lines.append(line)
                continue
            lines.append(text_of(paragraph))
    return lines


def _load_records(path: Path, suffix: str) -> tuple[Section, ...]:
    raw = path.read_bytes()
    if suffix != ".json":
        _check_line_lengths(path, raw)
    text = _decode(path, raw)
    records: list[dict[str, Any]]
    if suffix == ".csv":
        records = _csv_records(path, text)
    elif suffix == ".jsonl":
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                records.append(_json_object(path, line, f"line {number}"))
    else:
        data = _parse_json(path, text, "")
        items = data if isinstance(data, list) else [data]
        records = [_as_record(path, item, f"item {i}") for i, item in enumerate(items, start=1)]
    return tuple(Section(render_record(r), page=i) for i, r in enumerate(records, start=1))


def _check_line_lengths(path: Path, raw: bytes) -> None:
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if len(line) > MAX_LINE_BYTES:
            raise IngestError(
                path, f"line {number} is {len(line):,} bytes, over the limit of {MAX_LINE_BYTES:,} "
                "bytes per line (MAX_LINE_BYTES): is this really one record per line?"
            )


def _check_fields(path: Path, count: int, where: str) -> None:
    if count > MAX_RECORD_FIELDS:
        raise IngestError(
            path, f"{where} has {count:,} fields, over the limit of {MAX_RECORD_FIELDS:,} "
            "fields per record (MAX_RECORD_FIELDS)"
        )


def _csv_records(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    records = []
    try:
        width = len(reader.fieldnames or ())
        _check_fields(path, width, "header line 1")
        for record in reader:  # values beyond the header's width are a list under the key None
            _check_fields(path, width + len(record.get(None) or ()), f"line {reader.line_num}")
            records.append(record)
    except csv.Error as exc:
        raise IngestError(path, f"malformed CSV at line {reader.line_num}: {exc}") from exc
    if not records:
        raise IngestError(path, "CSV has a header but no rows")
    return records


def _parse_json(path: Path, text: str, where: str) -> Any:
    at = f" at {where}" if where else ""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(path, f"malformed JSON{at}: {exc.msg if where else exc}") from exc
    except RecursionError as exc:  # json raises it past ~1,000 levels of [ or {
        raise IngestError(path, f"malformed JSON{at}: nested too deeply to parse (RecursionError)") from exc


def _json_object(path: Path, line: str, where: str) -> dict[str, Any]:
    return _as_record(path, _parse_json(path, line, where), where)


def _as_record(path: Path, item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise IngestError(path, f"{where} is a {type(item).__name__}, expected an object")
    _check_fields(path, _count_fields(item), where)
    return item


def _count_fields(record: dict[str, Any]) -> int:
    """Keys and items at every depth: a nested object is rendered whole, so its fields count too.

    Iterative, so a record nested as deeply as `json` accepts cannot exhaust the stack here.
    """
    count, pending = 0, [record]
    while pending:
        value = pending.pop()
        children = list(value.values()) if isinstance(value, dict) else value
        count += len(children)
        pending.extend(child for child in children if isinstance(child, (dict, list)))
    return count


def render_record(record: dict[str, Any]) -> str:
    """`key: value` lines: readable to an LLM and matchable by BM25 on both keys and values."""
    return "\n".join(f"{k}: {v}" for k, v in record.items() if v not in (None, ""))


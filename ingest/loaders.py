"""Turn files into `Document`s, or raise `IngestError` naming the file and the reason.

Why so many explicit checks: a KYC or clinical batch always contains the odd scanned PDF,
password-protected statement or Windows-1252 export. Each must fail loudly and alone, with a
reason the user can act on, while the rest of the batch goes in.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from rightsized.pipelines.errors import IngestError

from rightsized.pipelines.documents import Document, Section

PDF_SUFFIXES = {".pdf"}
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
RECORD_SUFFIXES = {".csv", ".json", ".jsonl"}
SUPPORTED_SUFFIXES = PDF_SUFFIXES | TEXT_SUFFIXES | RECORD_SUFFIXES

# Fewer extractable characters than this per page means the PDF is (almost) only images.
_MIN_CHARS_PER_PDF = 20


def iter_input_files(paths: Iterable[Path], root: Path | None = None) -> Iterator[tuple[Path, Path]]:
    """Yield (file, root) for files and directories (recursively), skipping hidden files.

    The root (what doc ids are relative to) is each given folder, or `root` when provided.
    """
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                rel = file.relative_to(path)
                if file.is_file() and not any(part.startswith(".") for part in rel.parts):
                    yield file, root or path
        else:
            yield path, root or path.parent


def load_document(path: Path, root: Path, *, max_file_mb: float = 50.0, namespace: str = "") -> Document:
    """Load one supported file; `doc_id` is `namespace/` (when given) + its path relative to `root`."""
    if not path.exists():
        raise IngestError(path, "file not found")
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
    if suffix in PDF_SUFFIXES:
        sections = _load_pdf(path)
    elif suffix in TEXT_SUFFIXES:
        sections = (Section(_read_text(path)),)
    else:
        sections = _load_records(path, suffix)
    if not any(s.text.strip() for s in sections):
        raise IngestError(path, "no text content (file is blank)")
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    doc_id = f"{namespace}/{relative}" if namespace else relative
    return Document(doc_id=doc_id, source=str(path), sections=sections)


def _load_pdf(path: Path) -> tuple[Section, ...]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

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
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(path, f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise IngestError(path, "PDF has no pages")
    if sum(len(p.strip()) for p in pages) < _MIN_CHARS_PER_PDF:
        raise IngestError(
            path, f"no text layer ({len(pages)} page(s), no extractable text): "
            "a scanned image? run OCR first"
        )
    return tuple(Section(text, page=i) for i, text in enumerate(pages, start=1) if text.strip())


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise IngestError(path, "binary content (NUL bytes) in a text file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(
            path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8"
        ) from exc


def _load_records(path: Path, suffix: str) -> tuple[Section, ...]:
    text = _read_text(path)
    records: list[dict[str, Any]]
    if suffix == ".csv":
        try:
            records = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise IngestError(path, f"malformed CSV: {exc}") from exc
        if not records:
            raise IngestError(path, "CSV has a header but no rows")
    elif suffix == ".jsonl":
        records = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                records.append(_json_object(path, line, f"line {number}"))
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IngestError(path, f"malformed JSON: {exc}") from exc
        items = data if isinstance(data, list) else [data]
        records = [_as_record(path, item, f"item {i}") for i, item in enumerate(items, start=1)]
    return tuple(Section(render_record(r), page=i) for i, r in enumerate(records, start=1))


def _json_object(path: Path, line: str, where: str) -> dict[str, Any]:
    try:
        return _as_record(path, json.loads(line), where)
    except json.JSONDecodeError as exc:
        raise IngestError(path, f"malformed JSON at {where}: {exc.msg}") from exc


def _as_record(path: Path, item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise IngestError(path, f"{where} is a {type(item).__name__}, expected an object")
    return item


def render_record(record: dict[str, Any]) -> str:
    """`key: value` lines: readable to an LLM and matchable by BM25 on both keys and values."""
    return "\n".join(f"{k}: {v}" for k, v in record.items() if v not in (None, ""))


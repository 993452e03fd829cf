"""The whole ingest path: load -> chunk -> embed in large batches -> idempotent upsert.

Why batches of thousands of chunks across files: the embedder dominates the cost, and feeding it
large length-sorted batches is what keeps the whole path within ~10% of a raw
sentence-transformers `encode` of the same chunks (`rightsized bench ingest` measures it).
Why compare content hashes first: re-ingesting an unchanged file must add nothing, and a changed
file must replace its chunks, leaving no orphans.
Why document ids start with a source namespace: two intake folders that both hold
`applicant_001/passport.pdf` are different documents; without the namespace the second would
replace the first one's chunks (and with them the evidence behind past decisions).
Why a document counts as stored only when complete: a run killed while writing a document's
chunks leaves some of them, each with the document's hash; the store reports such a document
as incomplete (every chunk carries the document's chunk count, `stores.base.document_states`),
and it is deleted and written again like a changed file.
Why redaction happens here, before chunking: a sensitive domain's identifiers must never reach
the embedder or the store. A document is compared under its loaded text's hash salted with the
redactor's fingerprint, so unchanged files are not redacted again and a changed policy re-ingests.
Why a domain may section documents (after redaction, before chunking): chunks never cross a
section, so a table row the domain makes a section of its own is cited whole; the sectioner's
fingerprint salts the stored hash like the redactor's.
Why everything streams: files are loaded a group at a time and chunks embedded a window at a
time, even inside one file, so memory follows the window, not the file or the batch.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from rightsized.pipelines.documents import Chunk, Document, Section
from rightsized.pipelines.embedders.base import Embedder
from rightsized.pipelines.errors import IngestError
from rightsized.pipelines.privacy import Redactor, merge_counts
from rightsized.pipelines.progress import ProgressCallback
from rightsized.pipelines.sectioning import Sectioner
from rightsized.pipelines.runtime import Workspace
from rightsized.pipelines.stores.base import VectorStore, records_from

from rightsized.ingest.chunking import stream_chunks
from rightsized.ingest.loaders import iter_input_files, load_document

MetadataHook = Callable[[Path, Path], dict[str, Any]]
# A group of loaded documents shares one `document_hashes` call: at most this many documents,
# and no more text than this (characters), so a folder of large files is never all in memory.
_GROUP_DOCS = 1000
_GROUP_CHARS = 16 << 20


def source_namespace(root: Path) -> str:
    """The default namespace of an ingest root: its name plus a hash of its absolute path, so the
    same folder always gets the same ids and two folders never share them."""
    resolved = Path(root).expanduser().resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    return f"{resolved.name or 'root'}-{digest}"


def document_group(namespace: str, relative: str) -> str:
    """A document's case: the first folder under the ingest root (files nested deeper in it
    belong to the same case), or the file itself when it sits directly in the root."""
    return f"{namespace}/{Path(relative).parts[0]}"


@dataclass
class IngestReport:
    files_seen: int = 0
    files_ingested: int = 0
    files_unchanged: int = 0
    chunks_added: int = 0
    chunks_deleted: int = 0
    seconds: float = 0.0
    errors: list[IngestError] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @classmethod
    def merged(cls, reports: list[IngestReport]) -> IngestReport:
        """One report for several pipeline runs (e.g. one per source folder of a batch)."""
        total = cls()
        for r in reports:
            total.files_seen += r.files_seen
            total.files_ingested += r.files_ingested
            total.files_unchanged += r.files_unchanged
            total.chunks_added += r.chunks_added
            total.chunks_deleted += r.chunks_deleted
            total.seconds += r.seconds
            total.errors.extend(r.errors)
            total.doc_ids.extend(r.doc_ids)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "files_seen": self.files_seen, "files_ingested": self.files_ingested,
            "files_unchanged": self.files_unchanged, "files_failed": len(self.errors),
            "chunks_added": self.chunks_added, "chunks_deleted": self.chunks_deleted,
            "seconds": round(self.seconds, 3),
            "errors": [{"file": str(e.path), "reason": e.reason} for e in self.errors],
            "doc_ids": list(self.doc_ids),
        }


class IngestPipeline:
    """Ingest files or folders into one store collection.

    Usage:
        pipeline = IngestPipeline(store, embedder, domain="bfsi_kyc")
        report = pipeline.run([Path("packets/")])
        assert report.ok, report.errors
    """

    def __init__(
        self, store: VectorStore, embedder: Embedder, *, domain: str,
        chunk_size: int = 200, chunk_overlap: int = 40, max_file_mb: float = 50.0, ocr: bool = True,
        metadata_hook: MetadataHook | None = None, redactor: Redactor | None = None,
        sectioner: Sectioner | None = None, window: int = 2048,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.domain = domain
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self.max_file_mb = max_file_mb
        self.ocr = ocr
        self.metadata_hook = metadata_hook
        self.redactor = redactor
        self.sectioner = sectioner
        self.window = window

    def run(self, paths: Iterable[Path], progress: ProgressCallback | None = None, *,
            root: Path | None = None, namespace: str | None = None) -> IngestReport:
        """Ingest `paths`. Doc ids are `<namespace>/<path relative to the root>`: the root is each
        folder given (a file's parent), or `root`; the namespace is the caller's or derived from
        the root (`source_namespace`)."""
        started = time.perf_counter()
        report = IngestReport()
        notify = progress or (lambda event, amount: None)
        documents = self._load(paths, report, notify, root, namespace)
        for window in _windows(self._chunks_to_write(documents, report), self.window):
            report.chunks_added += self._embed_and_upsert(window, notify)
        if report.chunks_added or report.chunks_deleted:
            self.store.flush()
        report.seconds = time.perf_counter() - started
        return report

    def _chunks_to_write(self, documents: Iterable[Document], report: IngestReport) -> Iterator[Chunk]:
        """Chunks of every new, changed or incompletely stored document, each document's stored
        chunks deleted before its first chunk is yielded."""
        for group in _groups(documents):
            stored = self.store.document_hashes([d.doc_id for d in group])
            for document in group:
                report.doc_ids.append(document.doc_id)
                stamp = self._stamp(document)
                if stored.get(document.doc_id) == stamp:
                    report.files_unchanged += 1
                    continue
                if document.doc_id in stored:  # changed, or incomplete (hash None)
                    report.chunks_deleted += self.store.delete_document(document.doc_id)
                report.files_ingested += 1
                yield from stream_chunks(
                    prepared(document, self.redactor, self.sectioner, stamp), embedder_id=self.embedder.embedder_id,
                    chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap, buffer=self.window,
                )

    def _load(self, paths: Iterable[Path], report: IngestReport, notify: ProgressCallback,
              root: Path | None, namespace: str | None) -> Iterator[Document]:
        """Each file's document as it is loaded; a file reached twice (a folder and a file in
        it) once, as its first path."""
        seen: set[str] = set()
        for file, file_root in iter_input_files(paths, root):
            report.files_seen += 1
            prefix = namespace or source_namespace(file_root)
            try:
                document = load_document(file, file_root, max_file_mb=self.max_file_mb, namespace=prefix,
                                         ocr=self.ocr)
            except IngestError as exc:
                report.errors.append(exc)
            except OSError as exc:  # permissions, vanished files: still this file's problem only
                report.errors.append(IngestError(file, f"cannot read: {exc.strerror or exc}"))
            else:
                if document.doc_id not in seen:
                    seen.add(document.doc_id)
                    yield self._with_metadata(document, file, file_root, prefix)
            notify("files", 1)

    def _with_metadata(self, document: Document, file: Path, file_root: Path, prefix: str) -> Document:
        """The loader's metadata plus where the file came from and its case, then the domain's."""
        relative = document.doc_id[len(prefix) + 1:]
        metadata = {**document.metadata, "source": str(file), "domain": self.domain,
                    "group": document_group(prefix, relative)}
        if self.metadata_hook is not None:
            metadata.update(self.metadata_hook(file, file_root))
        return Document(document.doc_id, document.source, document.sections, metadata)

    def _stamp(self, document: Document) -> str:
        """The hash a document is stored under: its content's, salted with the rules of the
        redactor and the sectioner that derive the stored text from it."""
        rules = [hook.fingerprint for hook in (self.redactor, self.sectioner) if hook is not None]
        if not rules:
            return document.content_hash
        return hashlib.sha256(":".join([document.content_hash, *rules]).encode()).hexdigest()[:32]

    def _embed_and_upsert(self, chunks: list[Chunk], notify: ProgressCallback) -> int:
        vectors = self.embedder.embed([c.text for c in chunks])
        added = self.store.upsert(records_from(chunks, vectors))
        notify("chunks", added)
        return added


def redacted(document: Document, redactor: Redactor | None, stamp: str | None = None) -> Document:
    """The document with every section redacted (keyed by its case group, so one case's
    documents are redacted consistently), the counts per kind in its metadata, stored under
    `stamp` (`IngestPipeline._stamp`); the document itself without a redactor."""
    if redactor is None:
        return document
    sections, found = [], {}
    for section in document.sections:
        redaction = redactor.redact(section.text, key=document.metadata.get("group", document.doc_id))
        sections.append(Section(redaction.text, section.page))
        found = merge_counts(found, redaction.found)
    return Document(document.doc_id, document.source, tuple(sections),
                    {**document.metadata, "redacted": found}, derived_hash=stamp)


def prepared(document: Document, redactor: Redactor | None, sectioner: Sectioner | None,
             stamp: str | None = None) -> Document:
    """The document as it is chunked: redacted, then split into the domain's sections, stored
    under `stamp` when either changed it."""
    derived = redacted(document, redactor, stamp)
    if sectioner is None:
        return derived
    sections = tuple(part for section in derived.sections for part in _split(sectioner, section, document))
    return Document(derived.doc_id, derived.source, sections, derived.metadata,
                    derived_hash=stamp or derived.derived_hash)


def _split(sectioner: Sectioner, section: Section, document: Document) -> list[Section]:
    """The sectioner's parts of one section; parts that drop or change text (whitespace aside)
    are a domain bug that would lose evidence silently, so they stop this document."""
    parts = sectioner.split(section)
    if "".join(section.text.split()) != "".join("".join(part.text.split()) for part in parts):
        raise IngestError(Path(document.source), f"the domain's sectioner ({sectioner.fingerprint}) changed the text "
                          f"of page {section.page}; sections must keep every character in order")
    return parts


def _groups(documents: Iterable[Document]) -> Iterator[list[Document]]:
    """Consecutive groups of at most `_GROUP_DOCS` documents and about `_GROUP_CHARS` of text."""
    group: list[Document] = []
    chars = 0
    for document in documents:
        group.append(document)
        chars += sum(len(section.text) for section in document.sections)
        if len(group) >= _GROUP_DOCS or chars >= _GROUP_CHARS:
            yield group
            group, chars = [], 0
    if group:
        yield group


def _windows(chunks: Iterable[Chunk], size: int) -> Iterator[list[Chunk]]:
    """Consecutive lists of `size` chunks (the last one shorter): one embedder call each."""
    iterator = iter(chunks)
    while window := list(islice(iterator, size)):
        yield window


def build_ingest_pipeline(workspace: Workspace, tier: str, metadata_hook: MetadataHook | None = None,
                          redactor: Redactor | None = None, sectioner: Sectioner | None = None) -> IngestPipeline:
    """The ingest pipeline for one tier's store and embedder, with the settings' chunking."""
    ingest = workspace.settings.ingest
    return IngestPipeline(
        workspace.store(tier), workspace.embedder(tier, load=False), domain=workspace.domain,
        chunk_size=ingest.chunk_size, chunk_overlap=ingest.chunk_overlap,
        max_file_mb=ingest.max_file_mb, ocr=ingest.ocr, metadata_hook=metadata_hook,
        redactor=redactor, sectioner=sectioner,
    )

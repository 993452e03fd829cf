"""Sectioning as the core sees it: a domain splits a loaded section into the units a chunk must
not cross (a table row, a clause, a log entry).

Why: chunks never cross a section, and the chunker cuts by word count. A troubleshooting table on
a manual page would otherwise be cut mid-row, and a row (symptom, cause, remedy) could no longer
be cited whole. Only the domain knows what its units look like, so it splits; the ingest path
(below the domains layer, hence the protocol here) applies it after redaction and before chunking.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from rightsized.pipelines.documents import Section


@runtime_checkable
class Sectioner(Protocol):
    """Splits one loaded section into smaller sections (same page), text preserved in order.

    `fingerprint` names the rules and their version: it is mixed into each ingested document's
    stored hash, so changing how a domain sections its documents re-ingests them.
    """

    @property
    def fingerprint(self) -> str: ...

    def split(self, section: Section) -> list[Section]: ...

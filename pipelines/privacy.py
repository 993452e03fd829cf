"""Redaction as the core sees it: text in, redacted text and counts per identifier kind out.

Why in the core: the ingest path must redact before chunking, and it sits below the domains
layer, so the protocol it calls lives here; domains implement it (`Domain.redactor`, see
`rightsized.domains.privacy` for the policy that decides what may leave the machine).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Redaction:
    """Redacted text and how many identifiers of each kind were replaced in it."""

    text: str
    found: dict[str, int] = field(default_factory=dict)


@runtime_checkable
class Redactor(Protocol):
    """Replaces identifiers in text.

    `fingerprint` names the rules and their version: it is mixed into each ingested document's
    content hash, so changing the redaction policy re-ingests (and re-redacts) stored documents.
    `key` groups texts that must be redacted consistently, e.g. one patient's notes (a document's
    case group at ingest), so a per-patient date shift is the same in every note.
    """

    @property
    def fingerprint(self) -> str: ...

    def redact(self, text: str, *, key: str) -> Redaction: ...


def merge_counts(counts: dict[str, int], found: dict[str, int]) -> dict[str, int]:
    """`counts` plus `found`, kind by kind (a new dict)."""
    merged = dict(counts)
    for kind, number in found.items():
        merged[kind] = merged.get(kind, 0) + number
    return merged

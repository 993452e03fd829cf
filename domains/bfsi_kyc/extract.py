"""Deterministic field extraction from retrieved chunks: labelled values and the MRZ.

Why labels first: printed forms, bills and statements put values next to labels; a regex per
label is exact and explainable, and whatever it cannot find is left open for an LLM tier to
fill (and then validated) rather than guessed.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from rightsized.pipelines.stores.base import SearchHit

from rightsized.domains.bfsi_kyc.dates import read_date
from rightsized.domains.bfsi_kyc.mrz import MrzFormatError, MrzResult, find_mrz, parse_mrz, read_ocr_mrz

LABELS: dict[str, tuple[str, ...]] = {
    "surname": ("surname", "last name", "family name"),
    "given_names": ("given names", "given name", "first names", "first name"),
    "full_name": ("full name", "name", "account holder", "customer name"),
    "date_of_birth": ("date of birth", "birth date", "dob", "d.o.b.", "d.o.b"),
    "nationality": ("nationality", "citizenship"),
    "document_number": ("document number", "passport number", "document no", "passport no"),
    "expiry_date": ("date of expiry", "expiry date", "expiration date", "valid until"),
    "address": ("residential address", "service address", "correspondence address", "address"),
}


# Text that addresses a reader as if it were a prompt: a role marker ("SYSTEM:"), or an order to
# ignore/override the checks or to approve. Retrieved text is data: such text never reaches a
# decision, and an extracted value stops where it starts.
INSTRUCTION = re.compile(
    r"\b(?:system|assistant|developer|user)\s*:"
    r"|\b(?:ignore|disregard|override|bypass|forget)\b[^.\n]{0,60}\b(?:checks?|instructions?|rules?|above|previous|screening)\b"
    r"|\bapprove (?:this|the) (?:applicant|application|customer)\b",
    re.I,
)


@dataclass(frozen=True)
class Found:
    value: str
    chunk_id: str


def strip_instructions(value: str) -> str:
    """The value up to the first instruction-like text (see `INSTRUCTION`)."""
    match = INSTRUCTION.search(value)
    return value if match is None else value[: match.start()].rstrip(" ,;:-")


def instruction_snippets(hits: Sequence[SearchHit]) -> list[tuple[str, str]]:
    """(doc_id, snippet) of every instruction-like passage in the retrieved text, for reviewers."""
    found = []
    for hit in hits:
        for match in INSTRUCTION.finditer(hit.text):
            line_start = hit.text.rfind("\n", 0, match.start()) + 1
            line_end = hit.text.find("\n", match.end())
            line = hit.text[line_start: line_end if line_end >= 0 else None].strip()
            found.append((str(hit.metadata.get("doc_id", hit.chunk_id)), line[:120]))
    return list(dict.fromkeys(found))


# The line that ends a postal address: a postcode (UK SW1A 1AA, US 20500-0001, DE 10115, IN 560001,
# NL 1012 AB, CA K1A 0B1, 3+3 digits).
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]*\d[A-Z]{2}|\d{4,6}(?:-\d{4})?|\d{4}[ \t]?[A-Z]{2}|"
                       r"[A-Z]\d[A-Z][ \t]?\d[A-Z]\d|\d{3}[ \t]\d{3})\b", re.I)
_A_LABEL = re.compile(r"^[ \t]*[A-Za-z][\w .'/()-]{0,40}:")
MAX_ADDRESS_LINES = 5


def labelled_value(hits: Sequence[SearchHit], field: str) -> Found | None:
    """First `Label: value` for the field's labels, in label-priority then retrieval order; the
    value stops before any instruction-like text appended to it. An address may go on over the
    next lines, as bills and forms print it ("Address:" then "12 High Street", "London",
    "SW1A 1AA"): the lines up to its postcode are read, joined with commas."""
    for label in LABELS[field]:
        # [ \t] not \s: an empty value must not swallow the next line ("Surname:" then "Given names: X").
        pattern = re.compile(rf"^[ \t]*{re.escape(label)}[ \t]*:[ \t]*(.*?)[ \t]*$", re.I | re.M)
        for hit in hits:
            for match in pattern.finditer(hit.text):
                value = strip_instructions(match.group(1).strip())
                if field == "address":
                    value = _address_lines(value, hit.text[match.end():])
                if value:
                    return Found(value, hit.chunk_id)
    return None


def _address_lines(first: str, after: str) -> str:
    """The address from its label's line on: with the lines after it up to the first that holds a
    postcode (at most 2 after a value on the label's line, 5 after a bare label); the label's line
    alone when none of them does."""
    parts = [first] if first else []
    for line in after.lstrip("\n").splitlines()[:2 if first else MAX_ADDRESS_LINES]:
        line = strip_instructions(line.strip())
        if not line or _A_LABEL.match(line) or len(line) > 60:
            break
        parts.append(line.rstrip(","))
        if _POSTCODE.search(line):
            return ", ".join(parts)
    return first


def parse_date(text: str) -> date | None:
    """One date for a written one: the first of its readings (`read_date`), so an ambiguous
    numeric date (03/12/1985) is read day first, the corpus default. Where the other reading
    matters (a date of birth that is screened or compared), use `read_date`."""
    written = read_date(text)
    return written.first if written else None


@dataclass(frozen=True)
class MrzFound:
    result: MrzResult | None
    chunk_ids: tuple[str, ...]
    error: str | None = None
    ocr: bool = False  # read from text OCR produced: a failing check may be the scanner's misreading

    @property
    def trusted(self) -> MrzResult | None:
        """The MRZ when it passed every check, else None. Why: a name or date in an MRZ that failed
        its checks may be misread or altered, so it must not fill a field, settle how a printed
        date is read or clear a listed name by DOB; only its own check (and screening, which
        can only add hits) looks at it."""
        return self.result if self.result is not None and self.result.valid else None


def find_mrz_in(hits: Sequence[SearchHit]) -> MrzFound:
    """Look in each chunk, then in the chunks joined in document order (an MRZ may straddle two).

    Text read by OCR (chunk metadata `ocr`) is read with `read_ocr_mrz`, which repairs readings
    the format makes impossible and returns each change as a correction on the result; the
    MrzFound says it was OCR'd (`ocr`), so a failing check can be told apart from a typed one.
    """
    for hit in hits:
        ocr = bool(hit.metadata.get("ocr"))
        found = _mrz_lines(hit.text, ocr)
        if found:
            return _parse(*found, (hit.chunk_id,), ocr)
    ordered = sorted(hits, key=lambda h: (h.metadata.get("doc_id", ""), h.metadata.get("position", 0)))
    ocr = any(h.metadata.get("ocr") for h in ordered)
    found = _mrz_lines("\n".join(h.text for h in ordered), ocr)
    if found:
        return _parse(*found, tuple(h.chunk_id for h in ordered), ocr)
    return MrzFound(None, (), "no machine-readable zone found in the identity document")


def _mrz_lines(text: str, ocr: bool) -> tuple[list[str], tuple[str, ...]] | None:
    if ocr:
        return read_ocr_mrz(text)
    lines = find_mrz(text)
    return (lines, ()) if lines else None


def _parse(lines: list[str], corrections: tuple[str, ...], chunk_ids: tuple[str, ...], ocr: bool) -> MrzFound:
    try:
        return MrzFound(replace(parse_mrz(lines), corrections=corrections), chunk_ids, ocr=ocr)
    except MrzFormatError as exc:
        return MrzFound(None, chunk_ids, str(exc), ocr=ocr)


def address_key(text: str) -> str:
    """Lowercase alphanumeric words: addresses compare without punctuation or spacing noise."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))

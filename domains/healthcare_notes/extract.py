"""Deterministic extraction of a structured summary from retrieved note chunks, with negation.

Why sections and NegEx-style triggers: clinical notes say what a patient does *not* have as often
as what they have ("denies chest pain", "no history of diabetes", "mother had breast cancer").
Problems are read only from sections that list the patient's problems (assessment, diagnoses,
impression, past medical history, indication), and within them any item in a sentence with a
negation trigger, a relative as its subject or a pending work-up ("evaluate for") is dropped.
Narrative sections (HPI, hospital course, family and social history, findings) never add
problems. Every item keeps the chunk ids it was read from.

Chunks of one document are stitched back in order (their `position`), so a section whose heading
sits in the previous chunk is still read as that section.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rightsized.pipelines.stores.base import SearchHit

_HEADING = re.compile(r"^(?P<h>[A-Z][A-Z /&()-]{2,40}):[ \t]*(?P<rest>.*)$")
_NEGATION = re.compile(r"\b(?:no|denies|denied|without|negative for|ruled out|rule out|r/o|no history of|"
                       r"no evidence of|free of|absence of|not|never)\b", re.I)
_EXPERIENCER = re.compile(r"\b(?:mother|father|sister|brother|son|daughter|aunt|uncle|grandmother|grandfather|"
                          r"family history|relative)\b", re.I)
_PENDING = re.compile(r"^(?:evaluate for|evaluation for|rule out|r/o|possible|suspected|concern for)\b", re.I)
_DOSE = r"\d[\d/.,]*\s*(?:mg|mcg|g|units|mL|%)"
# Route and frequency are optional: "aspirin 81 mg daily" and "Aspirin 81 mg." are medications too.
_MEDICATION = re.compile(
    rf"^(?P<name>[A-Za-z][A-Za-z -]*?)\s+(?P<dose>{_DOSE})(?:\s+(?P<route>PO|IV|IM|SC|SQ|SL|PR|inhaled|topical|"
    r"transdermal)\b)?(?:\s*(?P<freq>[^.]+?))?\.?$", re.I)
# Several medications on one line: "; " between them, or ", " before the next name and dose.
_MEDICATION_SPLIT = re.compile(rf";|,\s*(?=[A-Za-z][A-Za-z -]*\s+{_DOSE})", re.I)
_VITALS = {
    "bp": re.compile(r"\bBP:?\s*(\d{2,3}/\d{2,3})"),
    "hr": re.compile(r"\b(?:HR|pulse):?\s*(\d{2,3})\b", re.I),
    "rr": re.compile(r"\bRR:?\s*(\d{1,2})\b"),
    "temp": re.compile(r"\bT(?:emp)?:?\s*(\d{2,3}\.\d)\s*F?\b"),
    "spo2": re.compile(r"\bSpO2:?\s*(\d{2,3})\s*%"),
}
_LABEL = re.compile(r"^[A-Za-z][A-Za-z /-]{1,40}:")
# A heading on a line of its own without a colon, as EHR exports print them: in capitals
# ("MEDICATIONS"), or one of the usual headings in title case ("Past Medical History").
_BARE_HEADING = re.compile(r"^[A-Z][A-Z /&()-]{2,40}$")
_TITLE_HEADINGS = frozenset({
    "allergies", "allergy", "medications", "current medications", "home medications", "meds", "diagnoses",
    "diagnosis", "assessment", "impression", "problem list", "problems", "past medical history", "indication",
    "plan", "assessment and plan", "recommendations", "follow-up", "follow up"})
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
_NKDA = re.compile(r"\b(?:NKDA|NKA|no known (?:drug )?allergies)\b", re.I)
# What a note writes after the substance: the reaction ("Penicillin - anaphylaxis", "Sulfa: rash").
_REACTION = re.compile(r"\(.*?\)|\s+[-–:]\s.*$")
# A status written after a problem ("Type 2 diabetes mellitus, uncontrolled."): part of it, no problem of its own.
_STATUS = re.compile(r"^(?:(?:well|poorly|un)?[- ]?controlled|stable|improv(?:ed|ing)|worsening|resolv(?:ed|ing)|"
                     r"unchanged|chronic|acute|mild|moderate|severe|active|new|recurrent|compensated|decompensated)$", re.I)
# SOAP notes label their parts with letters: the assessment lists problems, the plan the steps;
# "A/P" lines pair a problem with its step ("1. Hypertension - increase lisinopril"): read as steps.
_SOAP = re.compile(r"^(?P<h>S|O|A|P|A/P|A&P)[ \t]*:[ \t]*")
SOAP_SECTIONS: dict[str, str | None] = {"S": None, "O": None, "A": "problems", "P": "plan", "A/P": "plan", "A&P": "plan"}
# A follow-up written as a sentence rather than under a heading ("Follow-up in 3 months.").
_FOLLOW_UP = re.compile(r"\b(?:follow[- ]?up|f/u|return to clinic|RTC)\b[^.;]*?\b(?:in|within)[ \t]+\d+(?:[ \t]*-[ \t]*\d+)?"
                        r"[ \t]*(?:days?|weeks?|wks?|months?|mos?|years?)\b", re.I)
SECTIONS = {
    "allergies": ("ALLERG",),
    "medications": ("MEDICATION", "MEDS"),
    "problems": ("DIAGNOS", "ASSESSMENT", "IMPRESSION", "PROBLEM", "PAST MEDICAL HISTORY", "INDICATION"),
    "plan": ("PLAN", "RECOMMENDATION"),
    "follow_up": ("FOLLOW",),
}
FIELDS = ("problems", "medications", "allergies", "vitals", "plan", "follow_up")


@dataclass
class Item:
    """One summary item: its normalised value, the text it was read from, where it was read."""

    value: str
    evidence: str
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    items: dict[str, dict[str, Item]] = field(default_factory=lambda: {f: {} for f in FIELDS})

    def add(self, field_name: str, value: str, evidence: str, chunk_id: str) -> None:
        value = " ".join(value.split()).strip(" .;,")
        if not value:
            return
        item = self.items[field_name].setdefault(value.lower(), Item(value, evidence.strip()))
        if chunk_id not in item.chunk_ids:
            item.chunk_ids.append(chunk_id)


def _section_of(heading: str) -> str | None:
    for name, keys in SECTIONS.items():
        if any(k in heading for k in keys):
            return name
    return None


def _ordered_lines(hits: Sequence[SearchHit]) -> list[tuple[str, str, str]]:
    """(document, chunk id, line) in document order; the overlap between consecutive chunks of a
    document is read once (a line seen at the end of one chunk is skipped in the next)."""
    by_doc: dict[str, list[SearchHit]] = {}
    for hit in hits:
        by_doc.setdefault(str(hit.metadata.get("doc_id", hit.chunk_id)), []).append(hit)
    lines: list[tuple[str, str, str]] = []
    for doc, doc_hits in by_doc.items():
        seen: set[str] = set()
        unique = {h.chunk_id: h for h in doc_hits}.values()
        for hit in sorted(unique, key=lambda h: int(h.metadata.get("position", 0) or 0)):
            for line in hit.text.splitlines():
                if line.strip() and line not in seen:
                    seen.add(line)
                    lines.append((doc, hit.chunk_id, line))
    return lines


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def _problem_items(text: str) -> list[str]:
    """Positive problems in a problem-section line: items of sentences with no trigger."""
    items = []
    # A negation reaches to the end of its clause: "HTN, HLD, GERD; no history of diabetes" keeps
    # the first clause, while "No fever, chills, or cough" drops the whole list.
    clauses = [c for sentence in _sentences(_BULLET.sub("", text)) for c in sentence.split(";")]
    for clause in clauses:
        if _NEGATION.search(clause) or _EXPERIENCER.search(clause):
            continue
        for part in clause.split(","):
            part = part.strip(" .")
            if part and not _PENDING.match(part) and not _STATUS.match(part):
                items.append(part[0].lower() + part[1:] if part[:2].istitle() and not _eponym_start(part) else part)
    return items


def _eponym_start(text: str) -> bool:
    """'Parkinson disease', 'Crohn disease': a capital that is part of the name of the disease."""
    return bool(re.match(r"^[A-Z][a-z]+ (?:disease|syndrome|palsy|lymphoma|sign)\b", text))


def extract(hits: Sequence[SearchHit]) -> Extraction:
    out = Extraction()
    section: dict[str, str | None] = {}
    for doc, chunk_id, line in _ordered_lines(hits):
        heading = _HEADING.match(line.strip())
        text = line.strip()
        label = _LABEL.match(text)
        soap = _SOAP.match(text)
        if soap:
            section[doc] = SOAP_SECTIONS[soap.group("h")]
            text = text[soap.end():].strip()
        elif heading:
            section[doc] = _section_of(heading.group("h"))
            text = heading.group("rest").strip()
        elif label and (named := _section_of(label.group(0)[:-1].upper())) is not None:
            section[doc] = named  # "Allergies: ...", "Medications:": many EHRs write headings in title case
            text = text[label.end():].strip()
        elif label:  # "Dictated by: ...", "cc: ...": a field of its own ends the section
            section[doc] = None
        elif (_BARE_HEADING.match(text) or text.lower() in _TITLE_HEADINGS) and (
                bare := _section_of(text.upper())) is not None:
            section[doc] = bare
            text = ""
        for name, regex in _VITALS.items():
            for found in regex.finditer(line):
                out.add("vitals", f"{name} {found.group(1)}", line, chunk_id)
        current = section.get(doc)
        if current != "follow_up":
            for found in _FOLLOW_UP.finditer(text):
                out.add("follow_up", found.group(0)[0].lower() + found.group(0)[1:], text, chunk_id)
        if not text or current is None:
            continue
        if current == "problems":
            for item in _problem_items(text):
                out.add("problems", item, text, chunk_id)
        elif current == "medications":
            if "|" in text:  # a table row, "Warfarin | 5 mg | PO | daily": its cells in order
                text = " ".join(cell.strip() for cell in text.split("|") if cell.strip())
            for part in _MEDICATION_SPLIT.split(_BULLET.sub("", text)):  # one per line, or several inline
                if med := _MEDICATION.match(part.strip()):
                    value = " ".join(m.strip() for m in (med["name"], med["dose"], med["route"], med["freq"]) if m)
                    out.add("medications", value.lower(), text, chunk_id)
        elif current == "allergies":
            if text and not _BULLET.match(text):  # "Allergies: X" on one line, or a line after the list
                section[doc] = None  # what follows is another section's
                if not (heading or label):
                    continue  # a line after the list: no item of it
            if _NKDA.search(text):
                out.add("allergies", "NKDA", text, chunk_id)
            else:
                for part in re.split(r"[;,]", _BULLET.sub("", text)):
                    substance = _REACTION.sub("", part).strip(" .")
                    if substance:
                        out.add("allergies", substance.lower(), text, chunk_id)
        elif current == "plan":
            step = _BULLET.sub("", text)
            if step and not _NEGATION.match(step):
                out.add("plan", step, text, chunk_id)
        elif current == "follow_up":
            section[doc] = None
            out.add("follow_up", text[0].lower() + text[1:] if text[:1].isupper() else text, text, chunk_id)
    return out

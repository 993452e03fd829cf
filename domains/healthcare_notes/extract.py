"""Deterministic extraction of a structured summary from retrieved note chunks, with negation.

Why sections and NegEx-style triggers: clinical notes say what a patient does *not* have as often
as what they have ("denies chest pain", "no history of diabetes", "mother had breast cancer").
Problems are read only from sections that list the patient's problems (assessment, diagnoses,
impression, past medical history, indication), and within them any item after a negation trigger
in its clause, in a clause with a relative as its subject, or a pending work-up ("evaluate for") is
dropped ("without"/"not" after a problem only qualify it: "CAD without angina").
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
# Triggers written after the finding they negate ("Pulmonary embolism was ruled out"): they drop
# their own item, unlike the triggers above, which negate only what follows them.
_POST_NEGATION = re.compile(r"\b(?:ruled out|excluded|unlikely)\b", re.I)
# A sentence about the patient ("She has no history of ...") leaves a subject, not a problem, before its trigger.
_SUBJECT = re.compile(r"^(?:the )?(?:patient|pt|she|he|they)\b", re.I)
_EXPERIENCER = re.compile(r"\b(?:mother|father|sister|brother|son|daughter|aunt|uncle|grandmother|grandfather|"
                          r"family history|relative)\b", re.I)
_PENDING = re.compile(r"^(?:evaluate for|evaluation for|rule out|r/o|possible|suspected|concern for)\b", re.I)
# Electrolytes are dosed in mEq/mmol, vitamins and insulin in IU/units; a dose per weight or volume
# ("1 mg/kg", "100 unit/mL") is one dose, not a dose followed by a frequency; "24-26 mg" is a combination's.
_DOSE = r"\d(?:[\d/.,]|-(?=\d))*\s*(?:mg|mcg|g|units?|mL|mEq|mmol|IU|%)(?:/(?:kg|mL|hr?)\b)?"
# Route and frequency are optional: "aspirin 81 mg daily" and "Aspirin 81 mg." are medications too. A
# frequency may hold a decimal ("daily except 2.5 mg Mon/Thu", as warfarin is written): only a final "." ends it.
_MEDICATION = re.compile(
    rf"^(?P<name>[A-Za-z][A-Za-z -]*?)\s+(?P<dose>{_DOSE})(?:\s+(?P<route>PO|IV|IM|SC|SQ|SL|PR|inhaled|topical|"
    r"transdermal)\b)?(?:\s*(?P<freq>(?:[^.]|\.(?=\d))+?))?\.?$", re.I)
# Several medications on one line: "; " between them, or ", " before the next name and dose.
_MEDICATION_SPLIT = re.compile(rf";|,\s*(?=[A-Za-z][A-Za-z -]*\s+{_DOSE})", re.I)
_VITALS = {
    "bp": re.compile(r"\bBP:?\s*(\d{2,3}/\d{2,3})"),
    "hr": re.compile(r"\b(?:HR|pulse):?\s*(\d{2,3})\b", re.I),
    "rr": re.compile(r"\bRR:?\s*(\d{1,2})\b"),
    "temp": re.compile(r"\bT(?:emp)?:?\s*(\d{2,3}\.\d)\s*F?\b"),
    "spo2": re.compile(r"\bSpO2:?\s*(\d{2,3})\s*%"),
}
# A qualifier in parentheses may sit before the colon: "Home meds (per pt list):".
_LABEL = re.compile(r"^(?P<l>[A-Za-z][A-Za-z /-]{1,40}?)[ \t]*(?:\([^)]*\)[ \t]*)?:")
# A heading on a line of its own without a colon, as EHR exports print them: in capitals
# ("MEDICATIONS"), or one of the usual headings in title case ("Past Medical History").
_BARE_HEADING = re.compile(r"^[A-Z][A-Z /&()-]{2,40}$")
_TITLE_HEADINGS = frozenset({
    "allergies", "allergy", "medications", "current medications", "home medications", "meds", "diagnoses",
    "diagnosis", "assessment", "impression", "problem list", "problems", "past medical history", "indication",
    "plan", "assessment and plan", "recommendations", "follow-up", "follow up"})
# ... also after the qualifiers EHRs put before them: "Current Outpatient Medications", "Active Problem List".
_HEADING_QUALIFIER = re.compile(r"^(?:(?:current|active|home|outpatient|inpatient|discharge|admission)\s+)+", re.I)
# Epic prints list items as "  . Penicillins": a dot is a bullet too.
_BULLET = re.compile(r"^\s*(?:[-*•·.]|\d+[.)])\s*")
# Table cells: "|" between them, or (plain-text exports) two or more spaces or a tab.
_CELLS = re.compile(r"\s*\|\s*|[ \t]*\t[ \t]*| {2,}")
# A table's header row names its columns and is no item; the action column of a medication
# reconciliation says whether the row is still taken.
_COLUMN_NAMES = frozenset({"medication", "medications", "drug", "name", "dose", "route", "frequency", "sig", "dispense",
                           "refill", "refills", "last dose", "action", "allergen", "allergies", "reaction", "reactions",
                           "severity", "substance"})
_STOPPED = re.compile(r"^(?:discontinued?|d/c|stop(?:ped)?|hold|held)\b", re.I)
# What an Epic sig says for the route ("Take 1 tablet by mouth daily"): the rest after it is the frequency.
_SIG_ROUTES = (("by mouth", "PO"), ("orally", "PO"), ("under the skin", "SC"), ("subcutaneously", "SC"),
               ("intravenously", "IV"), ("into the lungs", "inhaled"), ("inhale", "inhaled"), ("on the skin", "topical"))
# The dosage form after the strength in an Epic medication cell: the product, not the frequency.
_FORM = re.compile(r"\s+(?:tablet|capsule|injection|solution|suspension|inhaler|patch|cream|ointment|pen)s?\b.*$", re.I)
# Closing lines end the note's last section; a signature is never an item ("Electronically signed by ...",
# "Yours sincerely", a name with a credential, "MD at 08/24/2025 10:15 AM").
# Credentials are matched case-sensitively so that "to do" or "rn" in a sentence is no signature.
_SIGNATURE = re.compile(
    r"^(?i:electronically signed|signed by|yours (?:sincerely|faithfully|truly)|sincerely|kind regards|best regards)\b"
    r"|^(?:Dr\.? )?[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*,? (?:MD|DO|RN|NP|PA-C|PharmD|MBBS|FRCP|FRCPC|CCFP)\b"
    r"|^(?:MD|DO|RN|NP|PA-C|PharmD) (?:at )?\d{1,2}/\d{1,2}/\d{2,4}")
_NKDA = re.compile(r"\b(?:NKDA|NKA|no known (?:drug )?allergies)\b", re.I)
# What a note writes after the substance: the reaction ("Penicillin - anaphylaxis", "Sulfa: rash").
# Columns ("Penicillins    Rash") and "Vancomycin: red man syndrome" separate the reaction too.
_REACTION = re.compile(r"\(.*?\)|\s+[-–]\s.*$|\s*:\s.*$|(?: {2,}|\t).*$")
# A status written after a problem ("Type 2 diabetes mellitus, uncontrolled."): part of it, no problem of its own.
# Several may follow each other ("moderate persistent"), and a code may close them ("(J45.40)").
_STATUS_WORD = (r"(?:(?:well|poorly|un)?[- ]?controlled|stable|improv(?:ed|ing)|worsening|resolv(?:ed|ing)|unchanged|"
                r"chronic|acute|mild|moderate|severe|active|new|recurrent|compensated|decompensated|persistent|"
                r"intermittent|(?:under|over)treated|at goal)")
_STATUS = re.compile(rf"^{_STATUS_WORD}(?:[ ,]+{_STATUS_WORD})*(?:\s*\([^)]*\))?$", re.I)
# SOAP notes label their parts with letters: the assessment lists problems, the plan the steps;
# "A/P" lines pair a problem with its step ("1. Hypertension - increase lisinopril"): read as steps.
_SOAP = re.compile(r"^(?P<h>S|O|A|P|A/P|A&P)[ \t]*:[ \t]*")
SOAP_SECTIONS: dict[str, str | None] = {"S": None, "O": None, "A": "problems", "P": "plan", "A/P": "plan", "A&P": "plan"}
# A follow-up written as a sentence rather than under a heading ("Follow-up in 3 months.").
# "Return in about 3 months", "Review in clinic in 8 weeks": the verbs other EHRs and countries use.
_FOLLOW_UP = re.compile(r"\b(?:follow[- ]?up|f/u|return(?: to clinic)?|RTC|review)\b[^.;]*?\b(?:in|within)[ \t]+"
                        r"(?:about[ \t]+|approximately[ \t]+|~)?\d+(?:[ \t]*-[ \t]*\d+)?"
                        r"[ \t]*(?:days?|weeks?|wks?|months?|mos?|years?)\b", re.I)
SECTIONS = {
    "allergies": ("ALLERG",),
    "medications": ("MEDICATION", "MEDS"),
    "problems": ("DIAGNOS", "ASSESSMENT", "IMPRESSION", "PROBLEM", "PAST MEDICAL HISTORY", "PMH", "INDICATION"),
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
    found = [name for name, keys in SECTIONS.items() if any(k in heading for k in keys)]
    # "Assessment/Plan", "ASSESSMENT AND PLAN": one heading over the problems and the steps for them.
    if "problems" in found and "plan" in found:
        return "assessment_plan"
    return found[0] if found else None


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


def _lower_first(text: str) -> str:
    """'Follow-up in 3 months' reads 'follow-up ...' in a list; an acronym ('PCP in 2 weeks') keeps its capitals."""
    return text[0].lower() + text[1:] if text[:2].istitle() else text


def _problem_items(text: str) -> list[str]:
    """Positive problems in a problem-section line.

    A trigger negates what follows it to the end of its clause ("No fever, chills, or cough";
    "HTN, HLD, GERD; no history of diabetes" keeps the first clause). Written after a problem,
    "without"/"not" only qualify it ("Diabetes mellitus type 2 without complications", "Asthma, not
    well controlled"), while other triggers there leave a subject or a test ("CTA negative for
    dissection", "She denies ..."), and "ruled out" drops the problem it follows.
    """
    items = []
    clauses = [c for sentence in _sentences(_BULLET.sub("", text)) for c in sentence.split(";")]
    for clause in clauses:
        if _EXPERIENCER.search(clause):
            continue
        for part in clause.split(","):
            part = part.strip(" .")
            if _POST_NEGATION.search(part):
                continue
            trigger = _NEGATION.search(part)
            if trigger and _STATUS.match(part[trigger.end():].strip(" .")):
                continue  # "not well controlled": the status of the problem before it
            if trigger:
                qualifier = trigger.start() > 0 and trigger.group(0).lower() in ("without", "not")
                part = part[:trigger.start()].strip(" .") if qualifier else ""
            if part and not _PENDING.match(part) and not _STATUS.match(part) and not _SUBJECT.match(part):
                items.append(part if _eponym_start(part) else _lower_first(part))
            if trigger:
                break  # the negation reaches to the end of the clause
    return items


def _eponym_start(text: str) -> bool:
    """'Parkinson disease', 'Crohn disease': a capital that is part of the name of the disease."""
    return bool(re.match(r"^[A-Z][a-z]+ (?:disease|syndrome|palsy|lymphoma|sign)\b", text))


def _cells(text: str) -> list[str]:
    return [c for c in _CELLS.split(_BULLET.sub("", text)) if c.strip()]


def _with_sig(product: str, sig: str) -> str:
    """'metoprolol succinate ER 25 mg tablet' + 'Take 1 tablet by mouth daily.' -> '... 25 mg PO daily'."""
    lowered = sig.lower()
    phrase, route = next(((p, r) for p, r in _SIG_ROUTES if p in lowered), ("", ""))
    frequency = re.sub(r"\([^)]*\)", "", sig[lowered.index(phrase) + len(phrase):]) if phrase else ""
    return " ".join(f"{_FORM.sub('', product)} {route} {frequency}".split()).strip(" .")


def _medication_row(cells: list[str], columns: list[str]) -> str | None:
    """The medication text of a table row (its cells read by the header's column names when the
    header was seen), or None for a row whose action says it is no longer taken."""
    named = dict(zip(columns, cells)) if len(columns) == len(cells) else {}
    if any(_STOPPED.match(c) for c in ([named["action"]] if "action" in named else cells[1:])):
        return None
    product = named.get("medication") or named.get("drug") or named.get("name") or cells[0]
    # Without a header, a sig is the cell that says how to take the drug; with one, only its "Sig" column
    # (a "Route" cell reading "inhaled" is no sig).
    sig = named.get("sig") if named else next((c for c in cells[1:] if any(p in c.lower() for p, _ in _SIG_ROUTES)),
                                              None)
    if sig:
        return _with_sig(product, sig)
    if named:  # "Last dose", "Action": columns that are not part of the medication
        return " ".join(c for col, c in named.items() if col in ("medication", "drug", "name", "dose", "route",
                                                                 "frequency"))
    return " ".join(cells)


def extract(hits: Sequence[SearchHit]) -> Extraction:
    out = Extraction()
    section: dict[str, str | None] = {}
    columns: dict[str, list[str]] = {}
    for doc, chunk_id, line in _ordered_lines(hits):
        heading = _HEADING.match(line.strip())
        text = line.strip()
        if _SIGNATURE.match(text):
            section[doc] = None
            continue
        label = _LABEL.match(text)
        soap = _SOAP.match(text)
        if soap:
            section[doc] = SOAP_SECTIONS[soap.group("h")]
            text = text[soap.end():].strip()
        elif heading:
            section[doc] = _section_of(heading.group("h"))
            text = heading.group("rest").strip()
        elif label and (named := _section_of(label.group("l").upper())) is not None:
            section[doc] = named  # "Allergies: ...", "Medications:": many EHRs write headings in title case
            text = text[label.end():].strip()
        elif label:  # "Dictated by: ...", "cc: ...": a field of its own ends the section
            section[doc] = None
        elif (_BARE_HEADING.match(text) or _HEADING_QUALIFIER.sub("", text.lower()) in _TITLE_HEADINGS) and (
                bare := _section_of(text.upper())) is not None:
            section[doc] = bare
            text = ""
        for name, regex in _VITALS.items():
            for found in regex.finditer(line):
                out.add("vitals", f"{name} {found.group(1)}", line, chunk_id)
        current = section.get(doc)
        if current != "follow_up":
            for found in _FOLLOW_UP.finditer(text):
                out.add("follow_up", _lower_first(found.group(0)), text, chunk_id)
        cells = _cells(text)
        if len(cells) > 1 and all(c.strip().lower() in _COLUMN_NAMES for c in cells):
            # A header row names the columns below; a table of medications or allergies is that section
            # even when no heading precedes it (a reconciliation form's table after its header fields).
            columns[doc] = [c.strip().lower() for c in cells]
            section[doc] = {"medication": "medications", "drug": "medications", "allergen": "allergies",
                            "substance": "allergies"}.get(columns[doc][0], current)
            continue
        if not text or current is None:
            continue
        if current == "problems":
            for item in _problem_items(text):
                out.add("problems", item, text, chunk_id)
        elif current == "assessment_plan":
            # A numbered line names a problem, with its step after " - ", ";" or ": "; a line under it
            # ("  - increase lisinopril") is a step for it.
            numbered = re.match(r"^\d+[.)]\s*", text)
            problem, _, steps = (re.split(r"(\s+[-–]\s+|;\s*|:\s+)", text[numbered.end():], maxsplit=1) + ["", ""])[:3] \
                if numbered else ("", "", _BULLET.sub("", text))
            for item in _problem_items(problem):
                out.add("problems", item, text, chunk_id)
            for step in steps.split(";"):
                step = step.strip()
                if step and not _NEGATION.match(step):
                    out.add("plan", step, text, chunk_id)
        elif current == "medications":
            if len(cells) > 1:  # a table row, "Warfarin | 5 mg | PO | daily", or an EHR's columns
                if (row := _medication_row(cells, columns.get(doc, []))) is None:
                    continue
                text = row
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
            out.add("follow_up", _lower_first(text), text, chunk_id)
    return out

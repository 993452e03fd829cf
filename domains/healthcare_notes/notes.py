"""Five kinds of clinical note written from a patient's facts, with every identifier's position.

Why a writer that records spans as it writes: the de-identification ground truth ("an MRN at
characters 48-56 of this note") is then exact, for every format the identifier was drawn in,
without a second parser that could share the redactor's blind spots.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from rightsized.domains.healthcare_notes.clinical import ClinicalFacts, Vitals, draw_vitals
from rightsized.domains.healthcare_notes.people import Patient, date_text, phone

NOTE_KINDS = ("history_and_physical", "soap_note", "discharge_summary", "consult_letter", "radiology_report")
TITLES = {"history_and_physical": "HISTORY AND PHYSICAL", "soap_note": "PROGRESS NOTE (SOAP)",
          "discharge_summary": "DISCHARGE SUMMARY", "consult_letter": "CONSULTATION LETTER",
          "radiology_report": "RADIOLOGY REPORT"}
# Clinical words that look like names: a de-identifier must leave them (precision).
EPONYM_LINES = ("Foley catheter removed without difficulty.", "Negative Babinski sign bilaterally.",
                "Murphy sign negative.", "No Homan sign.", "Romberg test negative.")


@dataclass
class NoteText:
    """Text written piece by piece; `phi` holds (kind, start, end, value) of every identifier."""

    parts: list[str] = field(default_factory=list)
    phi: list[dict[str, Any]] = field(default_factory=list)
    length: int = 0

    def add(self, *pieces: str | tuple[str, str]) -> NoteText:
        """Plain strings, or (kind, value) pairs for identifiers."""
        for piece in pieces:
            if isinstance(piece, tuple):
                kind, value = piece
                self.phi.append({"kind": kind, "start": self.length, "end": self.length + len(value), "value": value})
                piece = value
            self.parts.append(piece)
            self.length += len(piece)
        return self

    def line(self, *pieces: str | tuple[str, str]) -> NoteText:
        return self.add(*pieces, "\n")

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Note:
    kind: str
    file_name: str
    text: str
    phi: list[dict[str, Any]]
    facts: dict[str, Any]  # the note's ground truth: what its summary must hold
    traps: list[str]       # eponyms planted for precision


def _age_phrase(note: NoteText, p: Patient, rng: random.Random) -> None:
    if p.age <= 89:
        note.add(f"{p.age}-year-old")
    else:
        style = rng.randrange(3)
        note.add(("AGE", str(p.age)), ["-year-old", " y/o", "-year-old"][style])


def _header(note: NoteText, p: Patient, when: date, rng: random.Random) -> None:
    style = rng.randrange(2)
    if style == 0:
        note.line("Patient: ", ("NAME", p.name), "    DOB: ", ("DATE", date_text(p.birth_date, rng.randrange(7))))
    else:
        note.line("Patient Name: ", ("NAME", f"{p.last.upper()}, {p.first.upper()}"),
                  "    Date of birth: ", ("DATE", date_text(p.birth_date, rng.randrange(7))))
    note.line("MRN: ", ("MRN", p.mrn), "    Account #: ", ("ACCOUNT", p.account))
    note.line("Date of service: ", ("DATE", date_text(when, rng.randrange(7))))


def _contact(note: NoteText, p: Patient, rng: random.Random) -> None:
    note.add("Address: ", ("ADDRESS", p.street + (f", {p.unit}" if p.unit else "")), ", ",
             ("CITY", p.city), f", {p.state} ", ("ZIP", p.zip_code), ". ")
    note.line("Phone ", ("PHONE", p.phone), ". Email: ", ("EMAIL", p.email), ".")
    note.line("SSN: ", ("SSN", p.ssn), ". Insurance member ID: ", ("HEALTH_PLAN", p.member_id), ".")


def _signature(note: NoteText, who: Any, rng: random.Random, fax: str) -> None:
    note.line("Electronically signed by: ", ("NAME", who.name), f", {who.credential}")
    note.line("NPI: ", ("LICENSE", who.npi), "    Fax: ", ("FAX", fax))


def _vitals(note: NoteText, vitals: Vitals) -> None:
    note.line("VITALS: ", vitals.line, ".")


def _meds(note: NoteText, facts: ClinicalFacts, heading: str = "MEDICATIONS") -> None:
    note.line(f"{heading}:")
    for med in facts.medications:
        note.line(f"- {med.line}")


def _allergies(note: NoteText, facts: ClinicalFacts) -> None:
    if facts.allergies:
        note.line("ALLERGIES: ", "; ".join(f"{a} ({r})" for a, r in facts.allergies), ".")
    else:
        note.line("ALLERGIES: NKDA.")


def _negations(note: NoteText, p: Patient, facts: ClinicalFacts) -> None:
    note.add(f"{p.pronoun} denies {facts.denied[0]} and {facts.denied[1]}. ")
    note.add(f"No history of {facts.negated[0]}. {facts.negated[1].capitalize()} was ruled out. ")


def write_note(kind: str, p: Patient, facts: ClinicalFacts, when: date, rng: random.Random) -> Note:
    note = NoteText()
    note.line(TITLES[kind])
    _header(note, p, when, rng)
    vitals = draw_vitals(rng)
    truth: dict[str, Any] = {"problems": [], "medications": [], "allergies": [], "vitals": [], "plan": [],
                             "follow_up": []}
    traps: list[str] = []
    clinic_fax = phone(rng)
    if kind == "history_and_physical":
        note.add("HISTORY OF PRESENT ILLNESS: ", p.title, " ", ("NAME", p.last), " is a ")
        _age_phrase(note, p, rng)
        note.add(f" {'man' if p.sex == 'M' else 'woman'} admitted on ", ("DATE", date_text(when, rng.randrange(7))),
                 f" with worsening {facts.problems[0]}. ")
        _negations(note, p, facts)
        note.line(f"{p.pronoun} is accompanied by {p.possessive} {p.relative}, ", ("NAME", p.relative_name), ".")
        history = ", ".join(facts.problems)
        note.line("PAST MEDICAL HISTORY: ", history[0].upper() + history[1:], ". No history of ",
                  facts.negated[0], ".")
        _meds(note, facts)
        _allergies(note, facts)
        relative, condition = facts.family[0]
        note.line(f"FAMILY HISTORY: {relative} had {condition}.")
        note.line(f"SOCIAL HISTORY: Lives in ", ("CITY", p.city), f" with {p.possessive} {p.relative}. Drives; "
                  "license plate ", ("LICENSE_PLATE", p.plate), ".")
        _contact(note, p, rng)
        _vitals(note, vitals)
        note.line("ASSESSMENT:")
        for i, problem in enumerate(facts.problems, 1):
            note.line(f"{i}. {problem[0].upper() + problem[1:]}.")
        note.line("PLAN:")
        for step in facts.plan:
            note.line(f"- {step}.")
        note.line(f"FOLLOW-UP: {facts.follow_up[0].upper() + facts.follow_up[1:]}.")
        _signature(note, p.attending, rng, clinic_fax)
        truth.update(problems=list(facts.problems), medications=[m.key for m in facts.medications],
                     allergies=facts.allergy_items, plan=list(facts.plan), follow_up=[facts.follow_up])
    elif kind == "soap_note":
        note.add("SUBJECTIVE: ", p.title, " ", ("NAME", p.last), " returns for follow-up of ",
                 f"{facts.problems[0]}. ")
        _negations(note, p, facts)
        note.line(f"{p.possessive.capitalize()} {p.relative} ", ("NAME", p.relative_name.split()[0]),
                  " can be reached at ", ("PHONE", phone(rng)), ".")
        note.add("OBJECTIVE: ")
        _vitals(note, vitals)
        trap = rng.choice(EPONYM_LINES)
        traps.append(trap)
        note.line(trap)
        _meds(note, facts)
        _allergies(note, facts)
        note.line("ASSESSMENT: ", "; ".join(facts.problems), ".")
        note.line("PLAN:")
        for step in facts.plan:
            note.line(f"- {step}.")
        note.line(f"FOLLOW-UP: {facts.follow_up[0].upper() + facts.follow_up[1:]}.")
        note.line("Patient portal: ", ("URL", p.portal_url), " (last login from ", ("IP_ADDRESS", p.ip_address), ").")
        _signature(note, p.pcp, rng, clinic_fax)
        truth.update(problems=list(facts.problems), medications=[m.key for m in facts.medications],
                     allergies=facts.allergy_items, plan=list(facts.plan), follow_up=[facts.follow_up])
    elif kind == "discharge_summary":
        discharged = when + timedelta(days=rng.randint(2, 6))
        note.line("Admission date: ", ("DATE", date_text(when, rng.randrange(7))), "    Discharge date: ",
                  ("DATE", date_text(discharged, rng.randrange(7))))
        note.line("Attending: Dr. ", ("NAME", p.attending.name))
        note.line("DISCHARGE DIAGNOSES:")
        for i, problem in enumerate(facts.problems, 1):
            note.line(f"{i}. {problem[0].upper() + problem[1:]}")
        note.add("HOSPITAL COURSE: ", p.title, " ", ("NAME", p.last), ", a ")
        _age_phrase(note, p, rng)
        note.add(f", was treated for {facts.problems[0]}. ")
        _negations(note, p, facts)
        note.line(f"A pacemaker was interrogated (serial number ", ("DEVICE_ID", p.device_serial), ").")
        _vitals(note, vitals)
        _meds(note, facts, "DISCHARGE MEDICATIONS")
        _allergies(note, facts)
        note.line(f"FOLLOW-UP: {facts.follow_up[0].upper() + facts.follow_up[1:]}.")
        note.line("cc: Dr. ", ("NAME", p.pcp.name), ", fax ", ("FAX", clinic_fax))
        _contact(note, p, rng)
        _signature(note, p.attending, rng, phone(rng))
        truth.update(problems=list(facts.problems), medications=[m.key for m in facts.medications],
                     allergies=facts.allergy_items, follow_up=[facts.follow_up])
    elif kind == "consult_letter":
        note.line("Dear Dr. ", ("NAME", p.pcp.last), ",")
        note.add(f"Thank you for asking me to see your patient, ", p.title, " ", ("NAME", p.name), ", a ")
        _age_phrase(note, p, rng)
        note.add(f", in {p.specialty} consultation on ", ("DATE", date_text(when, rng.randrange(7))),
                 f" regarding {facts.problems[-1]}. ")
        _negations(note, p, facts)
        relative, condition = facts.family[0]
        note.line(f"{relative} had {condition}.")
        note.line("IMPRESSION: ", "; ".join(facts.problems), ".")
        note.line("RECOMMENDATIONS:")
        for step in facts.plan:
            note.line(f"- {step}.")
        _meds(note, facts, "CURRENT MEDICATIONS")
        _allergies(note, facts)
        note.line(f"FOLLOW-UP: {facts.follow_up[0].upper() + facts.follow_up[1:]}.")
        note.line("Sincerely,")
        note.line(("NAME", p.consultant.name), f", {p.consultant.credential}")
        note.line("Phone ", ("PHONE", phone(rng)), "  Email ", ("EMAIL", f"{p.consultant.last.lower().replace(chr(39), '')}"
                  f"@example-clinic.org"), "  DEA # ", ("LICENSE", p.consultant.dea))
        truth.update(problems=list(facts.problems), medications=[m.key for m in facts.medications],
                     allergies=facts.allergy_items, plan=list(facts.plan), follow_up=[facts.follow_up])
    else:  # radiology_report
        note.line("EXAM: CT chest with contrast.")
        note.line("ORDERING PHYSICIAN: Dr. ", ("NAME", p.attending.name))
        note.line(f"INDICATION: {facts.problems[0][0].upper() + facts.problems[0][1:]}; evaluate for pulmonary embolism.")
        note.line("COMPARISON: Prior study dated ", ("DATE", date_text(when - timedelta(days=rng.randint(60, 400)),
                                                                        rng.randrange(7))), ".")
        note.line("FINDINGS: No evidence of pulmonary embolism. No pleural effusion. Heart size is normal.")
        note.line("Images transmitted from workstation ", ("IP_ADDRESS", p.ip_address), "; report available at ",
                  ("URL", f"https://pacs.example-health.org/study/{rng.randint(100000, 999999)}"), ".")
        note.line("IMPRESSION: No acute cardiopulmonary process.")
        note.line("Dictated by: ", ("NAME", p.radiologist.name), f", {p.radiologist.credential}")
        truth.update(problems=[facts.problems[0]])
    if kind in ("history_and_physical", "soap_note", "discharge_summary"):
        truth["vitals"] = sorted(vitals.items())
    return Note(kind, kind, note.text, note.phi, truth, traps)

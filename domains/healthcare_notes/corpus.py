"""The deterministic sample corpus: synthetic patients' notes (PDF and text) with ground truth.

Layout under `out_dir`:
- `documents/patient_NNN/<note kind>.txt|.pdf`: three notes per patient, kinds rotating through
  history and physical, SOAP note, discharge summary, consult letter and radiology report; one
  note of each patient is a PDF.
- `gold.jsonl`: per patient a `summarize` case (the union of its notes' facts) and an `ask` case
  (every second one unanswerable), and a `deidentify` case per text note (identifier spans).
- `phi.jsonl`: every planted identifier (note, kind, value, span in the note's text) and the
  eponym lines planted for precision: what the zero-leak scan looks for.

`n` is the number of summarize + ask cases (n/2 patients, at least one); the same seed writes
the same bytes.
"""
from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rightsized.domains.base import Corpus, GoldCase, write_gold
from rightsized.domains.healthcare_notes.clinical import UNANSWERABLE, ClinicalFacts, draw_facts
from rightsized.domains.healthcare_notes.leaks import digests
from rightsized.domains.healthcare_notes.notes import NOTE_KINDS, Note, write_note
from rightsized.domains.healthcare_notes.pdfs import write_pdf
from rightsized.domains.healthcare_notes.scoring import alnum_parts
from rightsized.domains.healthcare_notes.people import Patient, make_patient

DOMAIN = "healthcare_notes"
REFERENCE = date(2026, 6, 1)
NOT_FOUND = "not found in the notes"
# Identifier kinds the zero-leak scan checks verbatim everywhere (stored chunks, prompts, outputs,
# run files, logs).
LEAK_KINDS = ("NAME", "SSN", "MRN", "PHONE", "FAX", "EMAIL")


def patient_notes(index: int, seed: int) -> tuple[Patient, ClinicalFacts, list[Note]]:
    rng = random.Random(f"{seed}:{index}")
    patient = make_patient(index, rng, REFERENCE)
    facts = draw_facts(rng)
    first_visit = REFERENCE - timedelta(days=rng.randint(30, 700))
    notes = []
    for j in range(3):
        kind = NOTE_KINDS[(index + j) % len(NOTE_KINDS)]
        notes.append(write_note(kind, patient, facts, first_visit + timedelta(days=21 * j), rng))
    return patient, facts, notes


def leak_values(patient: Patient, notes: list[Note]) -> list[str]:
    """The planted strings that must never appear anywhere outside the source documents."""
    values = {p["value"] for note in notes for p in note.phi if p["kind"] in LEAK_KINDS}
    values.update({patient.first, patient.last, patient.ssn, patient.mrn, patient.email,
                   patient.mrn.removeprefix("MRN-"), patient.ssn.replace("-", "")})
    return sorted(v for v in values if len(v) >= 3)


def _summary_truth(notes: list[Note]) -> dict[str, list[str]]:
    merged: dict[str, set[str]] = {}
    for note in notes:
        for key, items in note.facts.items():
            merged.setdefault(key, set()).update(items)
    return {key: sorted(items) for key, items in merged.items()}


def _ask_case(index: int, patient: Patient, facts: ClinicalFacts, rng: random.Random) -> tuple[str, dict[str, Any]]:
    """Every second patient gets a question no note answers; the others rotate through
    a medication's dose, the allergies and the follow-up."""
    if index % 2 == 1:
        return rng.choice(UNANSWERABLE), {"not_found": True, "answer": NOT_FOUND, "must_contain": []}
    kind = (index // 2) % 3
    if kind == 0:
        med = facts.medications[0]
        return (f"What dose of {med.name} is the patient taking?",
                {"not_found": False, "answer": med.line, "must_contain": [med.dose, med.frequency]})
    if kind == 1:
        return ("What is the patient allergic to?",
                {"not_found": False, "answer": ", ".join(facts.allergy_items),
                 "must_contain": [a for a in facts.allergy_items]})
    return ("When should the patient follow up?",
            {"not_found": False, "answer": facts.follow_up, "must_contain": [facts.follow_up.split(" in ")[-1]]})


def build_corpus(out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
    documents = out_dir / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    gold: list[GoldCase] = []
    phi_rows: list[dict[str, Any]] = []
    for index in range(max(1, (n + 1) // 2)):
        patient, facts, notes = patient_notes(index, seed)
        folder = documents / patient.patient_id
        folder.mkdir(exist_ok=True)
        leaks = digests(leak_values(patient, notes))
        for j, note in enumerate(notes):
            as_pdf = j == index % 3
            relative = f"{patient.patient_id}/{note.file_name}.{'pdf' if as_pdf else 'txt'}"
            if as_pdf:
                write_pdf(documents / relative, note.text)
            else:
                (documents / relative).write_text(note.text, encoding="utf-8")
                gold.append(GoldCase(
                    case_id=f"deid_{patient.patient_id}_{note.kind}", domain=DOMAIN, task="deidentify",
                    input={"note": relative}, expected={
                        "phi": [{"kind": p["kind"], "start": p["start"], "end": p["end"],
                                 "parts": alnum_parts(note.text, p["start"], p["end"])} for p in note.phi],
                        "traps": [[note.text.index(t), note.text.index(t) + len(t)] for t in note.traps],
                        "leak_digests": leaks},
                    tags=("synthetic", "deidentify", note.kind)))
            phi_rows += [{"note": relative, **p} for p in note.phi]
            phi_rows += [{"note": relative, "kind": "TRAP", "value": t} for t in note.traps]
        rng = random.Random(f"{seed}:{index}:ask")
        gold.append(GoldCase(
            case_id=f"summarize_{patient.patient_id}", domain=DOMAIN, task="summarize",
            input={"notes": patient.patient_id}, expected={**_summary_truth(notes), "leak_digests": leaks},
            tags=("synthetic", "summarize")))
        question, expected = _ask_case(index, patient, facts, rng)
        gold.append(GoldCase(
            case_id=f"ask_{patient.patient_id}", domain=DOMAIN, task="ask",
            input={"notes": patient.patient_id, "question": question}, expected={**expected, "leak_digests": leaks},
            tags=("synthetic", "ask", "not_found" if expected["not_found"] else "answerable")))
    write_gold(gold, out_dir / "gold.jsonl")
    (out_dir / "phi.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in phi_rows), encoding="utf-8")
    return Corpus(documents, gold)


def read_phi(out_dir: Path) -> list[dict[str, Any]]:
    """The planted identifiers written beside the gold file."""
    return [json.loads(line) for line in (out_dir / "phi.jsonl").read_text(encoding="utf-8").splitlines() if line]


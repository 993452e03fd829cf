"""`deidentify`: one note in, the note with its identifiers replaced out (the tool on its own).

Why a task of its own: the redactor that guards ingest and external prompts is the domain's most
important tool, so its recall and precision against planted identifiers are measured like any
other output (every tier runs the same deterministic tool: the rows match by design). The note
is read by the task itself (`input_file`), never embedded.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.healthcare_notes.leaks import count_leaks
from rightsized.domains.healthcare_notes.models import Deidentified, PhiSpan
from rightsized.domains.healthcare_notes.spans import Span
from rightsized.domains.healthcare_notes.scoring import tally
from rightsized.domains.inputs import input_file
from rightsized.ingest.loaders import load_document
from rightsized.pipelines.errors import ConfigError


class DeidentifyInput(BaseModel):
    note: Path = input_file("A clinical note (TXT, MD or PDF).")


class DeidentifyTask(Task[DeidentifyInput, Deidentified]):
    name = "deidentify"
    description = "Replace the HIPAA Safe Harbor identifiers of one note (typed placeholders, shifted dates, 90+, ZIP3)."
    input_model = DeidentifyInput
    result_model = Deidentified
    metrics = (
        MetricSpec("phi_recall", kind="ratio", primary=True, description="planted identifiers fully redacted"),
        MetricSpec("phi_precision", kind="ratio", description="redacted spans that are planted identifiers"),
        MetricSpec("eponyms_kept", kind="proportion",
                   description="clinical eponyms (Foley, Murphy sign...) left unredacted"),
        MetricSpec("phi_leaks", kind="mean", higher_is_better=False,
                   description="planted names, SSNs, MRNs, phones, faxes, e-mails left in the output"),
    )

    def run(self, ctx: TaskContext, inputs: DeidentifyInput) -> Deidentified:
        from rightsized.domains.healthcare_notes.redactor import PhiRedactor  # Presidio: only when run

        if not isinstance(ctx.redactor, PhiRedactor):
            raise ConfigError("deidentify needs the healthcare redactor")
        document = load_document(inputs.note, inputs.note.parent)
        text = "\n".join(section.text for section in document.sections)
        key = inputs.note.parent.name
        spans = ctx.redactor.detect(text)
        redaction = ctx.redactor.apply(text, spans, key=key)
        return Deidentified(note=inputs.note.name, text=redaction.text, found=redaction.found,
                            spans=[PhiSpan(kind=s.kind, start=s.start, end=s.end) for s in spans])

    def outcome(self, result: Deidentified) -> dict[str, Any]:
        return {"text": result.text, "found": result.found,
                "spans": [[s.kind, s.start, s.end] for s in result.spans]}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        planted = expected["phi"]
        if outcome is None:
            return {"phi_recall": (0.0, float(len(planted))), "phi_precision": None, "eponyms_kept": None,
                    "phi_leaks": None}
        spans = [Span(kind, start, end, 1.0) for kind, start, end in outcome["spans"]]
        counts = tally(None, planted, spans)
        traps = expected.get("traps") or []
        kept = [not any(s.start < end and start < s.end for s in spans) for start, end in traps]
        return {
            "phi_recall": (float(sum(counts.caught.values())), float(sum(counts.planted.values()))),
            "phi_precision": (float(counts.detected - counts.false_positive), float(counts.detected))
            if counts.detected else None,
            "eponyms_kept": float(all(kept)) if kept else None,
            "phi_leaks": float(count_leaks([outcome["text"]], expected.get("leak_digests", []))),
        }


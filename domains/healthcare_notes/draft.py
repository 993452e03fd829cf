"""`draft_section`: a doctor-patient dialogue -> one section of the clinical note (MTS-Dialog).

Why a baseline that only rephrases what the patient said: it is the floor a model must beat —
the patient's own statements, turned to the third person, in order. A tier that can "compose"
drafts the section from the dialogue; the draft is kept only if it is mostly made of the
dialogue's words (groundedness >= 0.5 per sentence, so nothing is invented wholesale), else the
baseline draft is used and the case carries a warning. Scored against the reference section by
token F1, ROUGE-L and embedding similarity (all-MiniLM-L6-v2, the same for every tier).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import input_file
from rightsized.domains.results import TaskResult
from rightsized.eval.metrics import embedding_similarity, groundedness, rouge_l, token_f1

SECTIONS = {"GENHX": "history of present illness", "FAM/SOCHX": "family and social history",
            "PASTMEDICALHX": "past medical history", "CC": "chief complaint", "PASTSURGICAL": "past surgical history",
            "ALLERGY": "allergies", "ROS": "review of systems", "MEDICATIONS": "medications",
            "ASSESSMENT": "assessment", "EXAM": "physical exam", "DIAGNOSIS": "diagnosis", "DISPOSITION": "disposition",
            "PLAN": "plan", "EDCOURSE": "emergency department course", "IMMUNIZATIONS": "immunizations",
            "IMAGING": "imaging", "GYNHX": "gynecologic history", "PROCEDURES": "procedures",
            "OTHER_HISTORY": "other history", "LABS": "labs"}
MAX_TOKENS = 128
_FIRST_PERSON = ((r"\bI am\b", "The patient is"), (r"\bI'm\b", "the patient is"), (r"\bI have\b", "the patient has"),
                 (r"\bI've\b", "the patient has"), (r"\bI\b", "the patient"), (r"\bmy\b", "their"), (r"\bme\b", "them"))


class DraftInput(BaseModel):
    dialogue: Path = input_file("The dialogue (text; turns start with 'Doctor:' or 'Patient:').")
    section: str = Field("GENHX", description="Which section to draft: " + ", ".join(SECTIONS))


class DraftResult(TaskResult):
    section: str
    text: str
    source: str = "baseline"


def baseline_draft(dialogue: str) -> str:
    """The patient's statements of more than three words, in the third person."""
    said = []
    for line in dialogue.splitlines():
        speaker, _, words = line.partition(":")
        if speaker.strip().lower().startswith(("patient", "guest")) and len(words.split()) > 3:
            text = words.strip()
            for pattern, replacement in _FIRST_PERSON:
                text = re.sub(pattern, replacement, text)
            said.append(text[0].upper() + text[1:])
    return " ".join(said)


class DraftSectionTask(Task[DraftInput, DraftResult]):
    name = "draft_section"
    description = "Draft one clinical-note section from a doctor-patient dialogue."
    input_model = DraftInput
    result_model = DraftResult
    metrics = (
        MetricSpec("section_rouge_l", kind="mean", primary=True, description="ROUGE-L F against the reference section"),
        MetricSpec("section_token_f1", kind="mean", description="token F1 against the reference section"),
        MetricSpec("section_similarity", kind="mean",
                   description="cosine similarity of all-MiniLM-L6-v2 embeddings, draft vs reference"),
    )

    def run(self, ctx: TaskContext, inputs: DraftInput) -> DraftResult:
        dialogue = inputs.dialogue.read_text(encoding="utf-8")
        draft, source, warnings = baseline_draft(dialogue), "baseline", []
        if ctx.can("compose"):
            title = SECTIONS.get(inputs.section, inputs.section.lower())
            prompt = (f"Write the {title} section of the clinical note for this conversation, in the third person.\n"
                      f"Conversation:\n{dialogue.strip()}\n\n{title.upper()}:")
            text = ctx.generate(prompt, stop=["\n\n", "Conversation:", "Doctor:", "Patient:"], max_tokens=MAX_TOKENS).text.strip()
            score = groundedness(text, {"d": dialogue}, ["d"], {"d"}).score if text else None
            if score is not None and score >= 0.5:
                draft, source = text, "llm"
            else:
                warnings.append(f"LLM draft rejected ({'empty' if not text else f'groundedness {score}'}); baseline used")
        return DraftResult(section=inputs.section, text=draft, source=source, warnings=warnings)

    def outcome(self, result: DraftResult) -> dict[str, Any]:
        return {"text": result.text, "source": result.source}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        reference = expected["section_text"]
        text = (outcome or {}).get("text", "")
        if not text:
            return {"section_rouge_l": 0.0, "section_token_f1": 0.0, "section_similarity": 0.0}
        a, b = _embedder().embed([text, reference])
        return {"section_rouge_l": rouge_l(text, reference), "section_token_f1": token_f1(text, reference),
                "section_similarity": embedding_similarity(a, b)}


@cache
def _embedder() -> Any:
    """all-MiniLM-L6-v2 from its PyPI package: one scorer for every tier's drafts."""
    from rightsized.pipelines.config import SentenceTransformerEmbedderConfig
    from rightsized.pipelines.embedders import build_embedder

    return build_embedder(SentenceTransformerEmbedderConfig())

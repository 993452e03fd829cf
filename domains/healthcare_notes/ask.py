"""`ask`: a question over a patient's notes -> a grounded answer citing chunks, or exactly
"not found in the notes".

Why tools first: questions about a medication's dose, the allergies, vitals, problems or the
follow-up are answered from the same deterministic extraction the summary uses, quoting the line
it came from. Any other question goes to a tier that can "answer"; what the model says is kept
only if it is supported by one of the chunks it was shown (groundedness >= 0.5 of its content
words) and is not an echo of the question; anything else — and every other question on a tier
without a model — is "not found in the notes". An invented answer is worse than none.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.healthcare_notes.extract import Extraction, Item, extract
from rightsized.domains.healthcare_notes.leaks import count_leaks
from rightsized.domains.healthcare_notes.models import NoteAnswer
from rightsized.domains.healthcare_notes.summarize import retrieve_all
from rightsized.domains.inputs import documents
from rightsized.eval.metrics import abstained, content_tokens, groundedness
from rightsized.pipelines.prompts import pack_prompt, upper_bound_tokens

NOT_FOUND = "not found in the notes"
ANSWER_MAX_TOKENS = 48
LLM_CHUNKS = 3  # the question's best chunks: a longer prompt costs seconds on CPU and adds noise
GROUNDED = 0.5
INSTRUCTION = ("Answer the question about the patient from the clinical notes below, in one short sentence "
               f"copied from the notes. If the notes do not say, answer exactly: {NOT_FOUND}.")
_INTENTS = (
    ("medications", re.compile(r"\b(?:dose|dosage|how much|mg|taking|prescribed|medications?|meds)\b", re.I)),
    ("allergies", re.compile(r"\ballerg", re.I)),
    ("follow_up", re.compile(r"\bfollow[- ]?up\b|\breturn\b|\bnext (?:visit|appointment)\b", re.I)),
    ("vitals", re.compile(r"\b(?:blood pressure|heart rate|pulse|vitals?|temperature|oxygen saturation|spo2)\b", re.I)),
    ("problems", re.compile(r"\b(?:diagnos[ie]s|problems?|conditions?)\b", re.I)),
)


class AskInput(BaseModel):
    notes: Path = documents("A patient's folder of notes (PDF, TXT, MD) or one note file.")
    question: str = Field(..., min_length=3, max_length=500, description="The question to answer from the notes.")


def _tool_answer(question: str, ex: Extraction) -> list[Item] | None:
    """The items that answer a question of a known kind; None when the kind is not known,
    [] when it is known but the notes hold nothing of it."""
    for field, pattern in _INTENTS:
        if not pattern.search(question):
            continue
        items = list(ex.items[field].values())
        if field == "medications":
            named = [i for i in items if i.value.split()[0].lower() in question.lower()]
            if named or not re.search(r"\b(?:medications?|meds)\b", question, re.I):
                items = named
        return items
    return None


def _compose(items: list[Item]) -> str:
    lines = []
    for item in items:
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", item.evidence).strip()
        lines.append(line if line.endswith(".") else line + ".")
    return " ".join(dict.fromkeys(lines))


def _llm_answer(ctx: TaskContext, question: str, hits: list[Any], warnings: list[str]) -> tuple[str, list[str]] | None:
    counter = getattr(ctx.runtime.generator, "count_tokens", None) or upper_bound_tokens
    n_ctx = getattr(ctx.runtime.config.generator, "n_ctx", None) or 4096
    packed = pack_prompt(INSTRUCTION, question, hits, budget=n_ctx - ANSWER_MAX_TOKENS, count_tokens=counter)
    if not packed.kept:
        warnings.append("LLM not asked: no retrieved chunk fits the prompt budget")
        return None
    text = ctx.generate(packed.text, stop=["\n", "Question:", "<<<"], max_tokens=min(ANSWER_MAX_TOKENS, ctx.runtime.config.max_tokens)).text.strip()
    if not text or abstained(text):
        return None
    shown = {h.chunk_id: h.text for h in hits if h.chunk_id in packed.kept}
    supporting = [cid for cid, chunk in shown.items()
                  if (groundedness(text, {cid: chunk}, [cid], {cid}).score or 0) >= GROUNDED]
    novel = content_tokens(text) - content_tokens(question)
    if not supporting or not novel:
        warnings.append(f"LLM answer rejected ({'not supported by the chunks it was shown' if not supporting else 'echoes the question'})")
        return None
    return text, supporting[:1]


class AskTask(Task[AskInput, NoteAnswer]):
    name = "ask"
    description = "Answer a question from a patient's notes with citations, or say it is not found in the notes."
    input_model = AskInput
    result_model = NoteAnswer
    metrics = (
        MetricSpec("qa_accuracy", kind="proportion", primary=True,
                   description="answers holding the expected facts, and 'not found' exactly when the notes do not say"),
        MetricSpec("not_found_correct", kind="proportion",
                   description="'not found in the notes' given exactly when the notes do not answer"),
        MetricSpec("answer_groundedness", kind="mean", description="share of answer sentences supported by cited chunks"),
        MetricSpec("answer_phi_leaks", kind="mean", higher_is_better=False,
                   description="planted identifiers found in the answer"),
    )

    def case_name(self, inputs: AskInput) -> str:
        return inputs.notes.name

    def run(self, ctx: TaskContext, inputs: AskInput) -> NoteAnswer:
        hits = retrieve_all(ctx, queries=(inputs.question,))
        summary_hits = retrieve_all(ctx)
        warnings: list[str] = []
        items = _tool_answer(inputs.question, extract(summary_hits))
        if items:
            cited = sorted({cid for i in items for cid in i.chunk_ids})
            answer, method = _compose(items), "tool"
        elif items is None and ctx.can("answer") and hits:
            answered = _llm_answer(ctx, inputs.question, hits[:LLM_CHUNKS], warnings)
            answer, cited, method = (answered[0], answered[1], "llm") if answered else (NOT_FOUND, [], "none")
        else:
            answer, cited, method = NOT_FOUND, [], "none"
        by_id = {h.chunk_id: h.text for h in [*summary_hits, *hits]}
        return NoteAnswer(question=inputs.question, answer=answer, found=method != "none", method=method,
                          citations=cited, sources={cid: by_id[cid] for cid in cited if cid in by_id},
                          warnings=warnings)

    def outcome(self, result: NoteAnswer) -> dict[str, Any]:
        return {"answer": result.answer, "found": result.found, "method": result.method,
                "citations": result.citations, "sources": result.sources}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        if outcome is None:
            return {"qa_accuracy": 0.0, "not_found_correct": 0.0, "answer_groundedness": None, "answer_phi_leaks": None}
        answer = str(outcome.get("answer", ""))
        said_not_found = answer.strip().lower() == NOT_FOUND
        if expected["not_found"]:
            correct = said_not_found
        else:
            text = answer.lower()
            correct = not said_not_found and all(str(term).lower() in text for term in expected["must_contain"])
        sources = outcome.get("sources") or {}
        grounded = None if said_not_found else groundedness(
            answer, sources, list(outcome.get("citations") or []), set(sources)).score
        return {
            "qa_accuracy": float(correct),
            "not_found_correct": float(said_not_found == bool(expected["not_found"])),
            "answer_groundedness": grounded,
            "answer_phi_leaks": float(count_leaks([answer, *sources.values()], expected.get("leak_digests", []))),
        }


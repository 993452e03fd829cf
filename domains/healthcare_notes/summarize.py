"""`summarize`: a patient's notes (or one note) -> problems, medications, allergies, vitals, plan,
follow-up, each item citing the chunks it was read from; negated findings excluded.

Why the items never come from the LLM: an item must be in the notes, so it is extracted by
deterministic, tested code (`extract.py`). A tier that can "compose" writes the one-paragraph
narrative from those items; each of its sentences must be supported by the cited chunks
(groundedness >= 0.5) and it may not name anything outside them, or the template narrative is
kept and the case carries a warning.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.healthcare_notes.clinical import DENIED_SYMPTOMS, TRAP_CONDITIONS
from rightsized.domains.healthcare_notes.extract import FIELDS, Extraction, extract
from rightsized.domains.healthcare_notes.leaks import count_leaks
from rightsized.domains.healthcare_notes.models import NoteSummary, SummaryItem
from rightsized.domains.inputs import documents
from rightsized.eval.metrics import content_tokens, groundedness
from rightsized.pipelines.stores.base import SearchHit

QUERIES = (
    "assessment diagnoses problem list impression past medical history",
    "medications dose route frequency discharge medications",
    "allergies NKDA reaction",
    "plan recommendations follow-up clinic",
    "vitals BP HR RR temp SpO2",
)
NARRATIVE_MAX_TOKENS = 48
# Words a narrative may add to the facts it restates.
NARRATIVE_WORDS = frozenset("patient patients history takes taking treated medications medication allergic allergies "
                            "allergy known drug plan planned follow needs vitals problems has had includes including "
                            "also currently daily".split())
GROUNDED = 0.5
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


class SummarizeInput(BaseModel):
    notes: Path = documents("A patient's folder of notes (PDF, TXT, MD), one note file, or a folder of "
                            "patient folders (one case each).", batch=True)


def retrieve_all(ctx: TaskContext, field: str = "notes", queries: tuple[str, ...] = QUERIES) -> list[SearchHit]:
    """The union of the hits of every query (first hit of a chunk kept), in retrieval order."""
    seen: dict[str, SearchHit] = {}
    for query in queries:
        for hit in ctx.retrieve(query, scope=ctx.documents[field], k=max(ctx.runtime.config.retrieval.k, 16)):
            seen.setdefault(hit.chunk_id, hit)
    return list(seen.values())


def template_narrative(ex: Extraction) -> str:
    parts = []
    if ex.items["problems"]:
        parts.append("Problems: " + "; ".join(i.value for i in ex.items["problems"].values()) + ".")
    if ex.items["medications"]:
        parts.append("Medications: " + "; ".join(i.value for i in ex.items["medications"].values()) + ".")
    allergies = [i.value for i in ex.items["allergies"].values()]
    if allergies:
        parts.append("Allergies: " + "; ".join(allergies) + ".")
    if ex.items["follow_up"]:
        parts.append("Follow-up: " + "; ".join(i.value for i in ex.items["follow_up"].values()) + ".")
    return " ".join(parts) or "No problems, medications, allergies or plan found in the notes."


def _llm_narrative(ctx: TaskContext, ex: Extraction, sources: dict[str, str]) -> tuple[str | None, str]:
    facts = "\n".join(f"{name.replace('_', ' ')}: " + "; ".join(i.value for i in items.values())
                      for name, items in ex.items.items() if items)
    prompt = ("Write a two-sentence clinical summary of the patient using only these facts from the notes.\n"
              f"{facts}\nSummary: The patient")
    drafted = ctx.generate(prompt, stop=["\n"], max_tokens=min(NARRATIVE_MAX_TOKENS, ctx.runtime.config.max_tokens))
    text = complete_sentences("The patient " + drafted.text.strip())
    problem = narrative_problem(text, facts)
    if problem:
        return None, problem
    score = groundedness(text, sources, list(sources), set(sources)).score
    if score is None or score < GROUNDED:
        return None, f"groundedness {score if score is None else round(score, 2)} below {GROUNDED}"
    return text, ""


def complete_sentences(text: str) -> str:
    """The text up to its last sentence end ("2.5 mg" is not one): a draft cut off by the token
    limit keeps the sentences it finished, instead of losing them all with the unfinished one."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    return text[:ends[-1]] if ends else ""


def narrative_problem(text: str, facts: str) -> str | None:
    """Why a drafted narrative cannot be used, or None. It may only restate the facts: no first
    person, no number and no content word the facts do not hold, and it must hold a finished
    sentence (`complete_sentences` has cut an unfinished one off)."""
    if not text.rstrip().endswith("."):
        return "no finished sentence within the token limit"
    if re.search(r"\b(?:I|my|me|we|our)\b", text):
        return "written in the first person"
    numbers = set(re.findall(r"\d+(?:[./]\d+)?", text)) - set(re.findall(r"\d+(?:[./]\d+)?", facts))
    if numbers:
        return f"numbers not in the notes: {', '.join(sorted(numbers))}"
    unknown = content_tokens(text) - content_tokens(facts) - NARRATIVE_WORDS
    if unknown:
        return f"words not in the notes: {', '.join(sorted(unknown)[:5])}"
    return None


class SummarizeTask(Task[SummarizeInput, NoteSummary]):
    name = "summarize"
    description = ("Structured summary of a patient's notes (problems, medications, allergies, vitals, plan, "
                   "follow-up), each item citing its chunks; negated and family-history findings excluded.")
    input_model = SummarizeInput
    result_model = NoteSummary
    metrics = (
        MetricSpec("summary_item_f1", kind="mean", primary=True,
                   description="F1 of summary items (all fields) against the notes' ground truth"),
        MetricSpec("summary_item_precision", kind="ratio", description="items that are in the ground truth"),
        MetricSpec("summary_item_recall", kind="ratio", description="ground-truth items found"),
        MetricSpec("negation_errors", kind="mean", higher_is_better=False,
                   description="negated, ruled-out or family-history conditions reported as problems"),
        MetricSpec("summary_groundedness", kind="mean",
                   description="share of narrative sentences supported by the cited chunks"),
        MetricSpec("summary_phi_leaks", kind="mean", higher_is_better=False,
                   description="planted identifiers found in the summary"),
    )

    def case_name(self, inputs: SummarizeInput) -> str:
        return inputs.notes.name

    def run(self, ctx: TaskContext, inputs: SummarizeInput) -> NoteSummary:
        hits = retrieve_all(ctx)
        ex = extract(hits)
        items = {name: [SummaryItem(value=i.value, evidence=i.evidence, chunk_ids=i.chunk_ids)
                        for i in ex.items[name].values()] for name in FIELDS}
        cited = sorted({cid for values in items.values() for item in values for cid in item.chunk_ids})
        by_id = {h.chunk_id: h.text for h in hits}
        sources = {cid: by_id[cid] for cid in cited}
        narrative, source, warnings = template_narrative(ex), "template", []
        if ctx.can("compose") and sources:
            drafted, problem = _llm_narrative(ctx, ex, sources)
            if drafted:
                narrative, source = drafted, "llm"
            else:
                warnings.append(f"LLM narrative rejected ({problem}); template used")
        return NoteSummary(patient=inputs.notes.name, **items, narrative=narrative, narrative_source=source,
                           sources=sources, citations=cited, warnings=warnings)

    def outcome(self, result: NoteSummary) -> dict[str, Any]:
        return {
            **{name: sorted(i.value.lower() for i in getattr(result, name)) for name in FIELDS},
            "narrative": result.narrative, "narrative_source": result.narrative_source,
            "sources": result.sources, "citations": result.citations,
        }

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        gold = {name: {str(v).lower() for v in expected.get(name, [])} for name in FIELDS}
        predicted = {name: set((outcome or {}).get(name, [])) for name in FIELDS}
        hits = sum(len(gold[n] & predicted[n]) for n in FIELDS)
        n_gold, n_pred = sum(map(len, gold.values())), sum(map(len, predicted.values()))
        precision = hits / n_pred if n_pred else 0.0
        recall = hits / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if outcome is None:
            return {"summary_item_f1": 0.0, "summary_item_precision": None, "summary_item_recall": (0.0, float(n_gold)),
                    "negation_errors": None, "summary_groundedness": None, "summary_phi_leaks": None}
        wrong_problems = predicted["problems"] - gold["problems"]
        traps = (*TRAP_CONDITIONS, *DENIED_SYMPTOMS)
        sources = outcome.get("sources") or {}
        grounded = groundedness(outcome.get("narrative", ""), sources, list(sources), set(sources)).score
        texts = [outcome.get("narrative", ""), *sources.values(),
                 *(" ".join(outcome.get(n, [])) for n in FIELDS)]
        return {
            "summary_item_f1": f1,
            "summary_item_precision": (float(hits), float(n_pred)) if n_pred else None,
            "summary_item_recall": (float(hits), float(n_gold)),
            "negation_errors": float(sum(any(t in p for t in traps) for p in wrong_problems)),
            "summary_groundedness": grounded,
            "summary_phi_leaks": float(count_leaks(texts, expected.get("leak_digests", []))),
        }

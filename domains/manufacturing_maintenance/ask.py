"""The `ask` task: a technician's question about the manuals or the maintenance history.

Why answers are whole units (a manual table row or a work order): "what do I check first?"
must be answered with the manual's own row, cited, not a paraphrase that drops the part number.
The units of the retrieved chunks are scored by how much of the question's content (after
normalising shorthand, minus question words) they cover; below `MIN_COVERAGE` the answer is
exactly "not in the manuals". When no row or work order reaches it, the chunks of manuals not
printed in our row form (a table keyed E-101, prose) are units of their own under the same gate,
so a plant's own manual can answer while our rows keep the first word. A question naming a
machine model only takes that model's rows and chunks, and one naming a model we have no manual
for (VMC-900; VMC-4000, whose name contains "VMC-400") is not answered from another model's
manual; one asking about the past ("last time", "what fixed") only takes work orders, and only
those of the models it names when a work order says its model. An LLM tier may rephrase the
chosen unit; a rephrasing with a number or id the unit does not hold is rejected.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import documents
from rightsized.domains.manufacturing_maintenance.logs import LogEntry, content_words, entry_in
from rightsized.domains.manufacturing_maintenance.manuals import ROW_ID, rows_in
from rightsized.domains.manufacturing_maintenance.models import AskResult
from rightsized.domains.manufacturing_maintenance.physics import MACHINE_MODELS
from rightsized.pipelines.prompts import ContextChunk, build_prompt
from rightsized.pipelines.stores.base import SearchHit

NOT_IN_MANUALS = "not in the manuals"
MIN_COVERAGE = 0.6
QUESTION_WORDS = frozenset("what which how when where who why whom whose do does did should shall can could would "
                           "i we you it first often much many is are be been machine machines there".split())
HISTORY = re.compile(r"\b(?:last time|previous(?:ly)?|before|history|was done|were done|fixed|what worked)\b", re.I)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
# A model name of a family we have manuals for, read whole: "VMC-4000" is not the VMC-400.
_MODEL = re.compile(r"\b(" + "|".join(sorted({n.split("-")[0] for n in MACHINE_MODELS})) + r")[-\s]?(\d+)\b", re.I)
_ID = re.compile(r"\b(?:[A-Z0-9]{4,8}-(?:LIM|INT|TS)-\d{2}|WO-\d+|[A-Z]{2,5}-[A-Z0-9]+(?:-[A-Z0-9]+)*)\b")


class AskInput(BaseModel):
    library: Path = documents("Equipment manuals (PDF) and maintenance logs (CSV): a folder.", kind="folder")
    question: str = Field(..., min_length=3, max_length=500, description="The technician's question.")


def _stem(word: str) -> str:
    """A crude suffix stripper: tripped/trips/trip, lubricated/lubricate agree."""
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
                word = word[:-1]  # tripp -> trip
            return word
    return word


def _terms(text: str) -> set[str]:
    return {_stem(w) for w in content_words(text) if w not in QUESTION_WORDS}


class AskTask(Task[AskInput, AskResult]):
    name = "ask"
    description = "Answer a question from the manuals and maintenance history with citations, or 'not in the manuals'."
    input_model = AskInput
    result_model = AskResult
    metrics = (
        MetricSpec("ask_accuracy", kind="proportion", primary=True,
                   description="answered with an expected row/work order, or abstained when the manuals do not say"),
        MetricSpec("ask_wrong_answer", kind="proportion", higher_is_better=False,
                   description="answered with a unit that is not an expected one (incl. answering the unanswerable)"),
    )

    def case_name(self, inputs: AskInput) -> str:
        return inputs.question[:40]

    def run(self, ctx: TaskContext, inputs: AskInput) -> AskResult:
        question = inputs.question
        named = {_model_name(m) for m in _MODEL.finditer(question)}
        models = sorted(named & set(MACHINE_MODELS))
        history = bool(HISTORY.search(question))
        unknown = sorted(named - set(MACHINE_MODELS))
        if unknown and not history:  # another model's manual would answer with the wrong machine's limits
            return AskResult(question=question, answer=NOT_IN_MANUALS, answer_source="abstain",
                             warnings=[f"the question names {', '.join(unknown)}: no manual for that model "
                                       f"(the models with manuals are {', '.join(MACHINE_MODELS)})"])
        # The history phrase and the model name choose where to look; the rest must be covered.
        # A model we have no manual for stays a term to cover: a work order must name it to answer.
        wanted = _terms(_MODEL.sub(lambda m: " " if _model_name(m) in MACHINE_MODELS else m.group(0),
                                   HISTORY.sub(" ", question)))
        filters = {"doc_type": "log"} if history else None
        hits = ctx.retrieve(question, scope=ctx.documents["library"], filters=filters)
        # a model's rows ('VMC400-TS-02') and its manual's own chunks ('VMC-400:<chunk id>')
        only = () if history else tuple(p for m in models for p in (m.replace("-", "") + "-", f"{m}:"))
        units = [(u, t, hit.chunk_id) for hit in hits for u, t in _units(hit.text, history, sorted(named))]
        best = _best(units, wanted, only)
        if not history and (best is None or best[0] < MIN_COVERAGE):
            # no row or work order answers: a manual printed otherwise (its own row keys, prose) may
            best = _best([(*unit, hit.chunk_id) for hit in hits if (unit := _manual_chunk(hit))], wanted, only)
        if best is None or best[0] < MIN_COVERAGE:
            return AskResult(question=question, answer=NOT_IN_MANUALS, answer_source="abstain")
        _, unit_id, text, chunk_id = best
        result = AskResult(question=question, answer=text, answer_source="extractive", units=[unit_id],
                           citations=[chunk_id])
        if ctx.can("compose"):
            prompt = build_prompt("Answer the technician's question in one sentence using only the document.",
                                  question, [ContextChunk(unit_id, text)])
            drafted = " ".join(ctx.generate(prompt, stop=["\n\n", "\nQuestion:", "<<<"], max_tokens=70).text.split())
            problem = _unsupported(drafted, text)
            if problem:
                result.warnings.append(f"LLM answer rejected ({problem}); the cited row is the answer")
            else:
                result.answer, result.answer_source = f"{drafted} [{unit_id}]", "llm"
        return result

    def outcome(self, result: AskResult) -> dict[str, Any]:
        return {"abstain": result.answer_source == "abstain", "units": result.units}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        if outcome is None:
            return {"ask_accuracy": 0.0, "ask_wrong_answer": None}
        answered = not outcome["abstain"]
        right = answered and bool(set(outcome["units"]) & set(expected["answers"]))
        correct = (not answered) if expected["abstain"] else right
        return {"ask_accuracy": float(correct), "ask_wrong_answer": float(answered and not right)}


def _model_name(match: re.Match[str]) -> str:
    return f"{match.group(1).upper()}-{match.group(2)}"


def _best(units: list[tuple[str, str, str]], wanted: set[str],
          only: tuple[str, ...]) -> tuple[float, str, str, str] | None:
    """(coverage, unit id, text, chunk id) of the unit covering most of the wanted terms, the first
    retrieved on a tie; `only`: the unit id prefixes of the models the question names."""
    best: tuple[float, str, str, str] | None = None
    for unit_id, text, chunk_id in units:
        if only and not unit_id.startswith(only):
            continue
        covered = len(wanted & _terms(text)) / len(wanted) if wanted else 0.0
        if best is None or covered > best[0]:
            best = (covered, unit_id, text, chunk_id)
    return best


def _manual_chunk(hit: SearchHit) -> tuple[str, str] | None:
    """A manual chunk as a unit of its own, `<model>:<chunk id>`, for manuals not printed in the
    row form `rows_in` reads (a table keyed E-101, or prose). None for other documents and for a
    chunk holding a row id of that form: its row was cut short, and a cut row is never cited."""
    if hit.metadata.get("doc_type") != "manual" or ROW_ID.search(hit.text):
        return None
    return f"{hit.metadata.get('machine_model') or 'manual'}:{hit.chunk_id}", " ".join(hit.text.split())


def _units(text: str, history: bool, models: list[str]) -> list[tuple[str, str]]:
    """A chunk's answerable units: its whole manual rows, or the work order it holds unless the
    question names models (`models`) and the work order is about another one."""
    entry = entry_in(text)
    if entry is not None:
        if models and not _about(entry, models):
            return []
        machine = f"{entry.machine}, {entry.model}" if entry.model else entry.machine
        action = f" / {entry.action}" if entry.action else ""
        return [(entry.entry_id, f"{entry.entry_id} ({machine}, {entry.date}): {entry.note}{action}")]
    return [] if history else [(row.row_id, row.text) for row in rows_in(text)]


def _about(entry: LogEntry, models: list[str]) -> bool:
    """Whether a work order may be about one of `models`. Why: "what fixed the VMC-400 last time?"
    was answered with a VMC-600's work order, another machine's repair. A model column decides; a
    log without one may name the model in the machine field ('M02 VMC-600'); a work order naming
    no model at all may be about any, and its note must then cover the question's terms."""
    if entry.model:
        return any(_model_name(m) in models for m in _MODEL.finditer(entry.model))
    named = {_model_name(m) for m in _MODEL.finditer(entry.machine)}
    return not named or bool(named & set(models))


def _unsupported(answer: str, unit: str) -> str | None:
    if len(answer) < 10 or not answer.endswith((".", "!", "?")):
        return f"too short or unfinished: {answer[:60]!r}"
    numbers = {n.replace(",", "") for n in _NUMBER.findall(answer)} - {n.replace(",", "") for n in _NUMBER.findall(unit)}
    if numbers:
        return f"states number(s) the row does not: {', '.join(sorted(numbers))}"
    ids = set(_ID.findall(answer)) - set(_ID.findall(unit))
    if ids:
        return f"names id(s) the row does not: {', '.join(sorted(ids))}"
    return None

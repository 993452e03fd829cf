"""The `diagnose` task: a machine's telemetry -> risk, likely modes, evidence, cited actions.

Flow: validate the telemetry (refused with file/line/column when it would mislead) -> the
manual's limits as rules + the calibrated classifier (`scoring.decide`) -> anomaly detection on
the machine's own series -> for each likely mode, the manual's troubleshooting rows for that
mode (retrieved from the machine model's manual, parsed back into whole rows) and the most
similar past work orders (hybrid retrieval, re-ranked on normalised shorthand) -> actions, each
citing the chunk that holds its row or work order -> on tiers that can compose, an explanation
for the technician, validated against that evidence (`explain.validate`).
Numbers (risk, probabilities, limits) never come from an LLM.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field

from rightsized.domains.base import MetricSpec, Score, Task
from rightsized.domains.context import DocumentScope, TaskContext
from rightsized.domains.inputs import documents, input_file
from rightsized.domains.manufacturing_maintenance import explain
from rightsized.domains.manufacturing_maintenance.anomaly import detect
from rightsized.domains.manufacturing_maintenance.classifier import FAILURE_THRESHOLD, default_classifier, features
from rightsized.domains.manufacturing_maintenance.logs import entry_in, expand_query, normalise, similarity
from rightsized.domains.manufacturing_maintenance.manuals import ManualRow, rows_in
from rightsized.domains.manufacturing_maintenance.models import (
    Action,
    Anomaly,
    DiagnoseResult,
    ManualCitation,
    ModeLikelihood,
    PastCase,
)
from rightsized.domains.manufacturing_maintenance.physics import MODE_NAMES, NONE, limit_rules
from rightsized.domains.manufacturing_maintenance.scoring import decide
from rightsized.domains.manufacturing_maintenance.telemetry import read_telemetry

# What each mode looks like in a manual's symptom column and in a technician's note.
MODE_QUERIES = {
    "TWF": "tool wear worn insert surface finish chatter replace tool wear counter",
    "HDF": "overtemperature trip heat exchanger fins coolant flow cooling fan temperature difference low speed",
    "PWF": "spindle power drive overload alarm stall undervoltage belt feed",
    "OSF": "overstrain tool broke heavy torque worn tool depth of cut",
    "BWF": "spindle bearing vibration noise whine drive end alignment",
    "RNF": "random failure",
}
MODES_EXPLAINED = 2  # manual rows and past cases are gathered for the two most likely modes
PAST_CASES = 3
MIN_SIMILARITY = 30.0  # below this a work order is not "similar" (0-100, logs.similarity)
LOG_CANDIDATES = 20


class DiagnoseInput(BaseModel):
    telemetry: Path = input_file("One machine's recent telemetry (CSV: timestamp, air/process temperature [K or C], "
                                 "rotational speed [rpm], torque [Nm], tool wear [min], vibration [mm/s]).")
    library: Annotated[Path | None, documents(
        "Equipment manuals (PDF) and maintenance logs (CSV) to cite: a folder.", kind="folder")] = None
    machine_model: str | None = Field(None, description="The machine model, when the CSV has no machine_model column.")
    failure_threshold: float = Field(FAILURE_THRESHOLD, gt=0.0, le=1.0, description=(
        "A flagged tool-wear, bearing or random-failure probability at or above this is a predicted failure "
        "(broken hard limits always are); choose it on your own labelled history (thresholds.py)."))


class DiagnoseTask(Task[DiagnoseInput, DiagnoseResult]):
    name = "diagnose"
    description = ("Risk level, likely failure modes with probabilities, sensor evidence, and actions citing manual "
                   "rows and similar past work orders, for one machine's telemetry.")
    input_model = DiagnoseInput
    result_model = DiagnoseResult
    metrics = (
        MetricSpec("top1_accuracy", kind="proportion", primary=True,
                   description="the most likely mode (or 'none') is the true one"),
        MetricSpec("top3_accuracy", kind="proportion", description="the true mode is among the first three"),
        MetricSpec("risk_accuracy", kind="proportion", description="risk level low/medium/high as expected"),
        MetricSpec("failure_f1", kind="ratio",
                   description="F1 of the failure flag: per case (2TP, 2TP+FP+FN), summed over cases"),
        MetricSpec("mode_macro_f1", kind="corpus", reduce="macro_f1",
                   description="unweighted mean over failure modes (seen in the gold or flagged) of the F1 of "
                               "flagging that mode"),
        MetricSpec("citation_correctness", kind="ratio",
                   description="cited manual rows and work orders that treat the true mode / all cited"),
    )

    def case_name(self, inputs: DiagnoseInput) -> str:
        return inputs.telemetry.name

    def run(self, ctx: TaskContext, inputs: DiagnoseInput) -> DiagnoseResult:
        window = read_telemetry(inputs.telemetry, machine_model=inputs.machine_model)
        latest = window.latest()
        vibration = window.vibration_level()
        hits = limit_rules(window.model, latest, vibration)
        probabilities = default_classifier().predict(features(window))[0]
        scored = decide(probabilities, hits, window.unavailable, inputs.failure_threshold)
        anomaly = detect(window)
        rule_text = {h.mode: h.evidence for h in hits}
        modes = [ModeLikelihood(mode=m, name=MODE_NAMES[m], probability=scored.probabilities[m],
                                flagged=m in scored.flagged, rule=rule_text.get(m)) for m in scored.ranked if m != NONE]
        evidence = [h.evidence for h in hits]
        evidence += [f"{name} shifted {shift:+.1f} baseline SDs over the last readings" for name, shift in anomaly.shifted]
        evidence += [f"rules not evaluated for {m}: sensor unavailable" for m in scored.not_evaluated]
        failure_p = 1.0
        for p in scored.probabilities.values():
            failure_p *= 1.0 - p
        result = DiagnoseResult(
            machine_id=window.machine_id, machine_model=window.model.name, readings=len(window.timestamps),
            risk=scored.risk, failure=scored.failure, failure_probability=round(1.0 - failure_p, 4), modes=modes,
            ranked=scored.ranked, evidence=evidence, not_evaluated=scored.not_evaluated,
            anomaly=Anomaly(anomalous=anomaly.anomalous, score=anomaly.score, shifted=dict(anomaly.shifted),
                            note=anomaly.note),
            warnings=list(window.warnings),
        )
        watch = scored.ranked[:scored.ranked.index(NONE)][:MODES_EXPLAINED]  # flagged or at a limit
        scope = ctx.documents.get("library")
        if scope is not None and watch:
            self._cite(ctx, scope, result, watch)
        result.citations = sorted({r.chunk_id for r in result.manual_rows} | {c.chunk_id for c in result.past_cases})
        result.explanation = template_explanation(result)
        if ctx.can("compose"):
            self._explain(ctx, result)
        return result

    def _cite(self, ctx: TaskContext, scope: DocumentScope, result: DiagnoseResult, watch: list[str]) -> None:
        seen_rows: set[str] = set()
        seen_orders: set[str] = set()
        for mode in watch:
            rows = manual_rows_for(ctx, scope, result.machine_model, mode)
            if not rows:
                result.warnings.append(f"no troubleshooting row for {mode} found in the {result.machine_model} manual")
            for row, chunk_id in rows:
                if row.row_id in seen_rows:
                    continue
                seen_rows.add(row.row_id)
                result.manual_rows.append(ManualCitation(row_id=row.row_id, chunk_id=chunk_id, code=row.code, text=row.text))
                result.actions.append(Action(text=row.cell("Remedy"), source="manual", ref=row.row_id, chunk_id=chunk_id))
            for case in similar_cases(ctx, scope, mode):
                if case.work_order in seen_orders:
                    continue
                seen_orders.add(case.work_order)
                result.past_cases.append(case)
                result.actions.append(Action(text=f"Last time ({case.work_order}, {case.machine}, {case.date}): "
                                                  f"{case.note}", source="history", ref=case.work_order,
                                             chunk_id=case.chunk_id))

    def _explain(self, ctx: TaskContext, result: DiagnoseResult) -> None:
        evidence = evidence_text(result)
        start = explain.opening(result.machine_id, [m.name for m in result.modes if m.flagged], result.risk)
        generation = ctx.generate(explain.prompt(evidence, start), stop=["\n", "Question:", "<<<"], max_tokens=60)
        cleaned, problem = explain.validate(f"{start} {generation.text.strip()}", evidence,
                                            [r.row_id for r in result.manual_rows] + [c.work_order for c in result.past_cases],
                                            result.risk)
        if cleaned is None:
            result.warnings.append(f"LLM explanation rejected ({problem}); template used")
        else:
            result.explanation, result.explanation_source = cleaned, "llm"

    def outcome(self, result: DiagnoseResult) -> dict[str, Any]:
        return {"ranked": result.ranked, "modes": result.flagged, "risk": result.risk, "failure": result.failure,
                "cited_rows": [r.row_id for r in result.manual_rows],
                "cited_entries": [c.work_order for c in result.past_cases]}

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        got = outcome or {"ranked": [], "modes": [], "risk": None, "failure": None, "cited_rows": [], "cited_entries": []}
        # A reading can fail in several modes at once (AI4I): naming any of them counts.
        accepted = set(expected["modes"]) or {NONE}
        scores: dict[str, Score] = {
            "top1_accuracy": float(bool(accepted & set(got["ranked"][:1]))),
            "top3_accuracy": float(bool(accepted & set(got["ranked"][:3]))),
            "risk_accuracy": float(got["risk"] == expected["risk"]) if "risk" in expected else None,
            "failure_f1": _f1_parts(bool(got["failure"]), bool(expected["failure"])),
        }
        scores["mode_macro_f1"] = _mode_counts(set(got["modes"]), set(expected["modes"]))
        if "relevant_rows" in expected:
            cited = [*got["cited_rows"], *got["cited_entries"]]
            relevant = {*expected["relevant_rows"], *expected["relevant_entries"]}
            scores["citation_correctness"] = (float(sum(c in relevant for c in cited)), float(len(cited)))
        else:
            scores["citation_correctness"] = None
        return scores


def _f1_parts(predicted: bool, actual: bool) -> tuple[float, float]:
    """One case's share of a class F1 = 2TP / (2TP + FP + FN), summed over cases by the runner."""
    tp = float(predicted and actual)
    return 2 * tp, 2 * tp + float(predicted and not actual) + float(actual and not predicted)


def _mode_counts(flagged: set[str], actual: set[str]) -> dict[str, float]:
    """This case's tp/fp/fn per failure mode, the parts the macro-F1 reducer sums over cases."""
    counts = {f"tp:{m}": 1.0 for m in flagged & actual}
    counts |= {f"fp:{m}": 1.0 for m in flagged - actual}
    return counts | {f"fn:{m}": 1.0 for m in actual - flagged}


def manual_rows_for(ctx: TaskContext, scope: DocumentScope, model: str, mode: str) -> list[tuple[ManualRow, str]]:
    """Troubleshooting rows for a mode from the model's manual, as (row, chunk id); a manual whose
    file name does not reveal its model is searched as a fallback."""
    query = f"{model} troubleshooting {MODE_NAMES[mode]} {MODE_QUERIES[mode]}"
    found: list[tuple[ManualRow, str]] = []
    for filters in ({"doc_type": "manual", "machine_model": model}, {"doc_type": "manual", "machine_model": ""}):
        for hit in ctx.retrieve(query, scope=scope, filters=filters):
            found += [(row, hit.chunk_id) for row in rows_in(hit.text) if row.code == mode]
        if found:
            break
    return found


def similar_cases(ctx: TaskContext, scope: DocumentScope, mode: str) -> list[PastCase]:
    """The work orders most like this mode's symptoms and repairs, on normalised text."""
    words = MODE_QUERIES[mode].split()
    hits = ctx.retrieve(expand_query(words), scope=scope, k=LOG_CANDIDATES, filters={"doc_type": "log"})
    cases = []
    for hit in hits:
        entry = entry_in(hit.text)
        if entry is None:
            continue
        score = similarity(MODE_QUERIES[mode], entry.note)
        if score >= MIN_SIMILARITY:
            cases.append(PastCase(work_order=entry.entry_id, chunk_id=hit.chunk_id, machine=entry.machine,
                                  date=entry.date, note=entry.note, normalised=normalise(entry.note),
                                  similarity=round(score, 1)))
    cases.sort(key=lambda c: (-c.similarity, c.work_order))
    return cases[:PAST_CASES]


def evidence_text(result: DiagnoseResult) -> str:
    """Everything an explanation may use, as the LLM sees it."""
    likely = "; ".join(f"{m.name} ({m.mode}) p={m.probability:.2f}" for m in result.modes if m.flagged) or "none"
    lines = [f"Machine {result.machine_id} ({result.machine_model}), risk: {result.risk}.",
             f"Likely failure modes: {likely}.",
             "Sensor evidence: " + ("; ".join(result.evidence) or "all readings within limits") + "."]
    lines += [f"Manual {r.row_id} remedy: {next((a.text for a in result.actions if a.ref == r.row_id), '')}"
              for r in result.manual_rows]
    lines += [f"Past case {c.work_order}: {c.normalised}." for c in result.past_cases]
    return "\n".join(lines)


def template_explanation(result: DiagnoseResult) -> str:
    flagged = [m for m in result.modes if m.flagged]
    if not flagged and result.risk == "low":
        return (f"{result.machine_id} ({result.machine_model}): risk low; no failure mode is likely and every "
                "evaluated limit is met.")
    head = ", ".join(f"{m.name} ({m.mode}, p={m.probability:.2f})" for m in flagged) or "no mode likely yet"
    parts = [f"{result.machine_id} ({result.machine_model}): risk {result.risk}; {head}."]
    if result.evidence:
        parts.append("Evidence: " + "; ".join(result.evidence[:3]) + ".")
    first = next((a for a in result.actions if a.source == "manual"), None)
    if first:
        parts.append(f"First: {first.text} (manual {first.ref}).")
    past = next((a for a in result.actions if a.source == "history"), None)
    if past:
        parts.append(f"Similar past case {past.ref}.")
    return " ".join(parts)

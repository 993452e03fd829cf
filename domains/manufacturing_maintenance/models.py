"""Result models of the manufacturing tasks (what `run --json` prints and eval stores)."""
from __future__ import annotations

from pydantic import BaseModel, Field

from rightsized.domains.results import TaskResult


class ModeLikelihood(BaseModel):
    mode: str
    name: str
    probability: float  # calibrated classifier probability
    flagged: bool
    rule: str | None = None  # the manual limit broken or reached, when one is


class ManualCitation(BaseModel):
    row_id: str
    chunk_id: str
    code: str
    text: str


class PastCase(BaseModel):
    work_order: str
    chunk_id: str
    machine: str
    date: str
    note: str
    normalised: str
    similarity: float


class Action(BaseModel):
    text: str
    source: str  # "manual" | "history"
    ref: str  # manual row id or work order
    chunk_id: str


class Anomaly(BaseModel):
    anomalous: bool
    score: float
    shifted: dict[str, float] = Field(default_factory=dict)  # sensor -> shift in baseline SDs
    note: str = ""


class DiagnoseResult(TaskResult):
    machine_id: str
    machine_model: str
    readings: int
    risk: str
    failure: bool
    failure_probability: float
    modes: list[ModeLikelihood]
    ranked: list[str]
    evidence: list[str]
    not_evaluated: list[str]
    anomaly: Anomaly
    manual_rows: list[ManualCitation] = Field(default_factory=list)
    past_cases: list[PastCase] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    explanation: str = ""
    explanation_source: str = "template"  # "template" | "llm"

    @property
    def flagged(self) -> list[str]:
        return [m.mode for m in self.modes if m.flagged]


class AskResult(TaskResult):
    question: str
    answer: str
    answer_source: str  # "extractive" | "llm" | "abstain"
    units: list[str] = Field(default_factory=list)  # manual row ids / work orders the answer rests on


class SimilarCase(BaseModel):
    work_order: str
    chunk_id: str
    note: str
    action: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    similarity: float = 0.0


class SimilarResult(TaskResult):
    complaint: str
    cases: list[SimilarCase]
    prediction: dict[str, str] = Field(default_factory=dict)  # the top case's labels


class RemainingLifeResult(TaskResult):
    unit: int
    cycles: int  # the last cycle seen
    rul: float  # predicted cycles left after it
    rul_cap: int  # the model cannot tell lives longer than this apart
    at_cap: bool  # the prediction is at the cap: read "at least rul_cap cycles"
    training_units: int
    training_windows: int

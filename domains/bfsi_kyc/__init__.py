"""BFSI KYC: identity documents with MRZ, proof of address and application forms.

Checks MRZ check digits, expiry, name/DOB/address consistency and sanctions screening, and
decides approve / review / reject with reasons and citations.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import Corpus, Domain, MetricSpec, Resource, Score, Task
from rightsized.domains.bfsi_kyc.lists import KycConfig, lists_for
from rightsized.domains.bfsi_kyc.models import KycResult
from rightsized.domains.bfsi_kyc.mrz import MRZ_ZONE
from rightsized.domains.bfsi_kyc.screening import ScreenTask
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import documents
from rightsized.eval.metrics import field_accuracy
from rightsized.ingest.loaders import iter_input_files
from rightsized.ingest.ocr import register_zone
from rightsized.pipelines.errors import ConfigError, IngestError

# Scanned identity documents: their MRZ lines are re-read with ICAO's alphabet at ingest.
register_zone(MRZ_ZONE)


def classify_document(path: Path) -> str:
    """doc_type from the file name; unknown names fall back to searching the whole packet."""
    name = path.stem.lower()
    if any(k in name for k in ("passport", "id_card", "identity", "idcard")):
        return "identity"
    if any(k in name for k in ("address", "utility", "bill", "statement", "bank")):
        return "proof_of_address"
    if any(k in name for k in ("application", "form")):
        return "application"
    return "other"


class KycInput(BaseModel):
    packet: Path = documents(
        "An applicant packet folder (identity document with MRZ, proof of address, application form; "
        "files may sit in subfolders), or a folder of such packets (one case each).", kind="folder", batch=True)
    as_of: date | None = Field(None, description="Reference date for document expiry (default: today).")


class DecideTask(Task[KycInput, KycResult]):
    name = "decide"
    description = "Extract identity fields, run the KYC checks and decide approve / review / reject, with citations."
    input_model = KycInput
    result_model = KycResult
    metrics = (
        MetricSpec("decision_accuracy", kind="proportion", primary=True,
                   description="decision equals the expected approve/review/reject"),
        MetricSpec("field_accuracy", kind="mean", description="share of identity fields extracted correctly"),
        MetricSpec("sanctions_hit_recall", kind="proportion", description="listed applicants flagged"),
        MetricSpec("sanctions_hit_false_positive", kind="proportion", higher_is_better=False,
                   description="applicants not listed but flagged"),
    )

    def run(self, ctx: TaskContext, inputs: KycInput) -> KycResult:
        from rightsized.domains.bfsi_kyc.task import KycDecision

        return KycDecision(ctx, ctx.documents["packet"], lists_for(ctx.config)).run(
            inputs.packet.name, as_of=inputs.as_of or date.today())

    def case_folders(self, folder: Path) -> list[Path]:
        """Applicants by what their folders hold, not by the layout alone.

        `folder` is one packet when it holds a document named for its kind (passport.pdf), or
        when its subfolders each hold at most one kind and together more (a portal export:
        identity/, address/, application/). Otherwise each subfolder is one applicant's packet;
        a loose file beside them (manifest.csv) belongs to none and never merges them.
        """
        children = [p for p in sorted(folder.iterdir()) if not p.name.startswith(".")]
        dirs = [p for p in children if p.is_dir()]
        if not dirs or any(p.is_file() and classify_document(p) != "other" for p in children):
            return []
        kinds = [{classify_document(f) for f, _ in iter_input_files([d])} - {"other"} for d in dirs]
        if all(len(k) <= 1 for k in kinds) and len(set().union(*kinds)) > 1:
            return []
        return dirs

    def outcome(self, result: KycResult) -> dict[str, Any]:
        return {
            "fields": {name: field.value for name, field in result.fields.items()},
            "label": result.decision,
            "flags": {"sanctions_hit": result.check("sanctions_screening").passed is False},
            "failed_checks": sorted(c.name for c in result.checks if c.passed is False),
        }

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        predicted = outcome or {}
        hit = bool((predicted.get("flags") or {}).get("sanctions_hit"))
        listed = bool(expected["flags"]["sanctions_hit"])
        return {
            "decision_accuracy": float(outcome is not None and predicted.get("label") == expected["label"]),
            "field_accuracy": field_accuracy([(predicted.get("fields") or {}, expected["fields"])]),
            "sanctions_hit_recall": float(hit) if listed else None,
            "sanctions_hit_false_positive": None if listed else float(hit),
        }


class KycDomain(Domain):
    name = "bfsi_kyc"
    description = "KYC document analysis: MRZ, expiry, consistency, sanctions screening, decision."
    doc_types = ("identity", "proof_of_address", "application")
    sensitive = True
    # Identity verification needs the identity data itself (names, numbers, dates): redacted text
    # cannot be checked, so an external tier gets the packet as it is — only when the user picks
    # that tier, and never silently (the run and the result carry a warning).
    external_policy = "allow"
    config_model = KycConfig
    # Every tier's row is split into typed packets and their scanned copies (OCR'd at ingest).
    report_by = ("typed", "scanned")
    tasks = (DecideTask(), ScreenTask())

    def configure(self, raw: Mapping[str, Any] | None) -> BaseModel | None:
        """Validates the settings and loads every sanctions list now: a missing or malformed list
        stops the run before the first case, naming the file (never a silent empty screen)."""
        config = super().configure(raw)
        try:
            lists_for(config)
        except IngestError as exc:
            raise ConfigError(f"domains.bfsi_kyc.sanctions_lists: {exc}") from exc
        return config

    def resources(self, config: BaseModel | None) -> list[Resource]:
        lists = lists_for(config)
        return [Resource(f"sanctions list: {v.name}", facts=v.model_dump(), warnings=tuple(
            w for w in lists.warnings() if f"'{v.name}'" in w)) for v in lists.versions]

    def build_corpus(self, out_dir: Path, *, n: int = 16, seed: int = 7, scanned: int | None = None) -> Corpus:
        """`scanned`: how many packets also get a scanned copy (default: one of each scenario)."""
        from rightsized.domains.bfsi_kyc.corpus import SCANNED_PACKETS, build_corpus

        return build_corpus(out_dir, n=n, seed=seed, scanned=SCANNED_PACKETS if scanned is None else scanned)

    def real_corpus(self, out_dir: Path, config: BaseModel | None = None) -> Corpus:
        from rightsized.domains.bfsi_kyc.real import build_real_corpus

        return build_real_corpus(out_dir)

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        return {"doc_type": classify_document(path)}


domain = KycDomain()

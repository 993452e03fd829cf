"""BFSI KYC: identity documents with MRZ, proof of address and application forms.

Checks MRZ check digits, expiry, name/DOB/address consistency and sanctions screening, and
decides approve / review / reject with reasons and citations.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from domains.base import Corpus, register
from pipelines.runtime import TierRuntime


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


class KycDomain:
    name = "bfsi_kyc"
    description = "KYC document analysis: MRZ, expiry, consistency, sanctions screening, decision."
    doc_types = ("identity", "proof_of_address", "application")
    label_name = "decision"
    primary_metric = "decision_accuracy"

    def build_corpus(self, out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
        from domains.bfsi_kyc.corpus import build_corpus

        return build_corpus(out_dir, n=n, seed=seed)

    def real_corpus(self, out_dir: Path) -> Corpus:
        from domains.bfsi_kyc.real import build_real_corpus

        return build_real_corpus(out_dir)

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        return {"doc_type": classify_document(path)}

    def run(self, runtime: TierRuntime, case_input: dict[str, Any], **options: Any):  # noqa: ANN201
        from domains.bfsi_kyc.task import run_case

        return run_case(runtime, {**case_input, **options})

    def outcome(self, result: Any) -> dict[str, Any]:
        return {
            "fields": {name: field.value for name, field in result.fields.items()},
            "label": result.decision,
            "flags": {"sanctions_hit": result.check("sanctions_screening").passed is False},
            "failed_checks": sorted(c.name for c in result.checks if c.passed is False),
        }


register(KycDomain())

"""A KYC corpus ingested once, with cases run through the same runner as `rightsized run`."""
from __future__ import annotations

from pathlib import Path

from rightsized.domains.base import GoldCase
from rightsized.domains.bfsi_kyc.models import KycResult
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace


class KycHarness:
    """Usage::

        harness = KycHarness(tmp_path, n=8)
        result = harness.run(harness.corpus.gold[0])   # or harness.run_packet("applicant_001", "small")
        harness.close()
    """

    def __init__(self, data_dir: Path, *, n: int, seed: int = 7, scanned: int = 0) -> None:
        """`scanned`: scanned copies to build (OCR is slow; tests/integration/test_kyc_scanned.py covers them)."""
        self.settings = load_settings(overrides=[f"data_dir={data_dir}"])
        self.domain = get_domain("bfsi_kyc")
        self.task = self.domain.task("decide")
        self.corpus = self.domain.build_corpus(data_dir / "corpus", n=n, seed=seed, scanned=scanned)  # type: ignore[call-arg]
        self.workspace = Workspace(self.settings, domain="bfsi_kyc")
        # A fixed namespace: chunk ids (shown in prompts) and so the small tier's output do not
        # depend on the temporary path.
        self.ingester = DocumentIngester(self.workspace, self.domain, namespace="kyc")

    def ingest(self, packets: list[str], tier: str = "baseline") -> None:
        self.ingester.ingest(tier, [self.corpus.root / p for p in packets])
        assert all(r.ok for r in self.ingester.reports), [r.errors for r in self.ingester.reports]

    def run_packet(self, packet: str, tier: str = "baseline", as_of: str = "2026-06-01") -> KycResult:
        inputs = build_input(self.task.input_model, request={"packet": packet, "as_of": as_of}, base=self.corpus.root)
        done = run_case(self.ingester, tier, self.task, packet, inputs)
        assert done.error is None, (packet, tier, done.error)
        return done.result  # type: ignore[return-value]

    def run(self, case: GoldCase, tier: str = "baseline") -> KycResult:
        return self.run_packet(case.input["packet"], tier, case.input["as_of"])

    def close(self) -> None:
        self.workspace.close()

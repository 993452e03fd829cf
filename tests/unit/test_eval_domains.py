"""An eval imports only the domains its plan names."""
from __future__ import annotations

import pytest

from rightsized.domains import registry
from rightsized.eval import grid
from rightsized.eval.grid import EvalPlan


def test_an_eval_of_one_domain_loads_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading every installed domain cost an eval of KYC the healthcare domain's Presidio and
    transformers imports (~10 s of CPU in every `rightsized eval` process)."""
    loaded: list[str] = []
    load = registry._load

    def recording(entry: registry.DomainEntry) -> object:
        loaded.append(entry.name)
        return load(entry)

    monkeypatch.setattr(registry, "_load", recording)
    domains, failed = grid._load_domains(EvalPlan(domains=["bfsi_kyc"], tiers=["baseline"]))
    assert list(domains) == ["bfsi_kyc"] and failed == {}
    assert loaded == ["bfsi_kyc"]

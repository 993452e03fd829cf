"""The `screen` task through the runner that `rightsized run` and the eval grid use, on real-suite
cases: one listed person per variant kind, ordinary names from several cultures, and a listed
name at a DOB years from the listing's (cleared, yet still in the result)."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from rightsized.domains.base import GoldCase
from rightsized.domains.bfsi_kyc.names import VARIANT_KINDS
from rightsized.domains.bfsi_kyc.real import screening_cases
from rightsized.domains.bfsi_kyc.screening import ScreenResult
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def screen(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    settings = load_settings(overrides=[f"data_dir={tmp_path_factory.mktemp('screen')}"])
    domain = get_domain("bfsi_kyc")
    task = domain.task("screen")
    workspace = Workspace(settings, domain="bfsi_kyc")
    ingester = DocumentIngester(workspace, domain)

    def run(case_id: str, inputs: dict[str, Any]) -> ScreenResult:
        done = run_case(ingester, "baseline", task, case_id, build_input(task.input_model, request=inputs))
        assert done.error is None and not done.ingest_errors, done.error
        assert done.result is not None and done.result.task == "screen" and done.result.usage.llm_calls == 0
        return done.result  # type: ignore[return-value]

    yield task, run
    workspace.close()


@pytest.fixture(scope="module")
def cases() -> list[GoldCase]:
    return screening_cases(listed=len(VARIANT_KINDS), ordinary=5)


def test_one_listed_person_per_variant_kind_is_a_hit_on_their_own_entry(screen: Any, cases: list[GoldCase]) -> None:
    task, run = screen
    listed = [c for c in cases if c.expected["listed"]]
    assert [c.tags[-1] for c in listed] == list(VARIANT_KINDS)
    for case in listed:
        result = run(case.case_id, case.input)
        assert result.decision == "hit", (case.tags[-1], case.input["name"])
        [own] = [h for h in result.hits if h.uid == case.expected["uid"]]
        assert own.status == "hit" and own.dob_status == "match" and own.score >= result.threshold
        assert task.score(case.expected, task.outcome(result))["screen_recall"] == 1.0


def test_ordinary_names_are_clear(screen: Any, cases: list[GoldCase]) -> None:
    task, run = screen
    ordinary = [c for c in cases if not c.expected["listed"]]
    assert len({c.tags[-1] for c in ordinary}) == 5
    for case in ordinary:
        result = run(case.case_id, case.input)
        assert result.decision == "clear" and not [h for h in result.hits if h.status == "hit"], case.input
        assert task.score(case.expected, task.outcome(result))["screen_false_hit_rate"] == 0.0


def test_a_listed_name_born_decades_apart_is_cleared_and_still_shown(screen: Any, cases: list[GoldCase]) -> None:
    task, run = screen
    case = next(c for c in cases if c.tags[-1] == "exact")
    born = date.fromisoformat(case.input["date_of_birth"])
    result = run("namesake", {**case.input, "date_of_birth": born.replace(year=born.year - 30).isoformat()})
    assert result.decision == "clear"
    [own] = [h for h in result.hits if h.uid == case.expected["uid"]]
    assert own.status == "cleared_by_dob" and own.dob_status == "mismatch"
    assert case.input["date_of_birth"] in own.listed_birth_dates
    assert task.outcome(result)["cleared_uids"] == sorted(h.uid for h in result.hits)

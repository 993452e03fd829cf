"""The real suite's corpus from ../shared (MTSamples, MTS-Dialog), its skip reasons and its scoring."""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.healthcare_notes import HealthcareConfig, domain
from rightsized.domains.healthcare_notes.draft import DraftSectionTask, baseline_draft
from rightsized.domains.healthcare_notes.search import SearchTask

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "external" / "healthcare_notes"


def test_unconfigured_real_suite_is_skipped_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(SuiteUnavailable, match="mtsamples_dir is not set.*mts_dialog_dir is not set"):
        domain.real_corpus(tmp_path, HealthcareConfig())
    with pytest.raises(SuiteUnavailable, match="missing"):
        domain.real_corpus(tmp_path, HealthcareConfig(mtsamples_dir=tmp_path, mts_dialog_dir=tmp_path))


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent (the shared external data folder)")
def test_real_corpus_reads_the_configured_folders(tmp_path: Path) -> None:
    config = HealthcareConfig(mtsamples_dir=SHARED / "mtsamples_500", mts_dialog_dir=SHARED / "mts_dialog")
    corpus = domain.real_corpus(tmp_path / "real", config)
    search = [c for c in corpus.gold if c.task == "search"]
    drafts = [c for c in corpus.gold if c.task == "draft_section"]
    assert len(search) == 97  # q024, q029, q066 are flagged degenerate upstream
    assert not {"mtsamples_q024", "mtsamples_q029", "mtsamples_q066"} & {c.case_id for c in search}
    assert len(list((corpus.root / "mtsamples").glob("*.txt"))) == 500
    assert len(drafts) == 200 and all((corpus.root / c.input["dialogue"]).is_file() for c in drafts)
    assert all(c.expected["relevant"] for c in search)


def test_search_and_draft_scoring() -> None:
    search = SearchTask()
    assert search.score({"relevant": ["mts004"]}, {"ranking": ["mts001", "mts004"]}) == \
        {"mrr_at_10": 0.5, "recall_at_10": 1.0}
    assert search.score({"relevant": ["mts004"]}, None) == {"mrr_at_10": 0.0, "recall_at_10": 0.0}
    dialogue = "Doctor: How are you?\nPatient: I have had a cough for three days.\nPatient: Yes.\n"
    assert baseline_draft(dialogue) == "The patient has had a cough for three days."
    scores = DraftSectionTask().score({"section_text": "The patient has had a cough for three days."},
                                      {"text": "The patient has had a cough for three days."})
    assert scores["section_rouge_l"] == pytest.approx(1.0) and scores["section_similarity"] == pytest.approx(1.0, abs=1e-5)

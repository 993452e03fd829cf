"""The real suite's corpus from ../shared (MTSamples, MTS-Dialog), its skip reasons and its scoring."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from rightsized.domains.base import SuiteUnavailable
from rightsized.domains.context import DocumentScope
from rightsized.domains.healthcare_notes import HealthcareConfig, domain
from rightsized.domains.healthcare_notes.draft import DraftSectionTask, baseline_draft
from rightsized.domains.healthcare_notes.search import SearchTask, keyword_query
from rightsized.pipelines.stores.base import SearchHit

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


def test_search_drops_function_words_but_never_clinical_ones() -> None:
    assert keyword_query("What are the risks of a kidney transplant in a 50-year-old?") == \
        "risks kidney transplant 50 year old"
    assert keyword_query("Is there no back pain on the left side after the first dose?") == \
        "no back pain left side after first dose"
    assert keyword_query("What is it?") == "What is it?"  # nothing left: the question as asked


class _Retrieval:
    """Stands in for `TaskContext`: records the query and answers with fixed chunk hits."""

    def __init__(self, hits: list[SearchHit]) -> None:
        self.documents = {"notes": DocumentScope(group="notes")}
        self.hits = hits
        self.queries: list[str] = []

    def retrieve(self, query: str, *, scope: DocumentScope, k: int) -> list[SearchHit]:
        self.queries.append(query)
        return self.hits[:k]


def _hit(chunk_id: str, note: str, score: float) -> SearchHit:
    return SearchHit(chunk_id, score, "", {"doc_id": f"real/mtsamples/{note}.txt"})


def test_search_ranks_each_note_at_its_best_chunk(tmp_path: Path) -> None:
    ctx = _Retrieval([_hit("c1", "mts007", 0.03), _hit("c2", "mts002", 0.02), _hit("c3", "mts007", 0.01),
                      _hit("c4", "mts001", 0.005)])
    inputs = SimpleNamespace(query="What are the indications for a knee arthroscopy?", notes=tmp_path, k=2)
    result = SearchTask().run(ctx, inputs)  # type: ignore[arg-type]
    assert ctx.queries == ["indications knee arthroscopy"] and result.searched_for == ctx.queries[0]
    assert result.notes == ["mts007", "mts002"] and result.citations == ["c1", "c2"]

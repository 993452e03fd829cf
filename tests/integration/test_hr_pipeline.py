"""HR through the real runner: generated PDFs, blind ingest into Milvus Lite, rank and parse."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from rightsized.domains.hr_resume.corpus import make_pool
from rightsized.domains.hr_resume.models import RankResult
from rightsized.domains.hr_resume.rationale import check_rationale
from rightsized.eval.metrics.corpus import reducer
from tests.docx_support import word_resume
from tests.hr_support import HrHarness

pytestmark = [pytest.mark.integration]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HrHarness]:
    built = HrHarness(tmp_path_factory.mktemp("hr"), n=2)  # one pool of ten resumes, one parse case
    yield built
    built.close()


def _rank(harness: HrHarness, tier: str = "baseline") -> tuple[RankResult, dict]:
    case = next(c for c in harness.corpus.gold if c.task == "rank")
    done = harness.run(case, tier)
    assert done.error is None and not done.ingest_errors, (done.error, done.ingest_errors)
    return done.result, harness.scores(case, done.result)  # type: ignore[return-value]


def test_rank_orders_by_relevance_with_evidence_and_fairness(harness: HrHarness) -> None:
    result, scores = _rank(harness)
    assert scores["ndcg_at_5"] == 1.0 and scores["shortlist_accuracy"] == 1.0
    assert scores["counterfactual_pass"] == 1.0 and scores["counterfactual_max_change"] == {"value": 0.0}
    parts = scores["impact_ratio"]  # selected/total per synthetic group: twins are not counted
    assert sum(v for k, v in parts.items() if k.startswith("total:")) == 8 and reducer("impact_ratio").value(parts) == 1.0
    assert len(result.candidates) == 10
    for candidate in result.candidates:
        assert candidate.redacted.get("name") and candidate.redacted.get("contact")  # what blind screening removed
        for item in candidate.breakdown:
            if item.status != "missing":
                assert item.chunk_id in result.retrieved and item.evidence
    kinds = harness.corpus.gold[0].expected["kinds"]
    assert [kinds[c.resume] for c in result.candidates[:3]] == ["strong"] * 3
    stuffer = next(c for c in result.candidates if kinds[c.resume] == "stuffer")
    assert {m.status for m in stuffer.breakdown if m.skill} == {"listed_only"} and not stuffer.shortlisted


def test_nothing_protected_reaches_the_index(harness: HrHarness) -> None:
    _rank(harness)
    _, profiles = make_pool(0, seed=7)
    store = harness.workspace.store("baseline")
    texts = " ".join(r.text for batch in store.iter_records() for r in batch)
    assert texts
    for profile in profiles:
        person = profile.person
        for secret in (person.given, person.surname, person.email, profile.phone, person.nationality):
            assert secret not in texts, secret
    assert "[candidate]" in texts and "Female" not in texts and "Male" not in texts


def test_parse_a_real_pdf(harness: HrHarness) -> None:
    case = next(c for c in harness.corpus.gold if c.task == "parse")
    done = harness.run(case)
    assert done.error is None, done.error
    assert harness.scores(case, done.result) == {"parse_field_accuracy": 1.0}
    assert done.result.parsed.education[0].year is None  # graduation year: an age proxy, removed
    assert done.result.protected_found


def test_parse_a_word_resume_blind(harness: HrHarness, tmp_path: Path) -> None:
    """A .docx resume with its name in the page header and its jobs in a table: read, blind, parsed."""
    document = word_resume("Łukasz Wiśniewski | lukasz.w@example.com",
                           [["Platform Engineer | Acme | Jan 2019 - Dec 2023"],
                            ["- Ran Kubernetes clusters and wrote services in Go"]])
    document.add_paragraph("Reviewed by Wiśniewski's manager.")
    path = tmp_path / "cv.docx"
    document.save(str(path))
    done = harness.run_request("parse", {"resume": str(path)})
    assert done.error is None, done.error
    skills = {s.skill: s for s in done.result.parsed.skills}
    assert skills["Kubernetes"].experience_backed and skills["Kubernetes"].years == pytest.approx(5.0, abs=0.1)
    assert done.result.protected_found.get("name", 0) >= 2
    assert "Wiśniewski" not in done.result.model_dump_json() and "Łukasz" not in done.result.model_dump_json()


def test_parse_refuses_a_bad_file_naming_it(harness: HrHarness, tmp_path: Path, make_bad_files) -> None:
    expected = make_bad_files(tmp_path)
    for name in ("encrypted.pdf", "empty.txt", "scanned.pdf"):
        done = harness.run_request("parse", {"resume": str(tmp_path / name)})
        assert done.result is None and done.error is not None
        assert done.error.type == "IngestError" and name in done.error.message and expected[name] in done.error.message


@pytest.mark.slow
def test_small_tier_rationale_is_validated_or_replaced(harness: HrHarness) -> None:
    result, scores = _rank(harness, "small")
    assert scores["ndcg_at_5"] == 1.0  # the score is the tools', on every tier
    top = result.candidates[0]
    assert result.usage.llm_calls == 1 and result.usage.prompt_tokens
    if top.rationale_source == "llm":
        assert check_rationale(top.rationale or "", top) is None
    else:
        assert top.rationale_source == "template (llm rejected)"
        assert any(w.startswith(f"LLM rationale for {top.resume} rejected") for w in result.warnings)


def test_rank_benchmark_reuses_the_index_on_a_second_ranking(harness: HrHarness) -> None:
    from rightsized.domains.hr_resume.speed import rank_benchmark

    figures = rank_benchmark(harness.domain, harness.workspace, "baseline", resumes=6)
    assert figures["resumes"] == 6 and figures["chunks"] >= 6
    assert figures["second_ranking_documents_embedded"] == 0  # unchanged documents: nothing embedded again
    assert figures["ratio_end_to_end_over_raw_encode"] > 0 and figures["ratio_cpu_this_process"] > 0
    assert figures["top_candidate_score"] == 1.0


def test_skills_task_tags_an_advert_and_refuses_bad_text_naming_it(harness: HrHarness, tmp_path: Path,
                                                                   make_bad_files) -> None:
    """The `skills` task through the runner, on an advert made of two sentences of the shipped
    training half (the tagger has seen them, so it must recover most of their gold spans), with
    spans numbered over the whole advert."""
    from rightsized.domains.hr_resume.skill_spans import TRAIN_CSV, read_green, tokenize

    first, second = [s for s in read_green(TRAIN_CSV) if s.tokens[-1] == "." and len(s.spans) >= 2][:2]
    tokens = [*first.tokens, *second.tokens]
    advert = tmp_path / "advert.txt"
    advert.write_text(" ".join(tokens) + "\n", encoding="utf-8")
    assert tokenize(advert.read_text(encoding="utf-8")) == tokens
    done = harness.run_request("skills", {"text": str(advert)})
    assert done.error is None, done.error
    assert all(span.text == " ".join(tokens[span.start:span.end + 1]) for span in done.result.spans)
    gold = [*first.spans, *[(a + len(first.tokens), b + len(first.tokens)) for a, b in second.spans]]
    task = harness.domain.task("skills")
    twice_tp, total = task.score({"spans": gold}, task.outcome(done.result))["skill_span_f1"]
    assert twice_tp / total >= 0.5, done.result.spans

    expected = make_bad_files(tmp_path / "bad")
    for name in ("empty.txt", "latin1.txt", "blank.md"):
        failed = harness.run_request("skills", {"text": str(tmp_path / "bad" / name)})
        assert failed.result is None and failed.error is not None
        assert failed.error.type == "IngestError" and name in failed.error.message
        assert expected[name] in failed.error.message

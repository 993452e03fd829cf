"""Healthcare end to end on real components: Milvus Lite, real PDFs, real llama.cpp (Gemma 3 270M).

The zero-leak test runs the domain's eval (baseline and small) into a temporary data dir and scans,
for every planted name, SSN, MRN, phone, fax and e-mail: every chunk read back from the Milvus Lite
collections, every prompt the llama.cpp generator received (a wrapper records them), every task
output, every file the run left in the data dir (cases.jsonl, run.json, report.md/html, the
Milvus Lite files themselves) and everything logged. The source corpus is the only place they may be.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from rightsized.domains.healthcare_notes.corpus import LEAK_KINDS
from rightsized.eval.grid import EvalPlan, run_eval
from rightsized.eval.report import write_report
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.generators.llamacpp import LlamaCppGenerator
from tests.healthcare_support import HealthcareHarness, file_texts, find_leaks, planted

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HealthcareHarness]:
    h = HealthcareHarness(tmp_path_factory.mktemp("hc"), n=4)
    yield h
    h.close()


def test_notes_are_redacted_before_they_are_stored(harness: HealthcareHarness) -> None:
    for case in harness.cases("summarize"):
        harness.run(case)
    assert harness.ingester.reports and all(r.ok for r in harness.ingester.reports)
    stored = harness.stored_texts()
    assert stored and any("[NAME]" in t for t in stored) and any("[MRN]" in t for t in stored)
    assert find_leaks(stored, planted(harness.corpus_dir)) == []
    records = [r for batch in harness.workspace.store("baseline").iter_records() for r in batch]
    assert any(r.doc_type == "discharge_summary" for r in records)
    assert all(r.meta.get("redacted", {}).get("NAME", 0) > 0 for r in records)
    pdfs = {r.doc_id for r in records if r.doc_id.endswith(".pdf")}
    assert pdfs  # PDFs went through pypdf and the redactor like the text notes


def test_summaries_cite_retrieved_chunks_and_skip_negations(harness: HealthcareHarness) -> None:
    for case in harness.cases("summarize"):
        result = harness.run(case)
        scores = harness.score(case, result)
        assert scores["negation_errors"] == 0.0
        assert scores["summary_item_recall"][0] / scores["summary_item_recall"][1] >= 0.9
        assert result.cited_ids() <= set(result.retrieved)
        assert all(item.chunk_ids for item in result.problems + result.medications)


def test_ask_answers_or_says_not_found(harness: HealthcareHarness) -> None:
    for case in harness.cases("ask"):
        result = harness.run(case)
        scores = harness.score(case, result)
        assert scores["qa_accuracy"] == 1.0, (case.input, result.answer)
        if case.expected["not_found"]:
            assert result.answer == "not found in the notes" and not result.citations


def test_re_ingest_is_a_no_op_and_a_new_policy_re_ingests(harness: HealthcareHarness, tmp_path: Path) -> None:
    from rightsized.domains.healthcare_notes.redactor import PhiRedactor
    from rightsized.ingest.pipeline import build_ingest_pipeline

    root = harness.corpus.root
    same = build_ingest_pipeline(harness.workspace, "baseline", harness.domain.metadata,
                                 harness.domain.redactor(None)).run([root], namespace="hc")
    assert same.files_ingested == 0 and same.files_unchanged == same.files_seen
    year_only = PhiRedactor(ner_model=None, date_mode="year")
    changed = build_ingest_pipeline(harness.workspace, "baseline", harness.domain.metadata, year_only).run(
        [root], namespace="hc")
    assert changed.files_ingested == changed.files_seen and changed.chunks_deleted > 0


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every prompt the llama.cpp generator receives, recorded before it is generated from."""
    seen: list[str] = []
    original = LlamaCppGenerator.generate

    def recording(self, prompt, **kwargs):  # noqa: ANN001, ANN202 - same signature as the original
        seen.append(prompt if isinstance(prompt, str) else "\n".join(m.content for m in prompt))
        return original(self, prompt, **kwargs)

    monkeypatch.setattr(LlamaCppGenerator, "generate", recording)
    return seen


def test_zero_leaks_in_chunks_prompts_outputs_run_files_and_logs(
        tmp_path: Path, prompts: list[str], caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "data"
    settings = load_settings(overrides=[f"data_dir={data_dir}", "tiers.small.max_tokens=16"])
    with caplog.at_level(logging.INFO):
        run_dir = run_eval(settings, EvalPlan(domains=["healthcare_notes"], tiers=["baseline", "small"],
                                              suite="synthetic", n=4))
        write_report(run_dir)
    corpus_dir = data_dir / "corpus" / "healthcare_notes" / "synthetic"
    values = planted(corpus_dir)
    assert len(values) > 20 and {"@" in v for v in values} == {True, False}
    cases = [json.loads(line) for line in (run_dir / "cases.jsonl").read_text().splitlines()]
    assert {c["tier"] for c in cases} == {"baseline", "small"} and not [c for c in cases if c.get("error")]
    assert prompts, "the small tier was never asked: the prompt scan would prove nothing"
    stored = _stored_chunks(data_dir / "milvus.db")
    assert len(stored) >= 6 and all("[NAME]" in t for t in stored if "Patient" in t)
    files = file_texts(data_dir, skip=[corpus_dir])
    assert any(p.endswith("cases.jsonl") for p in files) and any(p.endswith("report.md") for p in files)
    assert any("milvus" in p for p in files)  # the Milvus Lite files are scanned as bytes too
    outputs = [json.dumps(c.get("outcome")) for c in cases]
    logs = [r.getMessage() for r in caplog.records] + list(capsys.readouterr())
    where = {"stored chunks": stored, "prompts": prompts, "outputs": outputs, "files": list(files.values()), "logs": logs}
    leaks = {place: find_leaks(texts, values) for place, texts in where.items()}
    assert leaks == {place: [] for place in where}, f"planted {', '.join(LEAK_KINDS)} leaked: {leaks}"
    deid = [c for c in cases if c["task"] == "deidentify"]
    assert deid and all(c["scores"]["phi_leaks"] == 0 for c in deid)


def _stored_chunks(path: Path) -> list[str]:
    """Every chunk text of every collection in a Milvus Lite file, read with pymilvus itself."""
    from pymilvus import MilvusClient

    client = MilvusClient(str(path))
    try:
        return [row["text"] for name in client.list_collections()
                for row in client.query(name, filter='id != ""', output_fields=["text"], limit=16000)]
    finally:
        client.close()

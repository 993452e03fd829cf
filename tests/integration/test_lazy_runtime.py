"""A task that never retrieves never loads an embedder or opens a store.

Why: `rightsized run hr_resume parse` (a resume read by the task itself) spent most of its time
loading sentence-transformers and opening Milvus Lite for nothing; a tier's embedder and store
now load on first use.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace
from tests.plugins.toy_forecast import ForecastInput, ToyForecastDomain

pytestmark = [pytest.mark.integration]


def test_a_task_without_ingested_inputs_loads_no_embedder_and_opens_no_store(tmp_path: Path) -> None:
    settings = load_settings(overrides=[f"data_dir={tmp_path / 'data'}"])
    series = tmp_path / "series.csv"
    series.write_text("value\n1\n2\n3\n4\n")
    domain = ToyForecastDomain()
    workspace = Workspace(settings, domain=domain.name)
    try:
        case = run_case(DocumentIngester(workspace, domain), "baseline", domain.task(), "s1",
                        ForecastInput(series=series, horizon=2))
        assert case.error is None and case.result.forecast == [4.0, 4.0]
        runtime = workspace.tier("baseline")
        assert "embedder" not in vars(runtime) and "store" not in vars(runtime)  # never built
        assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.db"))
        assert runtime.retriever.retrieve("anything", k=1) == []  # first use loads them, empty store
        assert "store" in vars(runtime)
    finally:
        workspace.close()


def test_deleting_or_re_ingesting_unchanged_files_never_loads_the_model(tmp_path: Path, text_pdf) -> None:  # noqa: ANN001
    """`rightsized delete` and a re-ingest that finds every file unchanged need the store, which
    needs only the embedder's id and vector size: loading sentence-transformers for them cost
    ~11 s of CPU per command (13.4 s -> 2.5 s for a delete, measured on 2 idle cores)."""
    from rightsized.ingest.pipeline import build_ingest_pipeline

    settings = load_settings(overrides=[f"data_dir={tmp_path / 'data'}"])
    folder = tmp_path / "docs"
    folder.mkdir()
    text_pdf(folder / "letter.pdf", ["Dear customer, your account number is 12345."])
    first = Workspace(settings, domain="bfsi_kyc")
    try:
        report = build_ingest_pipeline(first, "baseline").run([folder])
        assert report.files_ingested == 1 and report.chunks_added >= 1
    finally:
        first.close()
    again = Workspace(settings, domain="bfsi_kyc")
    try:
        store = again.store("baseline")
        assert store.dimension == 384
        report = build_ingest_pipeline(again, "baseline").run([folder])
        assert report.files_unchanged == 1 and report.chunks_added == 0
        [embedder] = again._embedders.values()
        assert embedder._model is None  # never loaded
        assert store.delete_document(report.doc_ids[0]) >= 1
        assert embedder._model is None
    finally:
        again.close()


def test_the_vector_size_is_read_from_the_model_files_only_when_they_fix_it(tmp_path: Path) -> None:
    import json

    from rightsized.pipelines.config import SentenceTransformerEmbedderConfig
    from rightsized.pipelines.embedders.sentence_transformer import (
        SentenceTransformerEmbedder,
        declared_dimension,
        resolve_model_path,
    )

    packaged = Path(resolve_model_path("all-MiniLM-L6-v2"))
    embedder = SentenceTransformerEmbedder(SentenceTransformerEmbedderConfig())
    embedder.warm_up()
    assert declared_dimension(packaged) == embedder.dimension == 384  # the loaded model agrees

    def saved(modules: list[str], **pooling: object) -> Path:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        (folder / "1_Pooling").mkdir(parents=True)
        (folder / "modules.json").write_text(json.dumps(
            [{"idx": i, "name": str(i), "path": "1_Pooling" if kind == "Pooling" else f"{i}_{kind}",
              "type": f"sentence_transformers.models.{kind}"} for i, kind in enumerate(modules)]))
        (folder / "1_Pooling" / "config.json").write_text(json.dumps(
            {"word_embedding_dimension": 768, "pooling_mode_mean_tokens": True, **pooling}))
        return folder

    assert declared_dimension(saved(["Transformer", "Pooling", "Normalize"])) == 768
    assert declared_dimension(saved(["Transformer", "Pooling", "Dense"])) is None  # Dense changes it
    assert declared_dimension(saved(["Transformer", "Pooling"], pooling_mode_max_tokens=True)) is None  # concatenated
    assert declared_dimension(tmp_path / "missing") is None

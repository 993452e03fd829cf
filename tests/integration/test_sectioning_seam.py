"""The sectioning seam: a domain splits loaded text into units a chunk must not cross, so a table
row is stored (and cited) whole, through every path that ingests (pipeline, `run`).

Real components: a real PDF (fpdf2 writes it, pypdf reads it), Milvus Lite files and the baseline
embedder. The table is one page of 18 rows (~400 words, each row wrapped over lines as table cells are):
the 200-word chunker alone cuts rows or repeats them in two chunks' overlap.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF
from pydantic import BaseModel

from rightsized.domains.base import Corpus, Domain, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import documents
from rightsized.domains.results import TaskResult
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.ingest.pipeline import build_ingest_pipeline
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.documents import Section
from rightsized.pipelines.runtime import Workspace

pytestmark = [pytest.mark.integration]

ROWS = [f"ROW {i:02d} | symptom spindle alarm {i} trips | probable cause coolant pump {i} worn | "
        f"remedy replace pump seal kit P-{1000 + i} and check flow" for i in range(18)]
ROW = re.compile(r"ROW \d\d \|.*?check\s+flow", re.DOTALL)


class RowSectioner:
    """Each table row its own section, the text around the table kept in between."""

    def __init__(self, version: str = "v1", *, lose_text: bool = False) -> None:
        self.fingerprint = f"rows:{version}"
        self.lose_text = lose_text
        self.calls = 0

    def split(self, section: Section) -> list[Section]:
        self.calls += 1
        parts, start = [], 0
        for match in ROW.finditer(section.text):
            parts += [section.text[start:match.start()], match.group(0)]
            start = match.end()
        parts.append(section.text[start:])
        if self.lose_text:
            parts = parts[:-2]
        return [Section(text, section.page) for text in parts if text.strip()]


def _manual(folder: Path, name: str = "manual.pdf") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=7)
    pdf.add_page()
    pdf.multi_cell(0, 4, "Troubleshooting table. Read the row for the symptom you see.", new_x="LMARGIN", new_y="NEXT")
    for row in ROWS:
        pdf.multi_cell(70, 4, row, new_x="LMARGIN", new_y="NEXT")  # a row wraps over lines, as cells do
    pdf.add_page()
    pdf.multi_cell(0, 4, "Maintenance intervals: grease the spindle every 500 hours.", new_x="LMARGIN", new_y="NEXT")
    path = folder / name
    pdf.output(str(path))
    return path


def _stored(workspace: Workspace) -> list[Any]:
    return workspace.store("baseline").search_text("symptom probable cause remedy pump seal", k=200)


def _whole_rows(texts: list[str]) -> dict[str, int]:
    """Row number -> how many stored chunks hold the whole row."""
    return {row[:6]: sum(" ".join(row.split()) in " ".join(t.split()) for t in texts) for row in ROWS}


def test_rows_are_whole_in_exactly_one_chunk_only_with_the_domain_sectioner(tmp_path: Path) -> None:
    settings = load_settings(overrides=[f"data_dir={tmp_path / 'data'}"])
    _manual(tmp_path / "plain")
    _manual(tmp_path / "sectioned")
    workspace = Workspace(settings, domain="probe")
    try:
        build_ingest_pipeline(workspace, "baseline").run([tmp_path / "plain"])
        plain = _whole_rows([h.text for h in _stored(workspace) if "plain" in h.metadata["doc_id"]])
        # Without it, the word-count chunker cuts rows or repeats them in the overlap of two chunks.
        assert set(plain.values()) != {1}

        sectioner = RowSectioner()
        report = build_ingest_pipeline(workspace, "baseline", sectioner=sectioner).run([tmp_path / "sectioned"])
        assert report.ok and report.files_ingested == 1
        hits = [h for h in _stored(workspace) if "sectioned" in h.metadata["doc_id"]]
        assert set(_whole_rows([h.text for h in hits]).values()) == {1}
        assert {h.metadata["page"] for h in hits if "ROW" in h.text} == {1}  # the page survives the split

        calls = sectioner.calls
        again = build_ingest_pipeline(workspace, "baseline", sectioner=sectioner).run([tmp_path / "sectioned"])
        assert (again.files_unchanged, again.chunks_added, sectioner.calls) == (1, 0, calls)
        changed = build_ingest_pipeline(workspace, "baseline", sectioner=RowSectioner("v2")).run([tmp_path / "sectioned"])
        assert changed.files_ingested == 1 and changed.chunks_deleted >= 1  # new rules re-section
    finally:
        workspace.close()


def test_a_sectioner_that_loses_text_fails_that_file_only_naming_it(tmp_path: Path) -> None:
    settings = load_settings(overrides=[f"data_dir={tmp_path / 'data'}"])
    _manual(tmp_path / "intake", "a_manual.pdf")
    (tmp_path / "intake" / "b_note.txt").write_text("No table here, just a note about the spindle.\n")
    workspace = Workspace(settings, domain="probe")
    try:
        with pytest.raises(Exception, match=r"a_manual\.pdf.*sectioner \(rows:v1\) changed the text of page 1"):
            build_ingest_pipeline(workspace, "baseline", sectioner=RowSectioner(lose_text=True)).run(
                [tmp_path / "intake"])
    finally:
        workspace.close()


class FindInput(BaseModel):
    manual: Path = documents("A folder of manuals.")
    symptom: str = "spindle alarm 7 trips"


class FindResult(TaskResult):
    row: str


class FindTask(Task[FindInput, FindResult]):
    name = "find"
    description = "The table row for a symptom."
    input_model = FindInput
    result_model = FindResult

    def run(self, ctx: TaskContext, inputs: FindInput) -> FindResult:
        hit = ctx.retrieve(inputs.symptom, scope=ctx.documents["manual"], k=1)[0]
        return FindResult(row=hit.text, citations=[hit.chunk_id])


class ManualDomain(Domain):
    name = "sectioning_probe"
    description = "A domain whose manuals have table rows."
    tasks = (FindTask(),)

    def sectioner(self, config: BaseModel | None) -> RowSectioner:
        return RowSectioner()

    def build_corpus(self, out_dir: Path, *, n: int, seed: int) -> Corpus:  # pragma: no cover - not built here
        raise NotImplementedError


def test_run_ingests_through_the_domain_sectioner(tmp_path: Path) -> None:
    settings = load_settings(overrides=[f"data_dir={tmp_path / 'data'}"])
    folder = tmp_path / "manuals"
    _manual(folder)
    domain = ManualDomain()
    workspace = Workspace(settings, domain=domain.name)
    try:
        case = run_case(DocumentIngester(workspace, domain), "baseline", domain.task(), "c1", FindInput(manual=folder))
    finally:
        workspace.close()
    assert case.error is None, case.error
    assert case.result.row.startswith("ROW ") and " ".join(case.result.row.split()).endswith("check flow")  # one whole row

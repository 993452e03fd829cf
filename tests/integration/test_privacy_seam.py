"""The privacy seam: a domain's redactor runs before text is stored, and its external-tier policy
before a prompt leaves the machine — whichever path (ingest, run, eval, API) carries the text.

Real components: Milvus Lite files, MiniLM, and the extractive generator on a tier marked
`external` (it answers with a sentence of the prompt it was sent, so what it returns is what
left the machine).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from rightsized.domains.base import Corpus, Domain, GoldCase, Task
from rightsized.domains.context import TaskContext
from rightsized.domains.inputs import documents
from rightsized.domains.privacy import Redaction
from rightsized.domains.results import TaskResult
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.eval.bench import bench_ingest
from rightsized.ingest.pipeline import build_ingest_pipeline
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.errors import PolicyError
from rightsized.pipelines.prompts import ContextChunk, build_prompt
from rightsized.pipelines.runtime import Workspace

pytestmark = [pytest.mark.integration]

SECRET = re.compile(r"SECRET-\d+")


class SecretRedactor:
    """Replaces SECRET-<digits> with [ID]; counts its calls so re-redaction is visible."""

    def __init__(self, version: str = "v1") -> None:
        self.fingerprint = f"secret-redactor:{version}"
        self.calls = 0

    def redact(self, text: str, *, key: str) -> Redaction:
        self.calls += 1
        found = len(SECRET.findall(text))
        return Redaction(SECRET.sub("[ID]", text), {"id": found} if found else {})


class AskInput(BaseModel):
    notes: Path = documents("A folder of notes.")
    question: str = "Who holds the account?"


class AskResult(TaskResult):
    answer: str
    prompt_chunks: list[str]


class AskTask(Task[AskInput, AskResult]):
    name = "ask"
    description = "Answer from the notes through the tier's generator."
    input_model = AskInput
    result_model = AskResult

    def run(self, ctx: TaskContext, inputs: AskInput) -> AskResult:
        hits = ctx.retrieve(inputs.question, scope=ctx.documents["notes"])
        # The prompt carries an identifier the stored chunks cannot have (a form field, say).
        form = ContextChunk("form", "The account holder is SECRET-999.")
        answer = ctx.generate(build_prompt("Answer.", inputs.question, [form])).text
        return AskResult(answer=answer, prompt_chunks=[h.text for h in hits])


class SensitiveDomain(Domain):
    name = "privacy_probe"
    description = "A sensitive test domain with a redactor."
    sensitive = True
    tasks = (AskTask(),)

    def __init__(self, redactor: SecretRedactor | None, policy: str = "redacted") -> None:
        self._redactor = redactor
        self.external_policy = policy  # type: ignore[misc]

    def redactor(self, config: BaseModel | None) -> SecretRedactor | None:
        return self._redactor

    def build_corpus(self, out_dir: Path, *, n: int, seed: int) -> Corpus:
        root = out_dir / "documents"
        gold = []
        for i in range(n):
            (root / f"case_{i}").mkdir(parents=True)
            (root / f"case_{i}" / "note.txt").write_text(f"Holder SECRET-{seed}{i} of account {i}. " * 40)
            gold.append(GoldCase(f"c{i}", self.name, "ask", {"notes": f"case_{i}"}, {}))
        # A table beside the notes that no task ingests (a task would read it itself).
        (root / "accounts.csv").write_text("account,holder\n" + "".join(f"{i},SECRET-{i}\n" for i in range(50)))
        return Corpus(root, gold)


def _settings(tmp_path: Path, *, external: bool) -> Any:
    return load_settings(overrides=[f"data_dir={tmp_path / 'data'}", f"tiers.baseline.external={str(external).lower()}"])


def _notes(tmp_path: Path) -> Path:
    folder = tmp_path / "intake" / "case_1"
    folder.mkdir(parents=True)
    (folder / "note.txt").write_text("The account holder is SECRET-123. The holder lives in Leeds.\n")
    return folder


def _stored_texts(workspace: Workspace) -> list[str]:
    store = workspace.store("baseline")
    return [hit.text for hit in store.search_text("holder account SECRET", k=50)]


def test_ingest_redacts_before_storing_and_skips_unchanged_documents(tmp_path: Path) -> None:
    settings = _settings(tmp_path, external=False)
    folder = _notes(tmp_path)
    redactor = SecretRedactor()
    workspace = Workspace(settings, domain="privacy_probe")
    try:
        report = build_ingest_pipeline(workspace, "baseline", redactor=redactor).run([folder.parent])
        assert report.ok and report.files_ingested == 1
        texts = _stored_texts(workspace)
        assert texts and all("SECRET-" not in t for t in texts) and any("[ID]" in t for t in texts)
        hit = workspace.store("baseline").search_text("holder", k=1)[0]
        assert hit.metadata["redacted"] == {"id": 1}

        calls = redactor.calls
        again = build_ingest_pipeline(workspace, "baseline", redactor=redactor).run([folder.parent])
        assert again.files_unchanged == 1 and again.chunks_added == 0
        assert redactor.calls == calls  # an unchanged file is recognised without redacting it again

        stricter = SecretRedactor("v2")
        changed = build_ingest_pipeline(workspace, "baseline", redactor=stricter).run([folder.parent])
        assert changed.files_ingested == 1 and changed.chunks_deleted >= 1  # a new policy re-redacts
    finally:
        workspace.close()


def _run(tmp_path: Path, domain: SensitiveDomain, *, external: bool) -> Any:
    settings = _settings(tmp_path, external=external)
    folder = _notes(tmp_path)
    workspace = Workspace(settings, domain=domain.name)
    try:
        ingester = DocumentIngester(workspace, domain)
        return run_case(ingester, "baseline", domain.task(), "case_1", AskInput(notes=folder))
    finally:
        workspace.close()


def test_an_external_tier_gets_only_redacted_text(tmp_path: Path) -> None:
    case = _run(tmp_path, SensitiveDomain(SecretRedactor()), external=True)
    assert case.ok, case.error
    assert all("SECRET-" not in t for t in case.result.prompt_chunks)  # stored redacted
    assert "SECRET-999" not in case.result.answer  # the prompt's own identifier was redacted too
    assert "[ID]" in case.result.answer


def test_a_local_tier_gets_the_prompt_as_written(tmp_path: Path) -> None:
    case = _run(tmp_path, SensitiveDomain(SecretRedactor()), external=False)
    assert case.ok, case.error
    assert "SECRET-999" in case.result.answer  # not external: the question is not redacted


@pytest.mark.parametrize(("redactor", "policy", "reason"), [
    (SecretRedactor(), "never", "never sends text off this machine"),
    (None, "redacted", "has no redactor"),
])
def test_the_policy_refuses_an_external_tier(tmp_path: Path, redactor: SecretRedactor | None, policy: str,
                                             reason: str) -> None:
    case = _run(tmp_path, SensitiveDomain(redactor, policy), external=True)
    assert case.error is not None and case.error.type == PolicyError.__name__
    assert reason in case.error.message


def test_a_domain_that_allows_external_tiers_sends_the_prompt_unchanged(tmp_path: Path) -> None:
    case = _run(tmp_path, SensitiveDomain(None, "allow"), external=True)
    assert case.ok, case.error
    assert "SECRET-999" in case.result.answer


def test_policies_bind_only_sensitive_domains(tmp_path: Path) -> None:
    domain = SensitiveDomain(None, "never")
    type(domain).sensitive = False
    try:
        case = _run(tmp_path, domain, external=True)
    finally:
        type(domain).sensitive = True
    assert case.ok, case.error


def test_the_ingest_benchmark_times_a_domain_redactor_on_its_own_corpus(tmp_path: Path) -> None:
    redactor = SecretRedactor()
    report = bench_ingest(_settings(tmp_path, external=False), docs=3, domain=SensitiveDomain(redactor))
    # Only what the tasks ingest: the three notes, not the table beside them.
    assert report["corpus"] == "privacy_probe sample corpus" and report["documents"] == 3
    assert report["chunks_stored"] == report["chunks"] > 0
    assert redactor.calls >= 3 + 3  # once for the raw encode's chunks, once inside the timed path
    assert 0 < report["redaction_share_of_path"] < 1 and report["redaction_docs_per_s"] > 0

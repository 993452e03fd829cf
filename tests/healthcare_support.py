"""A healthcare sample corpus ingested once, with cases run through the same runner as `rightsized run`,
and a scan for planted identifiers in text, files and stored chunks."""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rightsized.domains.base import GoldCase
from rightsized.domains.healthcare_notes.corpus import LEAK_KINDS, read_phi
from rightsized.domains.inputs import build_input
from rightsized.domains.registry import get_domain
from rightsized.domains.results import TaskResult
from rightsized.domains.runner import DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace


class HealthcareHarness:
    """Usage::

        harness = HealthcareHarness(tmp_path, n=4)
        result = harness.run(harness.cases("summarize")[0])
        harness.close()
    """

    def __init__(self, data_dir: Path, *, n: int, seed: int = 7) -> None:
        self.settings = load_settings(overrides=[f"data_dir={data_dir}"])
        self.domain = get_domain("healthcare_notes")
        self.corpus_dir = data_dir / "corpus"
        self.corpus = self.domain.build_corpus(self.corpus_dir, n=n, seed=seed)
        self.workspace = Workspace(self.settings, domain="healthcare_notes")
        self.ingester = DocumentIngester(self.workspace, self.domain, namespace="hc")

    def cases(self, task: str) -> list[GoldCase]:
        return [c for c in self.corpus.gold if c.task == task]

    def run(self, case: GoldCase, tier: str = "baseline") -> TaskResult:
        task = self.domain.task(case.task)
        inputs = build_input(task.input_model, request=case.input, base=self.corpus.root)
        done = run_case(self.ingester, tier, task, case.case_id, inputs)
        assert done.error is None, (case.case_id, tier, done.error)
        return done.result  # type: ignore[return-value]

    def score(self, case: GoldCase, result: TaskResult) -> dict:
        task = self.domain.task(case.task)
        return task.score(case.expected, task.outcome(result))

    def stored_texts(self, tier: str = "baseline") -> list[str]:
        """Every chunk text in the tier's Milvus Lite collection, read back from the store."""
        return [r.text for batch in self.workspace.store(tier).iter_records() for r in batch]

    def close(self) -> None:
        self.workspace.close()


def planted(corpus_dir: Path, kinds: Iterable[str] = LEAK_KINDS) -> list[str]:
    """The planted identifier values of the given kinds, plus each word of every planted name."""
    wanted = set(kinds)
    values: set[str] = set()
    for row in read_phi(corpus_dir):
        if row["kind"] not in wanted:
            continue
        values.add(row["value"])
        if row["kind"] == "NAME":
            values.update(w.strip(",") for w in row["value"].split() if len(w.strip(",")) >= 3)
    return sorted(values)


def find_leaks(texts: Iterable[str], values: Iterable[str]) -> list[str]:
    """Planted values found as whole words (case-insensitive) in any text."""
    patterns = [(v, re.compile(rf"(?<![\w]){re.escape(v)}(?![\w])", re.I)) for v in values]
    leaks = []
    for text in texts:
        leaks += [v for v, p in patterns if p.search(text)]
    return sorted(set(leaks))


def file_texts(root: Path, skip: Iterable[Path] = ()) -> dict[str, str]:
    """Every file under `root` (binary ones decoded leniently: Milvus segments, logs), except `skip`."""
    skipped = [Path(s).resolve() for s in skip]
    out = {}
    for path in root.rglob("*"):
        if path.is_file() and not any(path.resolve().is_relative_to(s) for s in skipped):
            out[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return out

"""The `real` healthcare suite, from public data read where the user configured it.

- MTSamples (500 notes, 100 clinician queries, `domains.healthcare_notes.mtsamples_dir`): the
  `search` task, MRR@10 and recall@10 per tier's retrieval settings on the 97 valid queries (the 3
  flagged degenerate upstream are left out; a byte-identical twin of the gold note counts as a
  hit). The MTSamples terms do not allow redistribution: the notes are read from the configured
  folder and written as text files only under the run's own data dir (the eval corpus folder),
  never into this repository.
- MTS-Dialog (CC BY 4.0, Ben Abacha et al., EACL 2023; `domains.healthcare_notes.mts_dialog_dir`):
  the `draft_section` task on the 200 dialogues of the MEDIQA-Chat 2023 Task A test set, scored
  against the reference note section.
Either part runs when its folder is configured and present; with neither, the suite is skipped
with the reason. Nothing was tuned on these sets.
"""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from rightsized.domains.base import Corpus, GoldCase, SuiteUnavailable, write_gold

DOMAIN = "healthcare_notes"
MTSAMPLES_FILES = ("mtsamples_500.csv", "retrieval_queries.jsonl")
DIALOG_FILE = "MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv"


def _mtsamples(folder: Path, documents: Path) -> list[GoldCase]:
    notes = documents / "mtsamples"
    notes.mkdir(parents=True, exist_ok=True)
    by_hash: dict[str, list[str]] = {}
    with (folder / MTSAMPLES_FILES[0]).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            (notes / f"{row['doc_id']}.txt").write_text(row["text"], encoding="utf-8")
            by_hash.setdefault(hashlib.sha256(row["text"].encode()).hexdigest(), []).append(row["doc_id"])
    twins = {doc: group for group in by_hash.values() for doc in group}
    cases = []
    for line in (folder / MTSAMPLES_FILES[1]).read_text(encoding="utf-8").splitlines():
        query = json.loads(line)
        if query["degenerate_query"]:
            continue
        cases.append(GoldCase(
            case_id=f"mtsamples_{query['query_id']}", domain=DOMAIN, task="search",
            input={"notes": "mtsamples", "query": query["query_natural_language"], "k": 10},
            expected={"relevant": sorted(twins.get(query["gold_doc_id"], [query["gold_doc_id"]]))},
            tags=("real", "mtsamples", "search")))
    return cases


def _mts_dialog(folder: Path, documents: Path) -> list[GoldCase]:
    dialogues = documents / "mts_dialog"
    dialogues.mkdir(parents=True, exist_ok=True)
    cases = []
    with (folder / DIALOG_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            name = f"dialogue_{int(row['ID']):03d}.txt"
            (dialogues / name).write_text(row["dialogue"], encoding="utf-8")
            cases.append(GoldCase(
                case_id=f"mts_dialog_{int(row['ID']):03d}", domain=DOMAIN, task="draft_section",
                input={"dialogue": f"mts_dialog/{name}", "section": row["section_header"]},
                expected={"section_text": row["section_text"]},
                tags=("real", "mts_dialog", row["section_header"])))
    return cases


def build_real_corpus(out_dir: Path, config: object) -> Corpus:
    mtsamples: Path | None = getattr(config, "mtsamples_dir", None)
    dialog: Path | None = getattr(config, "mts_dialog_dir", None)
    documents = out_dir / "documents"
    gold: list[GoldCase] = []
    problems = []
    if mtsamples is None:
        problems.append("domains.healthcare_notes.mtsamples_dir is not set")
    elif not all((Path(mtsamples) / f).is_file() for f in MTSAMPLES_FILES):
        problems.append(f"{mtsamples}: missing {' or '.join(MTSAMPLES_FILES)}")
    else:
        gold += _mtsamples(Path(mtsamples), documents)
    if dialog is None:
        problems.append("domains.healthcare_notes.mts_dialog_dir is not set")
    elif not (Path(dialog) / DIALOG_FILE).is_file():
        problems.append(f"{dialog}: missing {DIALOG_FILE}")
    else:
        gold += _mts_dialog(Path(dialog), documents)
    if not gold:
        raise SuiteUnavailable("; ".join(problems) + " (see domains/healthcare_notes/README.md)")
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(documents, gold)

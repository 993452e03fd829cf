"""The `real` suite: public data we did not make (../shared/data/external/hr_resume).

Vanetik & Kogan (2023), "Job Vacancy Ranking with Sentence Embeddings, Keywords, and Named
Entities", Information 14(8):468 — 65 anonymised IT CVs, 5 software-developer vacancies, and
two annotators' orderings of the 5 vacancies for CVs 1-30 (annotator 1) and 1-20 (annotator 2).
GPL-3.0: read from `domains.hr_resume.vanetik_dir`, never copied into this repository; the CVs are
ranked where they lie, only the five posting texts are written to the run's data directory.

How the labels are read (stated, not tuned): each array lists vacancy numbers from best to worst
("place 1 in the annotation array" is the best), vacancies numbered in the CSV's row order; a CV's
grade for a vacancy is 6 - its place (5 best .. 1 worst); arrays that are not permutations
(annotator 1, CVs 9 and 28) are left out. One case per vacancy and annotator ranks all 65 CVs
(the unlabelled ones are distractors) and is scored on the labelled ones: nDCG@5 and Spearman.
The annotators agree weakly (`annotator_agreement`): the suite reports it and is not tuned to it.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rightsized.domains.base import Corpus, GoldCase, SuiteUnavailable, write_gold
from rightsized.eval.metrics import spearman

VANETIK_FILES = ("5_vacancies.csv", "rankings.json", "cv_text")
AS_OF = "2023-08-01"  # the dataset's publication: "present" in a CV ends there


def vanetik_labels(folder: Path) -> dict[str, dict[str, dict[str, int]]]:
    """annotator -> vacancy number ("1".."5") -> CV file name -> grade (5 best .. 1 worst)."""
    items = json.loads((folder / "rankings.json").read_text(encoding="utf-8"))["items"]
    labels: dict[str, dict[str, dict[str, int]]] = {}
    for annotator in ("annotator_1", "annotator_2"):
        for item in items:
            order = item.get(f"{annotator}_array")
            if not order or not item.get(f"{annotator}_is_permutation"):
                continue
            for place, vacancy in enumerate(order, start=1):
                labels.setdefault(annotator, {}).setdefault(str(vacancy), {})[Path(item["cv_file"]).name] = 6 - place
    return labels


def annotator_agreement(labels: dict[str, dict[str, dict[str, int]]]) -> float | None:
    """Mean Spearman, over the CVs both annotators ordered, of their grades of the 5 vacancies."""
    first, second = labels.get("annotator_1", {}), labels.get("annotator_2", {})
    cvs = set.intersection(*(set(v) for v in (*first.values(), *second.values()))) if first and second else set()
    values = [spearman([first[v][cv] for v in sorted(first)], [second[v][cv] for v in sorted(first)]) for cv in sorted(cvs)]
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 3) if values else None


def build_real_corpus(out_dir: Path, config: BaseModel | None) -> Corpus:
    """Vanetik cases when `vanetik_dir` is set, Green cases when `green_dir` is set; unavailable
    (with the reason) when neither is."""
    vanetik, green = getattr(config, "vanetik_dir", None), getattr(config, "green_dir", None)
    if vanetik is None and green is None:
        raise SuiteUnavailable("set domains.hr_resume.vanetik_dir (Vanetik & Kogan 2023, GPL-3.0: read where it lies, "
                               "never copied) and/or domains.hr_resume.green_dir (Green et al. 2022, CC BY 4.0)")
    documents = out_dir / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    gold = _vanetik_cases(Path(vanetik).expanduser().resolve(), documents) if vanetik else []
    if green:
        gold += _green_cases(Path(green).expanduser().resolve(), documents)
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(documents, gold)


def _green_cases(folder: Path, documents: Path) -> list[GoldCase]:
    """One case per test-half sentence (even ids), written as its tokens joined by spaces."""
    from rightsized.domains.hr_resume.skill_spans import read_green, split

    if not (folder / "df_testset.csv").is_file():
        raise SuiteUnavailable(f"domains.hr_resume.green_dir={folder}: missing df_testset.csv")
    _, test = split(read_green(folder / "df_testset.csv"))
    out = documents / "green"
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for sentence in test:
        name = f"sentence_{sentence.sentence_id:03d}.txt"
        (out / name).write_text(" ".join(sentence.tokens) + "\n", encoding="utf-8")
        cases.append(GoldCase(case_id=f"green_{sentence.sentence_id:03d}", domain="hr_resume", task="skills",
                              input={"text": f"green/{name}"}, expected={"spans": [list(s) for s in sentence.spans]},
                              tags=("real", "green"), notes="Green et al. 2022 test half (even sentence ids), CC BY 4.0"))
    return cases


def _vanetik_cases(folder: Path, documents: Path) -> list[GoldCase]:
    missing = [name for name in VANETIK_FILES if not (folder / name).exists()]
    if missing:
        raise SuiteUnavailable(f"domains.hr_resume.vanetik_dir={folder}: missing {', '.join(missing)}")
    jobs = documents / "vanetik_jobs"
    jobs.mkdir(parents=True, exist_ok=True)
    with (folder / "5_vacancies.csv").open(newline="", encoding="utf-8") as handle:
        vacancies = list(csv.DictReader(handle))
    labels = vanetik_labels(folder)
    agreement = annotator_agreement(labels)
    gold: list[GoldCase] = []
    for number, row in enumerate(vacancies, start=1):
        job = jobs / f"vacancy_{number}.txt"
        job.write_text(f"{row['job_title']}\n{row['job_description']}\n", encoding="utf-8")
        for annotator, by_vacancy in sorted(labels.items()):
            grades: dict[str, Any] = by_vacancy.get(str(number), {})
            gold.append(GoldCase(
                case_id=f"vanetik_v{number}_{annotator}", domain="hr_resume", task="rank",
                input={"job": f"vanetik_jobs/{job.name}", "resumes": str(folder / "cv_text"), "as_of": AS_OF, "top": 100},
                expected={"relevance": grades, "shortlist": False},
                tags=("real", "vanetik", annotator),
                notes=f"{row['job_title']}; {len(grades)} graded CVs; annotators agree at mean Spearman {agreement}"))
    return gold

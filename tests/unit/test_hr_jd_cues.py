"""JD cues a probe found misread: headings, minimum years per skill, slash-joined skills,
inline nice-to-have cues, comma lists ending in "or", and a posting with no must-have skill."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from rightsized.domains.context import DocumentScope
from rightsized.domains.hr_resume import taxonomy
from rightsized.domains.hr_resume.jd import _heading, extract_requirements
from rightsized.domains.hr_resume.task import RankInput, RankTask
from rightsized.domains.hr_resume.taxonomy import find_skills
from rightsized.pipelines.stores.base import SearchHit


def _requirements(text: str) -> list[tuple[list[str], bool, float | None]]:
    return [(r.skills, r.must, r.min_years) for r in extract_requirements(text).requirements]


MUST = ("What you'll need", "What you’ll need", "Your profile", "What we expect", "What you bring", "Who you are",
        "You have", "Must have", "Essential", "Qualifications", "Minimum qualifications", "Basic qualifications")
NICE = ("Preferred qualifications", "Bonus points", "Nice to have", "Nice-to-haves", "Desirable")
MARKUP = ("{}", "## {}", "**{}:**", "{}:", "### {}:", "__{}__")


@pytest.mark.parametrize("markup", MARKUP)
@pytest.mark.parametrize(("heading", "kind"), [(h, "must") for h in MUST] + [(h, "nice") for h in NICE])
def test_common_headings_are_read_however_marked(heading: str, kind: str, markup: str) -> None:
    assert _heading(markup.format(heading)) == kind


def test_a_posting_under_what_youll_need_has_musts() -> None:
    job = "# Backend Engineer\n## About the role\nYou build APIs.\n## What you'll need\n- Go\n## Nice-to-haves\n- Kafka\n"
    assert _requirements(job) == [(["Go"], True, None), (["Kafka"], False, None)]


@pytest.mark.parametrize(("line", "expected"), [
    # Each skill takes the years phrase of its own clause; the one no skill takes is overall experience.
    ("5+ years of backend development, including 2+ years with Go", [(["Go"], 2.0), ([], 5.0)]),
    ("5+ years of Python, 3+ years of Go", [(["Python"], 5.0), (["Go"], 3.0)]),
    ("Python (5+ years) and Go (2+ years)", [(["Python"], 5.0), (["Go"], 2.0)]),
    ("5+ years of Python, Django and Flask", [(["Python"], 5.0), (["Django"], 5.0), (["Flask"], 5.0)]),
    # A range's lower bound is the minimum.
    ("3-5 years of experience with Kubernetes (k8s)", [(["Kubernetes"], 3.0)]),
    ("three to five years of Java", [(["Java"], 3.0)]),
    # Minimums written in words, with no skill: overall experience, with or without "experience".
    ("5 or more years of professional experience", [([], 5.0)]),
    ("At least 4 years in data engineering", [([], 4.0)]),
    ("Minimum of 6 years in software", [([], 6.0)]),
    ("5 years' experience in a similar role", [([], 5.0)]),
    ("4+ years building data pipelines", [([], 4.0)]),
])
def test_minimum_years_per_skill_and_overall(line: str, expected: list[tuple[list[str], float | None]]) -> None:
    assert [(skills, years) for skills, _, years in _requirements(f"Engineer\nRequirements\n- {line}\n")] == expected


def test_years_not_written_as_a_minimum_or_about_experience_are_no_requirement() -> None:
    assert _requirements("Engineer\nRequirements\n- Python\n- A team founded 12 years ago\n") == [(["Python"], True, None)]


@pytest.mark.parametrize(("text", "skills"), [
    ("C/C++", ["C++"]), ("Docker/Kubernetes", ["Docker", "Kubernetes"]), ("AWS/GCP", ["AWS", "GCP"]),
    ("HTML/CSS/JS", ["HTML", "CSS", "JavaScript"]), ("Node.js/React", ["Node.js", "React"]),
    ("(Python/Django)", ["Python", "Django"]), ("CI/CD and Kubernetes", ["CI/CD", "Kubernetes"]),
    # A slash in a link or path is no list.
    ("github.com/jordan/kafka-tools", []), ("https://example.com/python", []), ("/usr/bin/python", []),
])
def test_slash_joined_skills_are_each_found(text: str, skills: list[str]) -> None:
    assert [m.skill for m in find_skills(text)] == skills


def test_an_alias_holding_a_slash_is_not_split(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(taxonomy.SKILLS, "TCP/IP", ())
    monkeypatch.setitem(taxonomy.SKILLS, "IP Routing", ("IP",))
    monkeypatch.setattr(taxonomy, "CASE_SENSITIVE", taxonomy.CASE_SENSITIVE | {"IP"})
    taxonomy._compiled.cache_clear()
    try:
        assert [m.alias for m in find_skills("TCP/IP, IP and Linux")] == ["TCP/IP", "IP", "Linux"]
    finally:
        monkeypatch.undo()
        taxonomy._compiled.cache_clear()


@pytest.mark.parametrize("line", [
    "Nice-to-have: Airflow", "Airflow is an advantage", "Airflow would be a big advantage", "Airflow is a plus",
    "Airflow (optional)", "Airflow is a bonus", "Bonus: Airflow", "Good-to-have: Airflow",
])
def test_inline_nice_to_have_cues_win_over_a_must_heading(line: str) -> None:
    assert _requirements(f"Engineer\nRequirements\n- {line}\n- Python\n") == [(["Airflow"], False, None),
                                                                             (["Python"], True, None)]


@pytest.mark.parametrize(("line", "groups"), [
    ("Python, Java, or Go", [["Python", "Java", "Go"]]),
    ("Python, Java or Go", [["Python", "Java", "Go"]]),
    ("Python or Java, Go or Rust", [["Python", "Java"], ["Go", "Rust"]]),
    ("Python, Java and Go", [["Python"], ["Java"], ["Go"]]),
    ("Python, Java, Go", [["Python"], ["Java"], ["Go"]]),
])
def test_a_comma_list_ending_in_or_is_one_choice(line: str, groups: list[list[str]]) -> None:
    assert [skills for skills, _, _ in _requirements(f"Engineer\nRequirements\n- {line}\n")] == groups


def _rank(tmp_path: Path, job_text: str) -> list[str]:
    """The rank task's warnings for a job and a one-resume folder, with a stub store and retrieval."""
    job = tmp_path / "job.md"
    job.write_text(job_text)
    hit = SearchHit(chunk_id="c1", score=1.0, text="EXPERIENCE\nEngineer | Acme | 2018 - present\n- Kafka, Python\n",
                    metadata={"doc_id": "pool/a.md", "page": 1, "position": 0})
    ctx = SimpleNamespace(documents={"resumes": DocumentScope("pool", ("pool/a.md",))},
                          runtime=SimpleNamespace(store=SimpleNamespace(count=lambda where: 1)),
                          retrieve=lambda query, scope, k: [hit], can=lambda capability: False)
    inputs = RankInput(job=job, resumes=tmp_path, as_of=date(2026, 6, 1))
    result = RankTask().run(ctx, inputs)  # type: ignore[arg-type]
    assert result.ranked == 1  # warned, not failed
    return result.warnings


def test_rank_warns_when_the_job_gives_no_required_skill(tmp_path: Path) -> None:
    warnings = _rank(tmp_path, "Engineer\n## Our wish list\n- Kafka is a plus\n- 3+ years of experience\n")
    assert [w for w in warnings if w.startswith("no required skills read from job.md; ranking uses")] == [
        'no required skills read from job.md; ranking uses the overall years of experience and the nice-to-have '
        'skills only (check that the posting\'s requirements are under a heading such as "Requirements")']
    assert not [w for w in _rank(tmp_path, "Engineer\nRequirements\n- Python\n") if w.startswith("no required")]

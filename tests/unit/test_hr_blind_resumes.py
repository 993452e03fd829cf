"""Blind screening and parsing of resumes written as candidates write them (found by probing with
such resumes, 2026-12-02): nicknames, pronouns, Markdown, surname-first headers, personal web
sites, labels without a colon, status and belief in running text, a name that is also a skill,
dotted date ranges, bilingual and Markdown headings. Each of these leaked or misread before."""
from __future__ import annotations

from datetime import date

import pytest

from rightsized.domains.hr_resume.parser import parse_resume
from rightsized.domains.hr_resume.redact import BlindRedactor

AS_OF = date(2026, 6, 1)
BODY = ("\nSUMMARY\nBackend engineer.\n\nEXPERIENCE\nSoftware Engineer, Acme, Jan 2018 - Present\n"
        "- Python, PostgreSQL\n")


def blind(text: str) -> str:
    return BlindRedactor().redact(text, key="k").text


@pytest.mark.parametrize(("header", "words"), [
    ('Robert "Bob" Okafor\nHouston, TX', ("Robert", "Bob", "Okafor")),
    ("# Wei (David) Zhang\n*Data Engineer* - Toronto", ("Wei", "David", "Zhang")),
    ("Alex Kim  she/her\nalex@example.com", ("Alex", "Kim")),
    ("GARCÍA LÓPEZ, María José\nMadrid, Spain", ("GARCÍA", "LÓPEZ", "María", "José")),
    ("**Hannah Schmidt**\nMunich", ("Hannah", "Schmidt")),
])
def test_the_name_is_found_however_the_header_line_dresses_it(header: str, words: tuple[str, ...]) -> None:
    text = blind(header + BODY + "Referee: ask " + " ".join(words) + "\n")
    assert not [w for w in words if w in text], text


def test_a_name_without_its_accents_and_a_personal_web_site_are_removed() -> None:
    text = blind("Zoë Müller\nhttps://zoemuller.dev | www.alexkim.io\n" + BODY + "Zoe Muller - CV - page 1\n"
                 "Contributor to https://kafka.apache.org\n")
    assert "Zoe" not in text and "Muller" not in text and "zoemuller" not in text
    assert "https://kafka.apache.org" in text  # a web address without the name stays


@pytest.mark.parametrize(("line", "kept"), [
    ("Date of birth 14.02.1987", "1987"),
    ("Nationality Spanish", "Spanish"),
    ("| Marital status | Single |", "Single"),
    ("Date of Birth | 03 May 1990", "1990"),
    ("**Gender:** Female", "Female"),
    ("Religion\tCatholic", "Catholic"),
])
def test_a_labelled_line_without_a_colon_is_removed(line: str, kept: str) -> None:
    assert kept not in blind("Jane Doe\n" + line + BODY)


@pytest.mark.parametrize(("sentence", "leak"), [
    ("Born 1979 in Utrecht.", "1979"),
    ("Berlin | 42 years | German speaker", "42"),
    ("Proud mom of two.", "two"),
    ("Mother of twins, marathon runner.", "twins"),
    ("US Citizen | open to relocation", "US"),
    ("Army veteran, 4 years of service.", "Army"),
    ("Volunteer at St. Paul's Church choir.", "Paul"),
    ("Treasurer, Islamic Center of America.", "America"),
])
def test_status_age_and_belief_in_running_text_are_removed(sentence: str, leak: str) -> None:
    assert leak not in blind("Jane Doe\n" + sentence + BODY)


@pytest.mark.parametrize("sentence", ["12 years in fintech, 10 years of experience with Go.",
                                      "BSc, Temple University.", "Church & Dwight supply chain analytics."])
def test_ordinary_years_and_a_university_are_kept(sentence: str) -> None:
    assert sentence in blind("Jane Doe\n" + sentence + BODY)


@pytest.mark.parametrize(("name", "skill"), [("Ruby Chen", "Ruby"), ("Rust Cohen", "Rust")])
def test_a_first_name_that_is_a_skill_keeps_the_skill(name: str, skill: str) -> None:
    """'Ruby Chen', ten years of Ruby: every 'Ruby' was redacted as the name and the skill read as missing."""
    text = blind(f"{name}\n{name.lower().replace(' ', '.')}@example.com\n\nEXPERIENCE\n"
                 f"Engineer, Acme, Jan 2016 - Dec 2025\n- {skill} services, Docker\n")
    assert name not in text
    [record] = [s for s in parse_resume(text, as_of=AS_OF).skills if s.skill == skill]
    assert record.experience_backed and record.years == 10.0


@pytest.mark.parametrize("dates", ["03.2019 - 11.2023", "2019-03 - 2023-11"])
def test_a_dotted_or_iso_month_range_is_not_redacted_as_a_phone(dates: str) -> None:
    text = blind(f"Jane Doe\n\nEXPERIENCE\nDeveloper, Skoda, {dates}\n- Java\n")
    assert dates in text and parse_resume(text, as_of=AS_OF).total_years == 4.8


@pytest.mark.parametrize("heading", ["## Experience", "**Work Experience**", "Berufserfahrung / Experience"])
def test_markdown_and_bilingual_headings_open_their_section(heading: str) -> None:
    parsed = parse_resume(f"Jane Doe\n\n{heading}\nDeveloper, Acme, Jan 2020 - Dec 2021\n- Java\n", as_of=AS_OF)
    assert parsed.total_years == 2.0 and [s.experience_backed for s in parsed.skills] == [True]


def test_years_under_an_education_and_certifications_heading_are_no_experience() -> None:
    parsed = parse_resume("Jane Doe\n\nEXPERIENCE\nAnalyst, Allianz, Jan 2021 - Present\n- SQL\n\n"
                          "EDUCATION & CERTIFICATIONS\nLMU München, 1998 - 2004\nAWS Certified Cloud Practitioner, 2022\n",
                          as_of=AS_OF)
    assert parsed.total_years == 5.5 and len(parsed.experience) == 1


def test_a_two_digit_year_after_an_apostrophe_opens_an_entry() -> None:
    parsed = parse_resume("Jane Doe\n\nEXPERIENCE\nBackend Engineer, Kite, Mar '22 – Nov '23\n- Go, Kubernetes\n",
                          as_of=AS_OF)
    assert [(e.start, e.end) for e in parsed.experience] == [("2022-03", "2023-11")]


def test_a_career_break_is_a_gap_not_experience() -> None:
    parsed = parse_resume("Jane Doe\n\nEXPERIENCE\nDeveloper, Acme, Jan 2015 - Dec 2017\n- Java\n"
                          "Career break 2018 - 2019 (parental leave)\nDeveloper, Beta, Jan 2020 - Dec 2021\n- Java\n",
                          as_of=AS_OF)
    assert parsed.total_years == 5.0 and parsed.gaps == ["2018-01 - 2019-12"]

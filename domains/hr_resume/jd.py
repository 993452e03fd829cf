"""Job description -> requirements: must-have and nice-to-have skills, minimum years.

Why rules: the requirements are the yardstick every candidate is scored against, and a recruiter
must be able to check each one against the posting. A line under a "Requirements"/"Must have"
heading (or saying "required"/"must") is a must; under "Nice to have"/"Preferred"/"Bonus" (or
saying "a plus"/"preferred") it is nice-to-have; job boards write headings many ways (Markdown,
bold, capitals), so a short marked line naming no skill is read by its words. Skills joined by
"or" on one line, or all skills of a line offering a choice ("at least one of"), are alternatives
of one requirement; "5+ years" or "three (3) years" on a line is that line's minimum; a line with
years but no skill is an overall-experience requirement.
"""
from __future__ import annotations

import re

from rightsized.domains.hr_resume.models import JobSpec, Requirement
from rightsized.domains.hr_resume.taxonomy import find_skills

MUST_HEADINGS = ("requirements", "must have", "must-have", "must haves", "required", "required skills",
                 "what you need", "what you bring", "you have", "minimum qualifications", "essential",
                 "qualifications", "key requirements")
NICE_HEADINGS = ("nice to have", "nice-to-have", "preferred", "preferred qualifications", "bonus", "bonus points",
                 "pluses", "desirable", "nice to haves", "good to have")
OTHER_HEADINGS = ("about us", "about the role", "responsibilities", "what you will do", "what you'll do",
                  "benefits", "we offer", "how to apply", "the role", "about you")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "twelve": 12, "fifteen": 15}
# "5+ years", "5 + yrs", "(3) years", "three (3) years", "five years".
YEARS = re.compile(r"(?:\b(?P<word>" + "|".join(NUMBER_WORDS) + r")\b\s*(?:\(\s*\d+\s*\+?\s*\))?"
                   r"|\(?\s*(?P<number>\d+(?:\.\d+)?)\s*\)?)\s*\+?\s*(?:\+\s*)?(?:years?|yrs?)\b", re.IGNORECASE)
NICE_WORDS = re.compile(r"\b(?:nice to have|a plus|is a bonus|preferred|desirable|ideally|bonus)\b", re.IGNORECASE)
MUST_WORDS = re.compile(r"\b(?:required|must|essential|mandatory|at least|minimum)\b", re.IGNORECASE)
EXPERIENCE_WORDS = re.compile(r"\bexperience\b", re.IGNORECASE)


# Heading words for a heading we do not list word for word ("## What we're looking for",
# "**Bonus points if you have:**", "BASIC QUALIFICATIONS"); nice-to-have is tested first because
# "Preferred qualifications" also names qualifications.
NICE_KEY = re.compile(r"nice|prefer|bonus|desir|plus|good to have|ideal")
MUST_KEY = re.compile(r"requir|must|qualification|what you need|what you bring|looking for|you have|you'll have|"
                      r"you will have|essential|skills|experience|who you are")
OTHER_KEY = re.compile(r"about|responsibilit|what you('ll| will) do|benefit|offer|apply|perks|role|company|salary")
MARKUP = "#*_:•- \t"


def _heading(line: str) -> str | None:
    """"must", "nice", "other" for a heading line, else None. A listed heading counts however it is
    written; an unlisted one counts by its words when it is marked as a heading (Markdown `#`,
    bold, a trailing colon or capitals), is short and names no skill."""
    stripped = line.strip()
    key = re.sub(r"\s+", " ", stripped.strip(MARKUP)).lower()
    if len(key) > 40:
        return None
    if key in MUST_HEADINGS:
        return "must"
    if key in NICE_HEADINGS:
        return "nice"
    if key in OTHER_HEADINGS:
        return "other"
    marked = stripped.startswith(("#", "**", "__")) or stripped.endswith(":") or (stripped.isupper() and len(key) > 3)
    if not marked or len(key.split()) > 8 or find_skills(key):
        return None
    for kind, words in (("nice", NICE_KEY), ("must", MUST_KEY), ("other", OTHER_KEY)):
        if words.search(key):
            return kind
    return None


# A line offering a choice ("at least one language such as Java, C++ or Python"): its skills are
# alternatives of one requirement, not one requirement each.
ANY_OF = re.compile(r"\b(?:at least one|one of|any of|one or more|such as|e\.g\.|for example|or similar|or equivalent)\b",
                    re.IGNORECASE)


SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])")


def extract_requirements(text: str) -> JobSpec:
    """The job's title (first line) and its requirements, in the order written. A posting
    without requirement headings (prose) is read sentence by sentence, and a sentence naming a
    skill with no nice-to-have cue is a must."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    title = lines[0].strip(MARKUP) if lines else ""
    structured = any(_heading(line) in ("must", "nice") for line in lines[1:])
    if not structured:
        lines = lines[:1] + [s.strip() for line in lines[1:] for s in SENTENCE_END.split(line) if s.strip()]
    section: str | None = None if structured else "must"
    requirements: list[Requirement] = []
    seen: dict[tuple[str, ...], Requirement] = {}
    for line in lines[1:]:
        if (heading := _heading(line)) is not None:
            section = heading
            continue
        must = _is_must(line, section)
        if must is None:
            continue
        min_years = _min_years(line)
        for alternatives in _skill_groups(line):
            key = tuple(alternatives)
            if key in seen:  # named twice: must wins, the larger minimum wins
                earlier = seen[key]
                earlier.must = earlier.must or must
                if min_years and (earlier.min_years or 0) < min_years:
                    earlier.min_years = min_years
                continue
            requirement = Requirement(req_id=f"R{len(requirements) + 1}", text=line, must=must,
                                      skills=alternatives, min_years=min_years)
            requirements.append(requirement)
            seen[key] = requirement
        if not _skill_groups(line) and min_years and EXPERIENCE_WORDS.search(line) and ("experience",) not in seen:
            requirement = Requirement(req_id=f"R{len(requirements) + 1}", text=line, must=must, skills=[],
                                      min_years=min_years)
            requirements.append(requirement)
            seen[("experience",)] = requirement
    return JobSpec(title=title, requirements=requirements)


def _min_years(line: str) -> float | None:
    if not (found := YEARS.search(line)):
        return None
    return float(NUMBER_WORDS[found["word"].lower()] if found["word"] else found["number"])


def _is_must(line: str, section: str | None) -> bool | None:
    """must (True), nice (False), or not a requirement line (None)."""
    if NICE_WORDS.search(line):
        return False
    if section in ("must", "nice"):
        return section == "must"
    if MUST_WORDS.search(line):
        return True
    return None


def _skill_groups(line: str) -> list[list[str]]:
    """Skills on a line: one group per skill, except skills joined by "or" (alternatives)."""
    mentions = find_skills(line)
    if mentions and ANY_OF.search(line):
        return [list(dict.fromkeys(m.skill for m in mentions))]
    groups: list[list[str]] = []
    for index, mention in enumerate(mentions):
        between = line[mentions[index - 1].end:mention.start] if index else ""
        if index and re.fullmatch(r"\s*(?:,\s*)?(?:or|/)\s*", between, re.IGNORECASE):
            if mention.skill not in groups[-1]:
                groups[-1].append(mention.skill)
        elif not any(mention.skill in g for g in groups):
            groups.append([mention.skill])
    return groups

"""Job description -> requirements: must-have and nice-to-have skills, minimum years.

Why rules: the requirements are the yardstick every candidate is scored against, and a recruiter
must be able to check each one against the posting. A line under a "Requirements"/"What you'll
need"/"Your profile" heading (or saying "required"/"must") is a must; under "Nice to have"/
"Preferred"/"Bonus" (or saying "a plus"/"is an advantage"/"optional", which wins over its
heading) it is nice-to-have; job boards write headings many ways (Markdown, bold, capitals), so a
short marked line naming no skill is read by its words. Skills joined by "or" or "/" on one line,
a comma list ending in "or" ("Python, Java, or Go"), or all skills of a line offering a choice
("at least one of"), are alternatives of one requirement. Each skill takes the years phrase of its
own clause ("5+ years of backend, including 2+ years with Go": Go 2), the lower bound of a range
("3-5 years": 3); a years phrase no skill takes, written as a minimum ("4+", "at least 4", "4 or
more") or about experience, is an overall-experience requirement.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

from rightsized.domains.hr_resume.models import JobSpec, Requirement
from rightsized.domains.hr_resume.taxonomy import SkillMention, find_skills

MUST_HEADINGS = ("requirements", "must have", "must-have", "must haves", "required", "required skills",
                 "what you need", "what you'll need", "what you will need", "what you bring", "what you'll bring",
                 "you have", "your profile", "profile", "what we expect", "who you are", "minimum qualifications",
                 "basic qualifications", "essential", "qualifications", "key requirements")
NICE_HEADINGS = ("nice to have", "nice-to-have", "nice-to-haves", "preferred", "preferred qualifications", "bonus",
                 "bonus points", "pluses", "desirable", "nice to haves", "good to have")
OTHER_HEADINGS = ("about us", "about the role", "responsibilities", "what you will do", "what you'll do",
                  "benefits", "we offer", "how to apply", "the role", "about you")
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                "ten": 10, "twelve": 12, "fifteen": 15}
_WORDS = "|".join(NUMBER_WORDS)
# "5+ years", "5 + yrs", "(3) years", "three (3) years", "five years", "5 or more years", "3-5 years"
# and "three to five years" (a range's lower bound is its minimum: "range" marks one).
YEARS = re.compile(r"(?:\b(?P<word>" + _WORDS + r")\b\s*(?:\(\s*\d+\s*\+?\s*\))?"
                   r"|\(?\s*(?P<number>\d+(?:\.\d+)?)\s*\)?)"
                   r"(?P<range>\s*(?:-|–|—|to)\s*(?:\d+(?:\.\d+)?|(?:" + _WORDS + r")\b))?"
                   r"\s*(?P<plus>\+?\s*(?:\+\s*)?(?:or\s+more\s+)?)(?:years?|yrs?)\b", re.IGNORECASE)
# Words just before a number that make it a minimum: "at least 4 years", "minimum of 4 years".
MINIMUM_BEFORE = re.compile(r"\b(?:at least|minimum(?:\s+of)?|min\.?)\s*$", re.IGNORECASE)
# Where one skill's years phrase ends and the next one's begins: "5+ years of backend, including
# 2+ years with Go", "Python (5+ years) and Go (2+ years)".
CLAUSE_BREAK = re.compile(r"[,;)]|\band\b", re.IGNORECASE)
NICE_WORDS = re.compile(r"\b(?:nice[\s-]to[\s-]haves?|good[\s-]to[\s-]have|a plus|is a bonus|preferred|preferably"
                        r"|desirable|ideally|bonus|optional|advantageous|an?\s+(?:\w+\s+)?advantage)\b",
                        re.IGNORECASE)
MUST_WORDS = re.compile(r"\b(?:required|must|essential|mandatory|at least|minimum)\b", re.IGNORECASE)
EXPERIENCE_WORDS = re.compile(r"\bexperience\b", re.IGNORECASE)


# Heading words for a heading we do not list word for word ("## What we're looking for",
# "**Bonus points if you have:**", "BASIC QUALIFICATIONS"); nice-to-have is tested first because
# "Preferred qualifications" also names qualifications.
NICE_KEY = re.compile(r"nice|prefer|bonus|desir|plus|good to have|ideal|advantage")
MUST_KEY = re.compile(r"requir|must|qualification|what you(?:'ll| will)? need|what you(?:'ll| will)? bring|looking for|"
                      r"you have|you'll have|you will have|essential|skills|experience|who you are|your profile|"
                      r"what we expect")
OTHER_KEY = re.compile(r"about|responsibilit|what you('ll| will) do|benefit|offer|apply|perks|role|company|salary")
MARKUP = "#*_:•- \t"


def _heading(line: str) -> str | None:
    """"must", "nice", "other" for a heading line, else None. A listed heading counts however it is
    written; an unlisted one counts by its words when it is marked as a heading (Markdown `#`,
    bold, a trailing colon or capitals), is short and names no skill."""
    stripped = line.strip()
    # A typeset apostrophe ("What you’ll need") is the same heading.
    key = re.sub(r"\s+", " ", stripped.strip(MARKUP)).lower().replace("\u2019", "'")
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
        for skills, min_years in _line_requirements(line):
            _add(requirements, seen, Requirement(req_id=f"R{len(requirements) + 1}", text=line, must=must,
                                                 skills=skills, min_years=min_years))
    return JobSpec(title=title, requirements=requirements)


def _add(requirements: list[Requirement], seen: dict[tuple[str, ...], Requirement], requirement: Requirement) -> None:
    """Append a requirement, or merge it into the one naming the same skills (no skills: the
    overall-experience one): named twice, must wins and the larger minimum wins."""
    key = tuple(requirement.skills)
    if (earlier := seen.get(key)) is None:
        requirements.append(requirement)
        seen[key] = requirement
        return
    earlier.must = earlier.must or requirement.must
    if requirement.min_years and (earlier.min_years or 0) < requirement.min_years:
        earlier.min_years = requirement.min_years


class Years(NamedTuple):
    start: int
    end: int
    value: float
    minimum: bool  # written as a minimum: "4+", "at least 4", "4 or more", "3-5"


def _years(line: str) -> list[Years]:
    """Every years phrase on a line, its value a range's lower bound."""
    found = []
    for m in YEARS.finditer(line):
        value = float(NUMBER_WORDS[m["word"].lower()] if m["word"] else m["number"])
        minimum = bool(m["range"] or m["plus"].strip() or MINIMUM_BEFORE.search(line, 0, m.start()))
        found.append(Years(m.start(), m.end(), value, minimum))
    return found


def _line_requirements(line: str) -> list[tuple[list[str], float | None]]:
    """(skills, minimum years) for each requirement on a line: each skill group with the years
    phrase it takes, then an overall-experience minimum from the first years phrase no skill
    took, when it is written as a minimum or the line is about experience ("4+ years building
    data pipelines"; not "founded 12 years ago")."""
    found = _years(line)
    clause = _clauses(line, found)
    taken: set[int] = set()
    result: list[tuple[list[str], float | None]] = []
    for group in _skill_groups(line):
        index = _years_for(group[0], found, clause)
        if index is not None:
            taken.add(index)
        result.append(([m.skill for m in group], found[index].value if index is not None else None))
    spare = [y for i, y in enumerate(found) if i not in taken]
    if spare and (spare[0].minimum or EXPERIENCE_WORDS.search(line)):
        result.append(([], spare[0].value))
    return result


def _clauses(line: str, found: list[Years]) -> Callable[[int], int]:
    """The clause number of a position on the line; breaks inside a years phrase ("three (3)
    years") do not count."""
    masked = list(line)
    for years in found:
        masked[years.start:years.end] = "#" * (years.end - years.start)
    breaks = [m.start() for m in CLAUSE_BREAK.finditer("".join(masked))]
    return lambda position: bisect_right(breaks, position)


def _years_for(mention: SkillMention, found: list[Years], clause: Callable[[int], int]) -> int | None:
    """The index of the years phrase a skill takes: in its own clause the last one before it,
    else the first after it; with none in its clause, the last before it on the line ("5+ years
    of Python, Go and Rust"), else the first after it ("Python, Java, or Go with 5+ years")."""
    own = [i for i, y in enumerate(found) if clause(y.start) == clause(mention.start)]
    for candidates in (own, range(len(found))):
        before = [i for i in candidates if found[i].end <= mention.start]
        after = [i for i in candidates if found[i].start >= mention.end]
        if before or after:
            return before[-1] if before else after[0]
    return None


def _is_must(line: str, section: str | None) -> bool | None:
    """must (True), nice (False), or not a requirement line (None)."""
    if NICE_WORDS.search(line):
        return False
    if section in ("must", "nice"):
        return section == "must"
    if MUST_WORDS.search(line):
        return True
    return None


# How two neighbouring skills are joined: "Go or Rust", "AWS/GCP" (alternatives), "Python, Java"
# (a list: alternatives only when it ends in "or"), anything else (separate requirements).
OR_JOIN = re.compile(r"\s*,?\s*(?:or|/)\s*", re.IGNORECASE)
COMMA_JOIN = re.compile(r"\s*,\s*")


def _skill_groups(line: str) -> list[list[SkillMention]]:
    """Skills on a line: one group per skill, except alternatives (see `_joins`), one mention a skill."""
    mentions = find_skills(line)
    if mentions and ANY_OF.search(line):
        first: dict[str, SkillMention] = {}
        for mention in mentions:
            first.setdefault(mention.skill, mention)
        return [list(first.values())]
    groups: list[list[SkillMention]] = []
    for mention, join in zip(mentions, [None, *_joins(line, mentions)]):
        if join == "or":
            if all(m.skill != mention.skill for m in groups[-1]):
                groups[-1].append(mention)
        elif not any(m.skill == mention.skill for g in groups for m in g):
            groups.append([mention])
    return groups


def _joins(line: str, mentions: list[SkillMention]) -> list[str | None]:
    """"or", "," or None between each two neighbouring mentions; the commas of a list ending in
    "or" ("Python, Java, or Go") become "or", unless the list follows an "or" ("Python or Java,
    Go or Rust" is two choices)."""
    joins = [("or" if OR_JOIN.fullmatch(between) else "," if COMMA_JOIN.fullmatch(between) else None)
             for between in (line[a.end:b.start] for a, b in zip(mentions, mentions[1:]))]
    for index, join in enumerate(joins):
        if join != ",":
            continue
        after = next((j for j in joins[index:] if j != ","), None)
        before = next((j for j in reversed(joins[:index]) if j != ","), None)
        if after == "or" and before != "or":
            joins[index] = "or"
    return joins

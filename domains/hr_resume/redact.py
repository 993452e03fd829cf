"""Blind screening: protected attributes and identifying details removed before anything is
matched, embedded, stored or shown to an LLM.

Why at ingest (the domain's `Redactor`, applied by shared ingest before chunking): once a name,
a gender marker or a graduation year is in an index or a prompt it can shape a ranking, and no
later filter can prove it did not. Removed: the candidate's name (wherever it recurs, e-mail
addresses and profile links included), e-mail, phone, profile links, gender markers (labelled
lines, titles, pronouns, gendered words), age (date of birth, "34 years old", graduation and
other years on education lines), nationality and citizenship, ethnicity, marital status,
religion, disability and veteran status, and photo lines. Each is replaced by a fixed placeholder, so two resumes that differ only in these
become the same text — the counterfactual test relies on it. Work history dates stay: years of
experience are job-relevant (they are also an age proxy; the README says so).
"""
from __future__ import annotations

import re
from collections import Counter

from rightsized.domains.hr_resume.parser import DEGREES, EMAIL, LINK, PHONE, heading_of, is_phone
from rightsized.domains.privacy import Redaction

FINGERPRINT = "hr-blind-v1"
_LABELS = {
    "gender": r"gender|sex|pronouns|sexual orientation",
    "age": r"date of birth|d\.?o\.?b\.?|birth ?date|born|age|year of birth",
    "nationality": r"nationality|citizenship|citizen of|place of birth|country of birth|passport",
    "marital_status": r"marital status|family status|civil status|children|dependants",
    "religion": r"religion|faith",
    "photo": r"photo|photograph|picture|headshot",
    "ethnicity": r"race|ethnicity|ethnic origin|ethnic background",
    "disability": r"disability|disabilities|disability status|handicap",
    "veteran_status": r"veteran|veteran status|military status|protected veteran",
}
LABELLED = [(kind, re.compile(rf"^[ \t•*-]*(?:{pattern})\s*[:=-][^\n]*", re.IGNORECASE | re.MULTILINE))
            for kind, pattern in _LABELS.items()]
PHOTO_LINE = re.compile(r"^[ \t]*[\[(]?\s*(?:photo|photograph|picture|headshot)\b(?! removed)[^\n]{0,60}$", re.IGNORECASE | re.MULTILINE)
TITLES = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\b\.?")
PRONOUNS = {"she": "they", "he": "they", "her": "their", "his": "their", "him": "them", "hers": "theirs",
            "herself": "themself", "himself": "themself"}
PRONOUN = re.compile(r"\b(?:" + "|".join(PRONOUNS) + r")\b", re.IGNORECASE)
GENDERED = re.compile(r"\b(?:female|male|woman|women|women's|men's|mother|father|wife|husband|maternity|paternity"
                      r"|sorority|fraternity|chairwoman|chairman|businesswoman|businessman|girls|boys)\b", re.IGNORECASE)
AGE_PHRASE = re.compile(r"\b\d{2}[\s-]*(?:years?|yrs?)[\s-]*old\b|\b\d{2}\s*y/o\b|\bborn (?:in|on) [^\n,.;]+"
                        r"|\baged? \d{2}\b", re.IGNORECASE)
# An age right after the name on its header line: "Emily Chen, 29, Data Analyst".
AGE_AFTER_NAME = re.compile(r"(?<=\[candidate\]),\s*(?:1[6-9]|[2-8]\d)\b(?=\s*(?:[,|;]|$))", re.MULTILINE)
# Religion and ethnicity in running text ("a proud Muslim", "Chinese-American"): proper nouns only.
RELIGION = re.compile(r"\b(?:Muslim|Christian|Catholic|Protestant|Jewish|Jew|Hindu|Buddhist|Sikh|Mormon|Evangelical|"
                      r"Baptist|Methodist|Lutheran|Atheist|Agnostic)s?\b")
ETHNICITY = re.compile(r"\b[A-Z][a-z]+-(?:American|Canadian|British|Australian)\b|\b(?:Hispanic|Latino|Latina|Latinx)\b")
# A maiden name: "(née Murphy)", "nee Murphy" after the name.
MAIDEN = re.compile(r"\s*\(?\b(?:née|nee)\s+[^\W\d_][\w'’-]*\)?", re.IGNORECASE)
# A graduation year outside an education section ("graduated 2017", "Class of 2012").
GRADUATION_YEAR = re.compile(r"\b(?:graduated|graduating|graduation|class of)\b[^\n.;]{0,30}?\b(?:19|20)\d\d\b",
                             re.IGNORECASE)
CITIZEN = re.compile(r"\b[A-Z][a-z]+ (?:citizen|national|passport holder)\b|\bcitizen of [A-Z][a-z]+(?: [A-Z][a-z]+)?")
MARITAL = re.compile(r"\b(?:married|divorced|widowed|single parent)(?: with (?:\w+ )?(?:children|kids|a child))?\b",
                     re.IGNORECASE)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
NAME_LABEL = re.compile(r"^[ \t]*(?:full )?name\s*:\s*(?P<name>[^\n]+)$", re.IGNORECASE | re.MULTILINE)
NOT_NAMES = {"resume", "curriculum", "vitae", "cv", "engineer", "developer", "scientist", "manager", "analyst",
             "senior", "junior", "lead", "architect", "consultant", "designer", "specialist", "administrator",
             "summary", "profile", "contact", "software", "data", "full", "stack", "backend", "frontend",
             "nurse", "registered", "certified", "product", "project", "program", "owner", "officer", "director",
             "assistant", "coordinator", "technician", "accountant", "teacher", "intern", "executive", "head",
             "chief", "associate", "principal", "staff", "devops", "cloud", "web", "mobile", "marketing", "sales",
             "operations", "recruiter", "agile", "coach", "qa", "machine", "learning"}
TITLE_LINE = re.compile(r"^(?:r[eé]sum[eé]|curriculum vitae|cv)(?:\s*\(cv\))?\s*:?$", re.IGNORECASE)
# "Curriculum Vitae of Dr. Olga Petrova", "Resume - Wei Zhang": the name on the title line.
TITLE_OF = re.compile(r"^(?:r[eé]sum[eé]|curriculum vitae|cv)\s*(?:of|for|[-–—:|])\s*(?P<rest>.+)$", re.IGNORECASE)
# Headings above the name in some layouts ("Contact", "Personal details").
TOP_HEADING = re.compile(r"^(?:contact(?: (?:info|information|details))?|personal (?:details|information|data|profile))\s*:?$",
                         re.IGNORECASE)
HONORIFIC = re.compile(r"^(?:(?:Dr|Prof|Mr|Mrs|Ms|Miss|Mx)\.?\s+)+")
# What follows a name on a header line: contact details, a headline, a credential.
HEADER_SEPARATOR = re.compile(r"\s*(?:[|•·,;/\t(]|\s[-–—]\s)\s*")
PARTICLES = {"van", "de", "der", "den", "da", "das", "dos", "du", "von", "bin", "binti", "ibn", "al", "el", "la", "le", "di"}


def _looks_like_name(segment: str) -> bool:
    """Two to five capitalised words of letters (any script: "José García", "Łukasz Wiśniewski",
    "SØREN KIERKEGAARD", "Nguyễn Thị Minh Khai"), initials and particles allowed. Letters are
    tested with `str.isalpha`, not `[A-Za-z]`: an ASCII-only pattern let exactly the names that
    signal a national origin through (found by probing accented names; test_hr_tools)."""
    words = segment.split()
    if not 2 <= len(words) <= 5 or {w.lower() for w in words} & NOT_NAMES or heading_of(segment) is not None:
        return False
    return all(w.lower() in PARTICLES or (w[0].isupper() and all(c.isalpha() or c in "'’-." for c in w))
               for w in words)


def candidate_name(text: str) -> str | None:
    """The candidate's name: a "Name:" line, else the start of the first line (after a "Resume" or
    "Curriculum Vitae" title) when it reads like a name; contact details or a credential after a
    separator on that line ("Priya Raghunathan | priya@x.io", "Mary-Jane Watson, PhD") are not
    part of it."""
    if labelled := NAME_LABEL.search(text):
        return labelled.group("name").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    while lines and (TITLE_LINE.match(lines[0]) or TOP_HEADING.match(lines[0])):
        lines.pop(0)
    if lines and (titled := TITLE_OF.match(lines[0])):
        lines[0] = titled.group("rest")
    first = HEADER_SEPARATOR.split(lines[0], maxsplit=1)[0] if lines else ""
    first = HONORIFIC.sub("", first)  # "Dr. Olga Petrova": the title is no part of the name to erase
    return first if _looks_like_name(first) else None


class BlindRedactor:
    """Usage::

        redaction = BlindRedactor().redact(resume_text, key="pool_01")
        redaction.text    # what the matcher, the index and any LLM see
        redaction.found   # {"name": 3, "gender": 2, "age": 2, ...}
    """

    fingerprint = FINGERPRINT

    def redact(self, text: str, *, key: str) -> Redaction:
        found: Counter[str] = Counter()

        def sub(pattern: re.Pattern[str], kind: str, replacement: str, value: str) -> str:
            value, count = pattern.subn(replacement, value)
            found[kind] += count
            return value

        name = candidate_name(text)
        text = sub(MAIDEN, "name", "", text)
        text = sub(NAME_LABEL, "name", "Name: [candidate]", text)
        text = sub(EMAIL, "contact", "[email]", text)
        text = sub(LINK, "contact", "[link]", text)
        found["contact"] += sum(1 for m in PHONE.finditer(text) if is_phone(m.group(0)))
        text = PHONE.sub(lambda m: "[phone]" if is_phone(m.group(0)) else m.group(0), text)
        if name:
            tokens = [t for t in re.split(r"[\s.]+", name) if len(t) >= 2 and t.lower() not in PARTICLES]
            text = sub(re.compile(re.escape(name), re.IGNORECASE), "name", "[candidate]", text)
            if tokens:
                text = sub(re.compile(r"\b(?:" + "|".join(map(re.escape, tokens)) + r")(?:'s)?\b", re.IGNORECASE),
                           "name", "[candidate]", text)
        for kind, pattern in LABELLED:
            text = sub(pattern, kind, f"[{kind.replace('_', ' ')} removed]", text)
        text = sub(PHOTO_LINE, "photo", "[photo removed]", text)
        text = sub(TITLES, "gender", "[title]", text)
        text, count = PRONOUN.subn(_neutral, text)
        found["gender"] += count
        text = sub(GENDERED, "gender", "[gender]", text)
        text = sub(AGE_PHRASE, "age", "[age]", text)
        text = sub(GRADUATION_YEAR, "age", "[graduation year]", text)
        text = sub(CITIZEN, "nationality", "[nationality]", text)
        text = sub(AGE_AFTER_NAME, "age", ", [age]", text)
        text = sub(RELIGION, "religion", "[religion]", text)
        text = sub(ETHNICITY, "ethnicity", "[ethnicity]", text)
        text = sub(MARITAL, "marital_status", "[marital status]", text)
        text, count = _education_years(text)
        found["age"] += count
        return Redaction(text, {kind: n for kind, n in sorted(found.items()) if n})


def _neutral(match: re.Match[str]) -> str:
    word = match.group(0)
    neutral = PRONOUNS[word.lower()]
    return neutral.capitalize() if word[0].isupper() else neutral


_DEGREE = re.compile("|".join(p for _, p in DEGREES))


def _education_years(text: str) -> tuple[str, int]:
    """Years on education lines (under an education heading, or naming a degree): graduation
    year is an age proxy."""
    out, count, section = [], 0, None
    for line in text.splitlines(keepends=True):
        heading = heading_of(line)
        if heading is not None:
            section = heading
        elif section == "education" or _DEGREE.search(line):
            line, n = YEAR.subn("[year]", line)
            count += n
        out.append(line)
    return "".join(out), count

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
import unicodedata
from collections import Counter

from rightsized.domains.hr_resume.parser import DEGREES, EMAIL, LINK, PHONE, heading_of, is_phone
from rightsized.domains.hr_resume.taxonomy import canonical_skill
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
# Labels that mean the same with no colon after them ("Date of birth 14.02.1987", "Nationality
# Spanish"); "Age", "Born", "Photo" or "Children" open ordinary sentences too, so they need one.
_BARE_LABELS = {"date of birth", r"d\.?o\.?b\.?", "birth ?date", "year of birth", "nationality", "citizenship",
                "place of birth", "country of birth", "marital status", "family status", "civil status", "gender",
                "sexual orientation", "religion", "ethnicity", "ethnic origin", "disability status",
                "veteran status", "military status"}


def _labelled(pattern: str) -> re.Pattern[str]:
    """A labelled line: the label opens it (after a bullet, a table's "|" or Markdown bold) and is
    followed by a colon, "=" or "-", a table's "|", a tab or two spaces; a `_BARE_LABELS` one by a
    single space too."""
    bare = "|".join(label for label in pattern.split("|") if label in _BARE_LABELS)
    single = rf"|(?:{bare})[ ](?=\S)" if bare else ""
    return re.compile(rf"^[ \t•*|#_-]*(?:(?:{pattern})[*_]*(?:\s*[:=|-]|\t|[ ]{{2,}}){single})[^\n]*",
                      re.IGNORECASE | re.MULTILINE)


LABELLED = [(kind, _labelled(pattern)) for kind, pattern in _LABELS.items()]
PHOTO_LINE = re.compile(r"^[ \t]*[\[(]?\s*(?:photo|photograph|picture|headshot)\b(?! removed)[^\n]{0,60}$", re.IGNORECASE | re.MULTILINE)
TITLES = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx)\b\.?")
PRONOUNS = {"she": "they", "he": "they", "her": "their", "his": "their", "him": "them", "hers": "theirs",
            "herself": "themself", "himself": "themself"}
PRONOUN = re.compile(r"\b(?:" + "|".join(PRONOUNS) + r")\b", re.IGNORECASE)
GENDERED = re.compile(r"\b(?:female|male|woman|women|women's|men's|mother|father|wife|husband|maternity|paternity"
                      r"|sorority|fraternity|chairwoman|chairman|businesswoman|businessman|girls|boys|mom|mum|dad)\b",
                      re.IGNORECASE)
# Parenthood ("mom of two", "father of 3 children"): family status, before the gendered word goes.
PARENT_OF = re.compile(r"\b(?:mom|mum|mother|dad|father|parent)\s+of\s+(?:one|two|three|four|five|six|\d)\b"
                       r"(?:\s+(?:kids|children|boys|girls))?|\b(?:mom|mum|mother|dad|father|parent)\s+of\s+(?:twins|triplets)\b",
                       re.IGNORECASE)
AGE_PHRASE = re.compile(r"\b\d{2}[\s-]*(?:years?|yrs?)[\s-]*old\b|\b\d{2}\s*y/o\b|\bborn (?:in|on) [^\n,.;]+"
                        r"|\bborn\s+(?:19|20)\d\d\b(?:\s+in\s+[^\n,.;|]+)?|\baged? \d{2}\b", re.IGNORECASE)
# An age on its own among header fields ("Berlin | 42 years | German"): "12 years in fintech" or
# "10 years of experience" are not ages, so only a cell or list item of its own counts.
AGE_CELL = re.compile(r"(?:(?<=[|,;•])|^)[ \t]*(?:1[6-9]|[2-7]\d)[ \t]*(?:years?|yrs?|y\.?o\.?)[ \t]*(?=[|,;•]|$)",
                      re.IGNORECASE | re.MULTILINE)
# Military service as a status, not a job ("Army veteran", "U.S. Navy veteran", "veteran of the Gulf War").
VETERAN = re.compile(r"\b(?:(?:U\.?S\.?\s+)?(?:army|navy|air force|marine corps|marines|military|combat|coast guard|"
                     r"disabled)\s+)?veterans?\b(?:\s+of\s+[^\n,.;|]+)?", re.IGNORECASE)
# An age right after the name on its header line: "Emily Chen, 29, Data Analyst".
AGE_AFTER_NAME = re.compile(r"(?<=\[candidate\]),\s*(?:1[6-9]|[2-8]\d)\b(?=\s*(?:[,|;]|$))", re.MULTILINE)
# Religion and ethnicity in running text ("a proud Muslim", "Chinese-American"): proper nouns only.
RELIGION = re.compile(r"\b(?:Muslim|Christian|Catholic|Protestant|Jewish|Jew|Hindu|Buddhist|Sikh|Mormon|Evangelical|"
                      r"Baptist|Methodist|Lutheran|Atheist|Agnostic)s?\b")
# A place of worship or religious body named as an organisation ("St. Paul's Church", "Islamic
# Center of America", "Beth Israel Synagogue"): the whole name goes, as any part of it tells.
# "Temple University" is a university, "Church & Dwight" a company.
RELIGIOUS_BODY = re.compile(
    r"(?:\b(?:St\.?|Saint)\s+)?(?:\b[A-Z][\w'’.-]*\s+){0,3}?"
    r"(?:\b(?:Church(?!\s*&)|Mosque|Masjid|Synagogue|Cathedral|Parish|Diocese|Gurdwara|Temple(?!\s+University))\b"
    r"|\bIslamic(?:\s+[A-Z][\w'’-]*)*)(?:\s+of(?:\s+(?:the\s+)?[A-Z][\w'’-]*)+)?")
ETHNICITY = re.compile(r"\b[A-Z][a-z]+-(?:American|Canadian|British|Australian)\b|\b(?:Hispanic|Latino|Latina|Latinx)\b")
# A maiden name: "(née Murphy)", "nee Murphy" after the name.
MAIDEN = re.compile(r"\s*\(?\b(?:née|nee)\s+[^\W\d_][\w'’-]*\)?", re.IGNORECASE)
# A graduation year outside an education section ("graduated 2017", "Class of 2012").
GRADUATION_YEAR = re.compile(r"\b(?:graduated|graduating|graduation|class of)\b[^\n.;]{0,30}?\b(?:19|20)\d\d\b",
                             re.IGNORECASE)
CITIZEN = re.compile(r"\b(?:[A-Z][a-z]+|[A-Z]{2,3}|U\.S\.A?\.?|U\.K\.) (?i:citizen|national|passport holder)s?\b"
                     r"|\b(?i:citizen of) [A-Z][a-z]+(?: [A-Z][a-z]+)?")
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
# Around a name on its header line: Markdown ("# Wei Zhang", "**Wei Zhang**"), a nickname in quotes
# or brackets ('Robert "Bob" Okafor', "Wei (David) Zhang") and pronouns ("Alex Kim  she/her").
MARKDOWN = re.compile(r"^[#*_\s]+|[*_]+(?=\s|$)")
NICKNAME = re.compile(r"\s+[\"“”'‘’(](?P<nick>[^\W\d_][\w'’-]*)[\"“”'‘’)](?=\s)")
PRONOUN_SET = re.compile(r"[\s(\[|,-]*\b(?:she|he|they|ze|xe)\s*/\s*(?:her|him|them|hir|xem)(?:\s*/\s*\w+)?\b[)\]]?",
                         re.IGNORECASE)
# "GARCÍA LÓPEZ, María José": surname in capitals, a comma, then the given names.
SURNAME_FIRST = re.compile(r"^(?P<surname>[^\W\d_a-z]+(?:[ -][^\W\d_a-z]+){0,2}),\s*"
                           r"(?P<given>[^\W\d_][^\W\d_'’-]*(?:\s+[^\W\d_][^\W\d_'’-]*){0,2})\s*(?=$|[|•·;/\t])")
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


def candidate_names(text: str) -> list[str]:
    """The candidate's name as the header writes it, then any nickname it gives: a "Name:" line,
    else the start of the first line (after a "Resume" or "Curriculum Vitae" title) when it reads
    like a name. Contact details or a credential after a separator on that line ("Priya
    Raghunathan | priya@x.io", "Mary-Jane Watson, PhD"), pronouns and Markdown are not part of
    it; "GARCÍA LÓPEZ, María José" is one name, surname first."""
    if labelled := NAME_LABEL.search(text):
        return [labelled.group("name").strip()]
    lines = [MARKDOWN.sub("", line).strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if line]
    while lines and (TITLE_LINE.match(lines[0]) or TOP_HEADING.match(lines[0])):
        lines.pop(0)
    if not lines:
        return []
    line = lines[0]
    if titled := TITLE_OF.match(line):
        line = titled.group("rest")
    line = PRONOUN_SET.sub("", line)
    if reversed_ := SURNAME_FIRST.match(line):
        name = f"{reversed_.group('given')} {reversed_.group('surname')}"
        return [name] if _looks_like_name(name) else []
    nicknames = [m.group("nick") for m in NICKNAME.finditer(line)]
    line = NICKNAME.sub("", line)
    first = HEADER_SEPARATOR.split(line, maxsplit=1)[0]
    first = HONORIFIC.sub("", first).strip()  # "Dr. Olga Petrova": the title is no part of the name to erase
    return [first, *nicknames] if _looks_like_name(first) else []


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

        names = candidate_names(text)
        text = sub(MAIDEN, "name", "", text)
        text = sub(NAME_LABEL, "name", "Name: [candidate]", text)
        text = sub(EMAIL, "contact", "[email]", text)
        text = sub(LINK, "contact", "[link]", text)
        found["contact"] += sum(1 for m in PHONE.finditer(text) if is_phone(m.group(0)))
        text = PHONE.sub(lambda m: "[phone]" if is_phone(m.group(0)) else m.group(0), text)
        if names:
            text = _without_name(text, names, found)
        for kind, pattern in LABELLED:
            text = sub(pattern, kind, f"[{kind.replace('_', ' ')} removed]", text)
        text = sub(PHOTO_LINE, "photo", "[photo removed]", text)
        text = sub(PARENT_OF, "marital_status", "[family status]", text)
        text = sub(VETERAN, "veteran_status", "[veteran status]", text)
        text = sub(TITLES, "gender", "[title]", text)
        text, count = PRONOUN.subn(_neutral, text)
        found["gender"] += count
        text = sub(GENDERED, "gender", "[gender]", text)
        text = sub(AGE_PHRASE, "age", "[age]", text)
        text = sub(GRADUATION_YEAR, "age", "[graduation year]", text)
        text = sub(CITIZEN, "nationality", "[nationality]", text)
        text = sub(AGE_AFTER_NAME, "age", ", [age]", text)
        text = sub(AGE_CELL, "age", " [age] ", text)
        text = sub(RELIGIOUS_BODY, "religion", "[religion]", text)
        text = sub(RELIGION, "religion", "[religion]", text)
        text = sub(ETHNICITY, "ethnicity", "[ethnicity]", text)
        text = sub(MARITAL, "marital_status", "[marital status]", text)
        text, count = _education_years(text)
        found["age"] += count
        return Redaction(text, {kind: n for kind, n in sorted(found.items()) if n})


# Web addresses ("https://alexkim.io", "weizhang.dev/blog"): one that holds the candidate's name is
# as identifying as the name.
URL = re.compile(r"(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,12}(?::\d+)?(?:/[^\s|,;)]*)?", re.IGNORECASE)


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def _spellings(name: str) -> set[str]:
    """A name (or a word of it) as documents also write it: without accents ("Zoë Müller" in a PDF
    footer as "Zoe Muller") and with German umlauts spelled out ("Mueller")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return {name, plain, name.translate(_UMLAUTS)}


def _without_name(text: str, names: list[str], found: Counter[str]) -> str:
    """Every mention of the candidate: the whole name, then each of its words alone (also without
    accents), web addresses holding a word of it ("alexkim.io"). A word that is also a skill
    ("Ruby Chen", "Rust Cohen") is taken only inside the whole name: alone it is far more often
    the skill, and erasing it erased the candidate's main skill from the match."""
    whole = sorted({v for name in names for v in _spellings(name)}, key=len, reverse=True)
    text, count = re.subn("|".join(map(re.escape, whole)), "[candidate]", text, flags=re.IGNORECASE)
    found["name"] += count
    words = [t for name in names for t in re.split(r"[\s.]+", name) if len(t) >= 2 and t.lower() not in PARTICLES]
    spellings = sorted({v for w in words for v in _spellings(w)}, key=len, reverse=True)
    lowered = [v.lower() for v in spellings if len(v) >= 3]

    def url(match: re.Match[str]) -> str:
        if not any(v in match.group(0).lower() for v in lowered):
            return match.group(0)
        found["contact"] += 1
        return "[link]"

    text = URL.sub(url, text)
    if alone := [v for v in spellings if canonical_skill(v) is None]:
        text, count = re.subn(r"\b(?:" + "|".join(map(re.escape, alone)) + r")(?:'s)?\b", "[candidate]", text,
                              flags=re.IGNORECASE)
        found["name"] += count
    return text


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

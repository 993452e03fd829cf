"""Resume text -> structured resume: sections, contact block, skills with years, education,
certifications.

Why line-based: resumes are lists of short lines under headings; a dated line opens an
experience or project entry and the lines under it are that entry's body, so a skill named in a
bullet gets the entry's date range. Skills named only in a skills list have no years behind them
(keyword stuffing shows up as `listed` without `experience_backed`); skills named only in a
project description count, with the project's dates. Years per skill merge overlapping ranges.
"""
from __future__ import annotations

import re
from datetime import date

from rightsized.domains.hr_resume.dates import RANGE, Span, find_ranges, gaps, years
from rightsized.domains.hr_resume.models import (
    Contact,
    EducationEntry,
    Evidence,
    ExperienceEntry,
    ParsedResume,
    SkillRecord,
)
from rightsized.domains.hr_resume.taxonomy import find_skills

HEADINGS = {
    "summary": ("summary", "profile", "professional summary", "about me", "objective", "career objective"),
    "skills": ("skills", "technical skills", "professional skills", "skills summary", "core skills", "key skills", "skills & tools", "technologies",
               "tech stack", "competencies", "core competencies", "skills and tools"),
    "experience": ("experience", "work experience", "professional experience", "employment",
                   "employment history", "work history", "career history", "relevant experience"),
    "projects": ("projects", "selected projects", "personal projects", "side projects", "research projects"),
    "education": ("education", "academic background", "education & training", "education and training",
                  "education & certifications", "education and certifications", "education & certificates",
                  "education and certificates", "certifications & education", "certifications and education",
                  "academic qualifications", "qualifications & education"),
    "certifications": ("certifications", "certificates", "licenses & certifications", "certifications & courses",
                       "courses", "certification"),
    "publications": ("publications", "selected publications", "papers", "talks"),
    "personal": ("personal details", "personal information", "personal", "additional information",
                 "interests", "languages", "references"),
}
_HEADING = {variant: name for name, variants in HEADINGS.items() for variant in variants}
ENTRY_SECTIONS = ("experience", "projects")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w/])\+?\d[\d ().-]{7,}\d(?!\w)")
LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:linkedin\.com|github\.com|gitlab\.com)/[\w./-]+", re.IGNORECASE)
DEGREES = (
    ("phd", r"\bPh\.?\s?D\b|\bDoctor(?:ate)? of\b|\bD\.?Phil\b"),
    ("master", r"\bM\.?\s?Sc\b|\bM\.?\s?S\.(?=\s)|\bMaster(?:'s)?\b|\bM\.?\s?Eng\b|\bMBA\b|\bM\.?A\.(?=\s)"),
    ("bachelor", r"\bB\.?\s?Sc\b|\bB\.?\s?S\.(?=\s)|\bBachelor(?:'s)?\b|\bB\.?\s?Eng\b|\bB\.?\s?Tech\b|\bB\.?A\.(?=\s)"),
    ("associate", r"\bAssociate(?:'s)? degree\b|\bA\.?A\.?S\b"),
)
INSTITUTION = re.compile(r"\b(?:University|Institute|College|School|Polytechnic|Politecnico|Academy|Universit\w+|ETH)\b")
PARTS = re.compile(r"\s*(?:,|;|\||\(|\)|\s-\s|\s–\s)\s*")
_FIELD_WORDS = r"([A-Z][A-Za-z&]*(?:\s+(?:and\s+|&\s+)?[A-Z][A-Za-z&]*){0,4})"
FIELD_IN = re.compile(rf"\bin\s+{_FIELD_WORDS}")
FIELD_OF = re.compile(rf"\bof\s+{_FIELD_WORDS}")
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A dated line under Experience that is time away from work ("Career break 2018 - 2019"): counted as
# experience it filled the gap it reports and added its years to every total.
NOT_WORK = re.compile(r"\b(?:career break|sabbatical|parental leave|maternity leave|paternity leave|family leave|"
                      r"gap year|travell?ing|caregiving|career gap)\b", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-*•·▪‣–]|\d+[.)])\s*")


_MARKUP = re.compile(r"^[#*_=\s]+|[*_=\s:]+$")


def heading_of(line: str) -> str | None:
    """The section a line opens, or None: a short line that is a known heading, also as Markdown
    writes it ("## Experience", "**Skills:**")."""
    key = re.sub(r"\s+", " ", _MARKUP.sub("", line.strip()).strip(":").strip()).lower()
    if not 0 < len(key) <= 60:
        return None
    # A bilingual heading names one section twice: "Berufserfahrung / Experience".
    return _HEADING.get(key) or next((_HEADING[part] for part in re.split(r"\s+[/|]\s+", key) if part in _HEADING), None)


def parse_resume(text: str, *, as_of: date) -> ParsedResume:
    """Parse resume text (raw or blind) as of a date (open-ended ranges end there)."""
    lines = _lines(text)
    section = "header"
    seen: list[str] = []
    skills: dict[str, SkillRecord] = {}
    spans: dict[str, list[Span]] = {}
    in_entries: dict[str, set[str]] = {}  # skill -> sections of the dated entries naming it
    entries: list[ExperienceEntry] = []
    experience_spans: list[Span] = []
    current: tuple[ExperienceEntry, list[Span]] | None = None
    education: list[EducationEntry] = []
    degree_line = ""
    cert_bulleted = False
    certifications: list[str] = []
    for offset, line in lines:
        if (heading := heading_of(line)) is not None:
            section, current = heading, None
            if heading not in seen:
                seen.append(heading)
            continue
        ranges = find_ranges(line, as_of) if section in ENTRY_SECTIONS and not NOT_WORK.search(line) else []
        if ranges:
            entry = ExperienceEntry(section=section, header=BULLET.sub("", line).strip(), offset=offset,
                                    start=ranges[0][0].label()[:7], end=ranges[-1][0].label()[-7:])
            current = (entry, [r[0] for r in ranges])
            entries.append(entry)
            if section == "experience":
                experience_spans.extend(current[1])
        for mention in find_skills(line):
            record = skills.setdefault(mention.skill, SkillRecord(skill=mention.skill))
            record.evidence.append(Evidence(section=section, text=line.strip(), offset=offset + mention.start))
            if section == "skills":
                record.listed = True
            elif section in ENTRY_SECTIONS and current is not None:
                spans.setdefault(mention.skill, []).extend(current[1])
                in_entries.setdefault(mention.skill, set()).add(section)
                if mention.skill not in current[0].skills:
                    current[0].skills.append(mention.skill)
        if section == "education":
            if (entry_ := education_entry(line)) is not None:
                education.append(entry_)
                degree_line = line
            elif education and degree_line:  # a wrapped degree line ("University of" / "Lagos, 2018")
                degree_line = f"{degree_line} {line.strip()}"
                education[-1] = education_entry(degree_line) or education[-1]
        if section == "certifications" and (name := certification_name(line)):
            if certifications and not BULLET.match(line) and cert_bulleted:  # a wrapped bullet
                certifications[-1] = f"{certifications[-1]} {name}"
            else:
                certifications.append(name)
                cert_bulleted = bool(BULLET.match(line))
    for skill, record in skills.items():
        record.experience_backed = skill in in_entries
        record.only_in_projects = in_entries.get(skill) == {"projects"}
        record.years = years(spans.get(skill, []))
    return ParsedResume(
        sections=seen, contact=contact_block(text), skills=sorted(skills.values(), key=lambda s: s.skill.lower()),
        experience=entries, total_years=years(experience_spans),
        gaps=[g.label() for g in gaps(experience_spans)], education=education, certifications=certifications,
    )


def _lines(text: str) -> list[tuple[int, str]]:
    out, offset = [], 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            out.append((offset, line.rstrip("\r\n")))
        offset += len(line)
    return out


def is_phone(candidate: str) -> bool:
    """At least nine digits and not a date range: "2019 - 2021", "03.2019 - 11.2023" and
    "2019-03 - 2023-11" are work history (redacted as phones, they erased every year of it)."""
    return sum(c.isdigit() for c in candidate) >= 9 and not RANGE.fullmatch(candidate.strip())


def contact_block(text: str) -> Contact:
    email = EMAIL.search(text)
    phone = next((m.group(0) for m in PHONE.finditer(text) if is_phone(m.group(0))), None)
    return Contact(email=email.group(0) if email else None,
                   phone=re.sub(r"\s+", " ", phone).strip() if phone else None,
                   links=sorted({m.group(0) for m in LINK.finditer(text)}))


def education_entry(line: str) -> EducationEntry | None:
    """A degree line: level, the degree as written, field, institution and year. Parts are
    split at commas, " - ", bars and parentheses: "MSc Statistics - Osaka University (2015)"."""
    clean = BULLET.sub("", line).strip()
    for level, pattern in DEGREES:
        if m := re.search(pattern, clean):
            parts = [p for p in PARTS.split(clean) if p.strip()]
            institution = next((p for p in parts if INSTITUTION.search(p)), None)
            degree_part = next((p for p in parts if re.search(pattern, p)), clean)
            rest = degree_part[re.search(pattern, degree_part).end():].strip(" .")  # type: ignore[union-attr]
            # "Bachelor of Science in Computer Science": the field follows "in" when there is one.
            field_match = FIELD_IN.search(rest) or FIELD_OF.search(rest)
            field = field_match.group(1) if field_match else (rest if re.fullmatch(_FIELD_WORDS, rest) else None)
            year = YEAR.findall(clean)
            return EducationEntry(
                level=level, degree=m.group(0).strip(), field=field.strip() if field else None,
                institution=institution.strip() if institution else None,
                year=int(year[-1]) if year else None)
    return None


def certification_name(line: str) -> str | None:
    """A certification line without its bullet, dates and issuer suffix in parentheses."""
    name = BULLET.sub("", line).strip()
    name = re.sub(r"\s*[,(|-]?\s*(?:(?:19|20)\d\d|\[year\])\s*\)?\s*$", "", name).strip(" ,-|")
    return name or None

"""A profile or a job posting as the lines a document shows, in one of several real layouts.

Why one renderer for text and PDF: the PDF writers (`pdfs.py`) place the same lines in columns
and fonts, so the plain-text and PDF versions of a resume say the same thing. Lines are short
(pre-wrapped here, not by the PDF library) so a counterfactual twin — the same resume with a
different name, pronoun or birth year — wraps exactly like its original.
"""
from __future__ import annotations

import textwrap

from rightsized.domains.hr_resume.profiles import AS_OF, Job, JobPosting, Profile, Project, alias

Section = tuple[str, list[str]]
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
VERBS = ("Built and ran services in {}", "Designed data flows with {}", "Moved the team's stack to {}",
         "Owned on-call and tuning for {}", "Mentored two engineers on {}", "Cut costs by 30% using {}")


def month(index: int, style: int) -> str:
    year, m = divmod(index, 12)
    return (f"{MONTH_NAMES[m]} {year}", f"{m + 1:02d}/{year}", f"{year}", f"{MONTH_NAMES[m]} {year}")[style % 4]


def date_range(item: Job | Project, style: int, dash: str) -> str:
    end = ("Present", "present", "now", "Present")[style % 4] if item.end is None else month(item.end, style)
    if style % 4 == 2 and item.end is not None and item.end // 12 == item.start // 12:
        return f"{MONTH_NAMES[item.start % 12]} {item.start // 12} {dash} {month(item.end, 0)}"
    return f"{month(item.start, style)} {dash} {end}"


def rendered_span(item: Job | Project, style: int, now: int) -> tuple[int, int]:
    """The (start, end) months the rendered dates say: bare years read as January to December."""
    end = now if item.end is None else item.end
    if style % 4 != 2 or (item.end is not None and item.end // 12 == item.start // 12):
        return item.start, end
    return (item.start // 12) * 12, end if item.end is None else min(now, (end // 12) * 12 + 11)


def _skills_text(skills: tuple[str, ...], style: int) -> list[str]:
    return [alias(s, style, i) for i, s in enumerate(skills)]


def job_lines(job: Job, style: int, dash: str, terse: bool) -> list[str]:
    when = date_range(job, style, dash)
    header = (f"{job.title} | {job.company} | {when}", f"{job.company} - {job.title} ({when})",
              f"{when}  {job.title}, {job.company}")[style % 3]
    names = _skills_text(job.skills, style)
    if terse:
        return [header, "- Stack: " + ", ".join(names)]
    bullets = []
    for index in range(0, len(names), 2):
        verb = VERBS[(style + index) % len(VERBS)]
        bullets.append("- " + verb.format(" and ".join(names[index:index + 2])))
    return [header, *bullets]


def project_lines(project: Project, style: int, dash: str) -> list[str]:
    names = " and ".join(_skills_text(project.skills, style + 1))
    return [f"{project.name} ({date_range(project, style, dash)})",
            f"- Wrote and maintain a library used by 2,000 people, written in {names}"]


def protected_lines(profile: Profile) -> list[str]:
    p = profile.person
    lines = []
    if "gender_line" in p.plants:
        lines.append(f"Gender: {'Female' if p.gender == 'F' else 'Male'}")
    if "dob" in p.plants:
        lines.append(f"Date of birth: 14 {MONTH_NAMES[(profile.style % 12)]} {p.birth_year}" if profile.style % 2
                     else f"Age: {AS_OF.year - p.birth_year}")
    if "nationality" in p.plants:
        lines.append(f"Nationality: {p.nationality}")
    if "marital" in p.plants:
        lines.append(f"Marital status: {p.marital}")
    if "photo" in p.plants:
        lines.append("Photo: attached")
    return lines


def summary_lines(profile: Profile) -> list[str]:
    p = profile.person
    lines = ["Engineer who likes reliable systems, clear code and calm releases."]
    if "pronoun" in p.plants:
        pronoun = "She" if p.gender == "F" else "He"
        lines.append(f"{pronoun} is open to hybrid work and short travel.")
    if "title" in p.plants:
        lines.append(f"References for {'Ms.' if p.gender == 'F' else 'Mr.'} {p.surname} on request.")
    return lines


def education_line(profile: Profile) -> str:
    level, degree, field, school = profile.degree
    return (f"{degree} in {field}, {school}, {profile.graduation}", f"{degree} {field} - {school} ({profile.graduation})",
            f"{profile.graduation}  {degree} in {field}, {school}")[profile.style % 3]


def resume_sections(profile: Profile, *, dash: str = "-") -> tuple[list[str], list[Section]]:
    """(header lines, sections in the layout's order)."""
    p, style = profile.person, profile.style
    terse = profile.layout == "terse"
    header = [p.name, f"{p.email} | {profile.phone}"]
    if profile.style % 3 == 0:
        header.append(f"linkedin.com/in/{p.handle}")
    experience = [line for job in profile.jobs for line in job_lines(job, style, dash, terse)]
    listed = ", ".join(_skills_text(profile.listed, style))
    skills = [listed] if terse else textwrap.wrap(listed, 60)
    sections: list[Section] = [("Summary", summary_lines(profile)), ("Skills", skills),
                               ("Experience", experience)]
    if profile.projects:
        sections.append(("Projects", [line for pr in profile.projects for line in project_lines(pr, style, dash)]))
    sections.append(("Education", [education_line(profile)]))
    if profile.certifications:
        sections.append(("Certifications", [f"- {c}" for c in profile.certifications]))
    if profile.layout == "academic":
        sections.append(("Publications", [
            f"[{i + 1}] Reliable pipelines at scale, part {i + 1}. Workshop on Systems, {2014 + i}." for i in range(14)]))
    if personal := protected_lines(profile):
        sections.append(("Personal details", personal))
    if profile.layout == "skills_first":
        sections.sort(key=lambda s: s[0] != "Skills")
    if terse:
        sections = [s for s in sections if s[0] != "Summary"]
    return header, sections


def resume_text(profile: Profile) -> str:
    header, sections = resume_sections(profile, dash="–")
    parts = ["\n".join(header)] + [f"{title.upper()}\n" + "\n".join(lines) for title, lines in sections]
    return "\n\n".join(parts) + "\n"


def job_text(job: JobPosting) -> str:
    """A posting: intro, responsibilities, must-have and nice-to-have lists."""
    def spell(skill: str, index: int) -> str:
        # Postings spell out what resumes abbreviate, and sometimes both ("Kubernetes (k8s)").
        return f"{skill} ({alias(skill, 0, 0)})" if (job.style + index) % 3 == 0 and alias(skill, 0, 0) != skill else skill

    musts = []
    for index, skill in enumerate(job.must):
        if skill == job.key_skill:
            musts.append(f"- {job.min_years}+ years of experience with {spell(skill, index)}")
        elif job.second_min and skill == job.second_min[0]:
            musts.append(f"- At least {job.second_min[1]} years of {spell(skill, index)}")
        else:
            musts.append(f"- Hands-on {spell(skill, index)}")
    if job.overall_years:
        musts.append(f"- {job.overall_years}+ years of professional experience")
    must_heading, nice_heading = (("Requirements", "Nice to have"), ("Must have", "Preferred"),
                                  ("What you need", "Bonus points"))[job.style % 3]
    return "\n".join([
        job.title, "",
        "We build software that moves freight across Europe. You will join a team of eight.", "",
        "Responsibilities", "- Design, build and run the services your team owns",
        "- Review code and share on-call", "",
        must_heading, *musts, "",
        nice_heading, *[f"- {spell(s, i + 1)}" for i, s in enumerate(job.nice)], "",
        "We offer", "- Hybrid work, learning budget, 30 days of leave",
    ]) + "\n"

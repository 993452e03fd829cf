"""Resumes and postings as PDFs (fpdf2, core fonts) in real layouts, or as plain text.

Why several layouts: parsers break on layout, not on words. Single column (chronological,
skills-first, terse one-pager, a long academic CV over two pages) and two columns (contact,
skills, education on the left; experience on the right — written column by column, as a text
layer from a word processor's export reads). Core fonts take Latin-1 only, so PDFs use "-"
where the plain-text resumes use an en dash.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF

from rightsized.domains.hr_resume.profiles import JobPosting, Profile
from rightsized.domains.hr_resume.render import job_text, resume_sections, resume_text

LEFT_SECTIONS = ("Skills", "Education", "Certifications", "Personal details")


def write_resume(profile: Profile, folder: Path) -> Path:
    """The resume file for a profile: `<resume_id>.txt` for plain text, else `.pdf`."""
    folder.mkdir(parents=True, exist_ok=True)
    if profile.layout == "plain_text":
        path = folder / f"{profile.resume_id}.txt"
        path.write_text(resume_text(profile), encoding="utf-8")
        return path
    path = folder / f"{profile.resume_id}.pdf"
    header, sections = resume_sections(profile)
    pdf = _new_pdf(profile.resume_id)
    if profile.layout == "two_column":
        _two_columns(pdf, header, sections)
    else:
        _one_column(pdf, header, sections, size=9 if profile.layout == "terse" else 10)
    pdf.output(str(path))
    return path


def write_job(job: JobPosting, folder: Path, *, as_pdf: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = job_text(job)
    if not as_pdf:
        path = folder / f"{job.job_id}.txt"
        path.write_text(text, encoding="utf-8")
        return path
    path = folder / f"{job.job_id}.pdf"
    pdf = _new_pdf(job.job_id)
    pdf.set_font("Helvetica", size=10)
    for line in text.splitlines():
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _new_pdf(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))  # same seed, same bytes
    pdf.set_title(title)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    return pdf


def _one_column(pdf: FPDF, header: list[str], sections: list[tuple[str, list[str]]], *, size: int) -> None:
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, header[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=size)
    for line in header[1:]:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    for title, lines in sections:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", size + 2)
        pdf.cell(0, 7, title.upper(), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=size)
        for line in lines:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")


def _two_columns(pdf: FPDF, header: list[str], sections: list[tuple[str, list[str]]]) -> None:
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, header[0], new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 2
    for x, width, wanted in ((10, 60, True), (76, 124, False)):
        pdf.set_xy(x, top)
        if wanted:
            pdf.set_font("Helvetica", size=8)
            for line in header[1:]:
                for part in line.split(" | "):
                    pdf.set_x(x)
                    pdf.multi_cell(width, 4.5, part, new_x="LEFT", new_y="NEXT")
        for title, lines in sections:
            if (title in LEFT_SECTIONS) != wanted:
                continue
            pdf.ln(2)
            pdf.set_x(x)
            pdf.set_font("Helvetica", "B", 11)
            pdf.cell(width, 6, title.upper(), new_x="LEFT", new_y="NEXT")
            pdf.set_font("Helvetica", size=8 if wanted else 9)
            for line in lines:
                pdf.set_x(x)
                pdf.multi_cell(width, 4.5, line, new_x="LEFT", new_y="NEXT")

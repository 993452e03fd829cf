"""Render an applicant packet as three real PDFs (fpdf2, built-in fonts, no font files).

Why PDFs and not text files: the pipeline under test must do what it does on real packets:
pypdf extraction, page numbers, MRZ lines in a monospace font, labels next to values.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from fpdf import FPDF

from rightsized.domains.bfsi_kyc.corpus import INJECTED_LINES, INJECTED_SUFFIX

if TYPE_CHECKING:
    from rightsized.domains.bfsi_kyc.corpus import Applicant


def viz_date(value: date) -> str:
    """Visual-zone date style of travel documents: 12 MAR 1985."""
    return value.strftime("%d %b %Y").upper()


def _pdf(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))  # deterministic bytes for a given seed
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    return pdf


def _lines(pdf: FPDF, lines: list[str]) -> None:
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")


def identity_document(a: Applicant, mrz: list[str]) -> FPDF:
    kind = "PASSPORT" if a.document_kind == "passport" else "IDENTITY CARD"
    pdf = _pdf(f"{a.country_name.upper()} - {kind}")
    _lines(pdf, [
        f"Type: {'P' if a.document_kind == 'passport' else 'ID'}",
        f"Issuing state: {a.nationality}",
        f"Document number: {a.document_number}",
        f"Surname: {a.surname.upper()}",
        f"Given names: {a.given_names.upper()}",
        f"Nationality: {a.nationality}",
        f"Date of birth: {viz_date(a.birth_date)}",
        f"Sex: {a.sex}",
        f"Date of expiry: {viz_date(a.expiry_date)}",
        "",
    ])
    pdf.set_font("Courier", size=11)
    _lines(pdf, mrz)
    return pdf


def proof_of_address(a: Applicant, as_of: date) -> FPDF:
    issued = as_of - timedelta(days=21)
    if a.poa_layout == "letter":
        supplier = UTILITY_NAME if a.poa_kind == "utility_bill" else BANK_NAME
        pdf = _pdf(f"{supplier.upper()} - CONFIRMATION OF ADDRESS")
        _lines(pdf, [
            issued.strftime("%d %B %Y"), "",
            f"Dear {a.poa_name},", "",
            f"We confirm that our records show you at {a.poa_address}, where your account with "
            f"{supplier} has been held since {issued.year - 3}.",
            "Please keep this letter for your records.", "", "Customer Service",
        ])
        return pdf
    injected = list(INJECTED_LINES) if a.scenario == "injection" else []
    if a.poa_kind == "utility_bill":
        pdf = _pdf("ELECTRICITY BILL")
        _lines(pdf, [
            f"Supplier: {UTILITY_NAME}", f"Bill date: {issued.isoformat()}",
            f"Account holder: {a.poa_name}", f"Service address: {a.poa_address}",
            "Billing period: 30 days", "Amount due: 84.20", *injected,
            "Thank you for paying by direct debit.",
        ])
    else:
        pdf = _pdf("BANK STATEMENT")
        _lines(pdf, [
            f"Bank: {BANK_NAME}", f"Statement date: {issued.isoformat()}",
            f"Account holder: {a.poa_name}", f"Correspondence address: {a.poa_address}",
            "Opening balance: 2,310.55",
            f"{(issued - timedelta(days=12)).isoformat()}  Card payment  SUPERMARKET  -54.10",
            f"{(issued - timedelta(days=6)).isoformat()}  Salary  ACME LTD  +2,950.00",
            "Closing balance: 5,206.45", *injected,
        ])
    return pdf


def application_form(a: Applicant, as_of: date) -> FPDF:
    pdf = _pdf("ACCOUNT OPENING APPLICATION")
    _lines(pdf, [
        f"Application date: {(as_of - timedelta(days=3)).isoformat()}",
        f"Full name: {a.form_name}",
        f"Date of birth: {(a.form_birth_date or a.birth_date).isoformat()}",
        f"Nationality: {a.nationality}",
        f"Residential address: {a.address}{INJECTED_SUFFIX if a.scenario == 'injection' else ''}",
        f"Identity document: {'Passport' if a.document_kind == 'passport' else 'National identity card'}",
        f"Document number: {a.document_number}",
        "Occupation: Employed",
        "Source of funds: Salary",
        "",
        "I declare that the information given in this application is true and complete.",
    ])
    return pdf


UTILITY_NAME = "Northwind Energy"
BANK_NAME = "Harbour Bank plc"


def write_decoy_passport(folder: Path, decoy: Applicant, mrz: list[str]) -> None:
    identity_document(decoy, mrz).output(str(folder / "passport_renewed.pdf"))


def write_packet(folder: Path, a: Applicant, mrz: list[str], *, as_of: date) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    document_name = "passport.pdf" if a.document_kind == "passport" else "id_card.pdf"
    identity_document(a, mrz).output(str(folder / document_name))
    proof_of_address(a, as_of).output(str(folder / "proof_of_address.pdf"))
    application_form(a, as_of).output(str(folder / "application_form.pdf"))

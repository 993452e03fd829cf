"""PHI the healthcare_notes redactor missed or over-redacted in the probe of 2026-12-02 (third round):
names in Epic and UK headers, labels and lower-case relatives, dates with no year, UK and Canadian
identifiers, and drug names or eponyms read as people."""
from __future__ import annotations

import pytest

from rightsized.domains.healthcare_notes.redactor import PhiRedactor


@pytest.fixture(scope="module")
def redactor() -> PhiRedactor:
    """One redactor (spaCy model loaded once) for the module."""
    r = PhiRedactor()
    r.warm_up()
    return r


def _found(redactor: PhiRedactor, text: str) -> dict[str, str]:
    """Each found value -> its kind."""
    return {text[s.start:s.end]: s.kind for s in redactor.detect(text)}


@pytest.mark.parametrize(("text", "kind", "value"), [
    # Names.
    ("RIVERA, JOSÉ LUIS  DOB: 02/09/1951", "NAME", "RIVERA, JOSÉ LUIS"),
    ("Pt: HUGHES, EDITH M     Hosp No: RQX1234567", "NAME", "HUGHES, EDITH M"),
    ("Re: Mrs Edith Margaret HUGHES, DOB 03.11.1931", "NAME", "Edith Margaret HUGHES"),
    ("Cosigned by: Ferreira, Harold at 11/4/2024", "NAME", "Ferreira, Harold"),
    ("Addendum by Nadia Haddad on 11/5/2024", "NAME", "Nadia Haddad"),
    ("HCP: Lukas Novak (grandson)", "NAME", "Lukas Novak"),
    ("Referring MD: Kowalczyk", "NAME", "Kowalczyk"),
    ("Daughter-in-law Hana found him.", "NAME", "Hana"),
    ("daughter mei called at 0530, updated", "NAME", "mei"),
    ("grandson lukas called, updated.", "NAME", "lukas"),
    ("wife maria at bedside", "NAME", "maria"),
    ("will continue to monitor. -- j. okafor rn", "NAME", "j. okafor"),
    ("- m. delacroix, rn", "NAME", "m. delacroix"),
    # Dates with no year, and a compact date of birth.
    ("12/25 0115 pt agitated, pulled IV", "DATE", "12/25"),
    ("admitted 1/3, discharged 1/7", "DATE", "1/3"),
    ("admitted 1/3, discharged 1/7", "DATE", "1/7"),
    ("CT 12/25 showed SDH", "DATE", "12/25"),
    ("DOB 19510209", "DATE", "19510209"),
    # Identifiers.
    ("Hosp No: RQX1234567", "MRN", "RQX1234567"),
    ("Pt ID 4417823", "MRN", "4417823"),
    ("Health card: 1234-567-890-AB", "HEALTH_PLAN", "1234-567-890-AB"),
    ("HCN 1234567890", "HEALTH_PLAN", "1234567890"),
    ("NHS No: 943 476 5919", "HEALTH_PLAN", "943 476 5919"),
    ("GMC 4412087", "LICENSE", "4412087"),
    ("NMC 12A3456E", "LICENSE", "12A3456E"),
    ("Tel 020 7377 7000   NHS No: 943 476 5919", "PHONE", "020 7377 7000"),
])
def test_probe_identifier_is_found(redactor: PhiRedactor, text: str, kind: str, value: str) -> None:
    assert _found(redactor, text).get(value) == kind


@pytest.mark.parametrize(("text", "kept"), [
    # An initial ends its word: "Age:" keeps its "A".
    ("Name: HUGHES, EDITH Age: 93", "Age: 90+"),
    ("SMITH, JOHN MRN 12345", "MRN"),
    # A credential before a colon is a label, not the end of a name.
    ("Referring MD: Kowalczyk", "Referring MD:"),
    # "ID" after a word is no Idaho address.
    ("Pt ID 4417823", "Pt ID"),
    # Relatives' verbs, nouns and words in lower case stay.
    ("His mother died.", "mother died."),
    ("caregiver instruction; and home exercise", "caregiver instruction;"),
    ("daughter present at visit", "daughter present"),
    ("father smokes cigarettes", "father smokes"),
    ("Lee's sister came.", "sister came."),
    # Scores and ratios are no dates.
    ("pain 4/10 1400", "4/10"),
    ("5/5 strength, 2/6 murmur, 1/2 NS", "5/5 strength, 2/6 murmur, 1/2 NS"),
    # Drugs the NER model reads as people, and an eponym beside a clinician of the same name.
    ("Allergies: Sulfa Antibiotics, Morphine Sulfate - itching", "Sulfa Antibiotics, Morphine Sulfate"),
    ("Fluids: Ringer Lactate bolus given", "Ringer Lactate"),
    ("Seen by Dr. Foley for Foley catheter placement.", "Foley catheter"),
    ("Mr. Smith COPD exacerbation", "COPD exacerbation"),
])
def test_probe_text_is_kept(redactor: PhiRedactor, text: str, kept: str) -> None:
    assert kept in redactor.redact(text, key="k").text


def test_compact_date_of_birth_keeps_its_form(redactor: PhiRedactor) -> None:
    out = redactor.redact("DOB 19510209", key="k").text
    assert out.startswith("DOB ") and out != "DOB 19510209"
    assert len(out) == len("DOB 19510209") and out[4:].isdigit()

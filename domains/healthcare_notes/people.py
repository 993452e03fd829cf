"""Synthetic patients, relatives and clinicians, with every Safe Harbor identifier a note holds.

Why varied formats per kind: a de-identifier tuned to one date or phone style looks perfect on
its own corpus and leaks on the next one, so each identifier is drawn in one of several formats
seen in real notes (slashes, dashes, ISO, spelled months; "(413) 555-0199", "413.555.0199", ...).
Names come from many cultures and include words that are also English words or eponyms
("Bell", "Wilson"), so name detection is tested beyond a common-name list. All are fictional:
555-01xx phone numbers, example.* domains, documentation IP ranges, SSNs in the 9xx area that is
never issued.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

FIRST = ("Grace Maria James Wei Aisha Olumide Priya Dmitri Sofia Mohammed Hannah Kenji Fatima Carlos Thanh Ingrid "
         "Rajesh Chiamaka Mateo Yusuf Leila Tomasz Anneliese Kwame Mei Santiago Esperanza Bogdan Siobhan Arjun "
         "Noura Elif Teodor Ximena Hamid Lucía Björn Amara Dong-hyun Rosalind").split()
LAST = ("Okafor Lopez Chen Patel Kowalski Nakamura Haddad Johansson O'Brien McAllister Nguyen Abernathy Fitzgerald "
        "Delgado Adeyemi Ivanova Schwartz Rosenberg Kim Wilson Bell Castellanos Mbeki Lindqvist Novak Oyelaran "
        "Tanaka Hussain Brennan Vasquez Achebe Grünewald Sokolov Mendoza Ferreira Kaur Osei Park").split()
STREETS = ("Oak Street", "Maple Ave", "Chestnut Hill Road", "N. Pleasant St", "Riverside Drive", "Elm Court",
           "Harbor View Lane", "Walnut Blvd", "Kingsley Way", "Cedar Terrace")
PLACES = (("Springfield", "MA", "01103"), ("Chicopee", "MA", "01013"), ("Burlington", "VT", "05401"),
          ("Barre", "VT", "05641"), ("Portsmouth", "NH", "03801"), ("Worcester", "MA", "01608"),
          ("Hartford", "CT", "06106"), ("Pittsfield", "MA", "01201"), ("Newport", "VT", "05901"),
          ("Lowell", "MA", "01852"))
RELATIONS = ("daughter", "son", "wife", "husband", "niece", "sister")
SPECIALTIES = ("cardiology", "endocrinology", "neurology", "pulmonology", "gastroenterology")


@dataclass(frozen=True)
class Clinician:
    first: str
    last: str
    credential: str
    npi: str
    dea: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class Patient:
    patient_id: str
    first: str
    last: str
    sex: str
    birth_date: date
    age: int
    mrn: str
    account: str
    ssn: str
    phone: str
    email: str
    street: str
    unit: str
    city: str
    state: str
    zip_code: str
    member_id: str
    device_serial: str
    portal_url: str
    ip_address: str
    plate: str
    relative: str
    relative_name: str
    attending: Clinician
    pcp: Clinician
    consultant: Clinician
    radiologist: Clinician
    specialty: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def title(self) -> str:
        return "Mr." if self.sex == "M" else "Ms."

    @property
    def pronoun(self) -> str:
        return "He" if self.sex == "M" else "She"

    @property
    def possessive(self) -> str:
        return "his" if self.sex == "M" else "her"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPQRTUVWXY") for _ in range(n))


def phone(rng: random.Random, style: int | None = None) -> str:
    area, line = rng.choice(["413", "802", "603", "508", "860"]), f"01{_digits(rng, 2)}"
    style = rng.randrange(4) if style is None else style
    return [f"({area}) 555-{line}", f"{area}-555-{line}", f"{area}.555.{line}", f"+1 {area} 555 {line}"][style]


def _clinician(rng: random.Random) -> Clinician:
    credential = rng.choice(["MD", "MD", "DO", "NP"])
    npi = "1" + _digits(rng, 9)
    return Clinician(rng.choice(FIRST), rng.choice(LAST), credential, npi, _letters(rng, 2) + _digits(rng, 7))


def make_patient(index: int, rng: random.Random, reference: date) -> Patient:
    sex = rng.choice("MF")
    first, last = rng.choice(FIRST), rng.choice(LAST)
    # Every third patient is over 89: the age and the birth year are identifiers then.
    age = rng.randint(90, 101) if index % 3 == 2 else rng.randint(34, 86)
    birth = reference - timedelta(days=age * 365 + rng.randint(10, 340))
    city, state, zip_code = PLACES[index % len(PLACES)]
    handle = f"{first}.{last}".lower().replace("'", "").replace("ü", "u").replace("í", "i").replace("ö", "o")
    ip = rng.choice([f"192.0.2.{rng.randint(2, 250)}", f"198.51.100.{rng.randint(2, 250)}",
                     f"203.0.113.{rng.randint(2, 250)}"])
    plate_style = rng.randrange(3)
    plate = [f"{_digits(rng, 1)}{_letters(rng, 2)}-{_digits(rng, 3)}", f"{_letters(rng, 3)} {_digits(rng, 4)}",
             f"{_digits(rng, 3)}{_letters(rng, 3)}"][plate_style]
    return Patient(
        patient_id=f"patient_{index + 1:03d}", first=first, last=last, sex=sex, birth_date=birth, age=age,
        mrn=rng.choice(["", "MRN-"]) + _digits(rng, 8), account=rng.choice(["ACC-", "", "E-"]) + _digits(rng, 9),
        ssn=f"9{_digits(rng, 2)}-{_digits(rng, 2)}-{_digits(rng, 4)}", phone=phone(rng),
        email=f"{handle}{rng.randint(1, 99)}@{rng.choice(['example.com', 'example.org', 'example.net'])}",
        street=f"{rng.randint(3, 980)} {rng.choice(STREETS)}", unit=rng.choice(["", "", "Apt 4B", "Unit 12"]),
        city=city, state=state, zip_code=zip_code,
        member_id=rng.choice([f"XJH{_digits(rng, 9)}", f"{rng.randint(1, 9)}{_letters(rng, 1)}{_letters(rng, 1)}"
                              f"{_digits(rng, 1)}-{_letters(rng, 1)}{_letters(rng, 1)}{_digits(rng, 1)}-"
                              f"{_letters(rng, 2)}{_digits(rng, 2)}"]),
        device_serial=f"{_letters(rng, 3)}{_digits(rng, 7)}",
        portal_url=f"https://portal.example-health.org/patients/{_digits(rng, 6)}",
        ip_address=ip, plate=plate, relative=rng.choice(RELATIONS),
        relative_name=f"{rng.choice(FIRST)} {rng.choice([last, rng.choice(LAST)])}",
        attending=_clinician(rng), pcp=_clinician(rng), consultant=_clinician(rng), radiologist=_clinician(rng),
        specialty=rng.choice(SPECIALTIES),
    )


def date_text(value: date, style: int) -> str:
    """One of the date formats notes use."""
    month = value.strftime("%B")
    return [f"{value.month:02d}/{value.day:02d}/{value.year}", f"{value.month}/{value.day}/{value.year % 100:02d}",
            value.isoformat(), f"{month} {value.day}, {value.year}", f"{value.day} {month} {value.year}",
            f"{month[:3]} {value.day}, {value.year}", f"{value.month:02d}-{value.day:02d}-{value.year}"][style % 7]

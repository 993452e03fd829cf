"""The `real` KYC suite: packets built around real public data, with labels from that data.

- Real MRZs: ICAO Doc 9303 and EU PRADO specimen documents, as asserted by the MIT-licensed
  test suite of cheminfo/mrz (`data/mrz_test_vectors.json`, license alongside). The identity
  document carries the MRZ verbatim; its visual zone shows the fields the vectors assert.
  A vector with a wrong check digit borrows the fields of its valid twin (the same MRZ but for
  that one character) and must be rejected. Expiry is judged at the pinned AS_OF date.
- Real sanctioned people: individuals from the bundled OFAC SDN extract (public domain) with
  their listed DOB (must be rejected), and the same names born 9+ years apart (must pass).
The proof of address and application form around them are generated (no licensed real ones
exist: see ../shared/data/external/bfsi_kyc/SOURCES.md), so this suite tests real identity
data through the whole pipeline, not real-world document layouts.

Screening cases (task `screen`), from the complete bundled SDN list:
- Listed: 350 individuals with a full DOB, seeded, none of the 313 in the corpus extract (the
  population the screener and its threshold were developed on), each written one way in
  rotation (`names.VARIANT_KINDS`: exact, surname first, accents added, one typo, a middle name
  dropped, an alias, hyphens dropped), at a listed DOB: each must be a hit on its own entry.
- Ordinary: 600 people from 20 naming cultures (`names.CULTURES`), seeded, born 1950-2005: none
  may be a hit. A drawn person whose name is exactly a listed individual's name or alias (any
  word order, accents aside) with a DOB the listing allows is someone a screen must flag, so
  they are redrawn.
Every case is tagged with its variant kind or culture. Nothing was tuned on these sets: the
threshold, the scorer and the name lists were fixed before the first measurement, and the
cases are regenerated, not hand-picked.
"""
from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from rightsized.domains.base import Corpus, GoldCase, write_gold
from rightsized.domains.bfsi_kyc.corpus import AS_OF, COUNTRIES, Applicant, address_line, gold_case, make_applicants, mrz_lines
from rightsized.domains.bfsi_kyc.mrz import expand_yymmdd
from rightsized.domains.bfsi_kyc.names import listed_people, ordinary_people
from rightsized.domains.bfsi_kyc.sanctions import SanctionsEntry, load_bundled_list, load_corpus_extract, normalize_name

VECTORS = Path(__file__).parent / "data" / "mrz_test_vectors.json"
_NATIONALITY_SPAN = {"TD1": (1, 15, 18), "TD2": (1, 10, 13), "TD3": (1, 10, 13)}
SCREEN_SEED = 2026


def _differs_by_one(a: list[str], b: list[str]) -> bool:
    if [len(x) for x in a] != [len(x) for x in b]:
        return False
    return sum(x != y for la, lb in zip(a, b, strict=True) for x, y in zip(la, lb, strict=True)) == 1


def specimen_vectors() -> list[tuple[dict[str, Any], dict[str, Any], bool]]:
    """(vector, asserted fields, check digits valid) for every distinct ICAO-format MRZ we can label."""
    vectors = [v for v in json.loads(VECTORS.read_text())["vectors"]
               if v["role"] == "input" and v.get("expected_format") in _NATIONALITY_SPAN]
    labelled = [v for v in vectors if v.get("expected_fields")]
    chosen, seen = [], set()
    for vector in vectors:
        key = tuple(vector["mrz_lines"])
        if key in seen:
            continue
        if vector.get("expected_fields"):
            # cheminfo marks UTO specimens invalid only for the fictional country; digits are valid.
            chosen.append((vector, vector["expected_fields"], True))
            seen.add(key)
            continue
        twin = next((t for t in labelled if _differs_by_one(vector["mrz_lines"], t["mrz_lines"])), None)
        if twin is not None and vector.get("expected_valid") is False:
            chosen.append((vector, twin["expected_fields"], False))
            seen.add(key)
    return chosen


def _specimen_applicant(vector: dict[str, Any], fields: dict[str, Any], valid: bool,
                        rng: random.Random) -> Applicant:
    line, start, end = _NATIONALITY_SPAN[vector["expected_format"]]
    nationality = vector["mrz_lines"][line][start:end].replace("<", "")
    birth = expand_yymmdd(fields["birthDate"], "birth", today=AS_OF)
    expiry = expand_yymmdd(fields["expirationDate"], "expiry", today=AS_OF)
    assert birth is not None and expiry is not None, vector["id"]
    _, country, city = rng.choice(COUNTRIES)
    address = address_line(rng, city, country)
    given, surname = fields["firstName"].title(), fields["lastName"].title()
    scenario = "bad_check_digit" if not valid else ("expired" if expiry < AS_OF else "clean")
    return Applicant(
        applicant_id=f"real_{vector['id']}", scenario=scenario, given_names=given, surname=surname,
        birth_date=birth, sex={"male": "M", "female": "F"}.get(fields.get("sex"), "X"),
        nationality=nationality, country_name=fields.get("issuingState") or nationality,
        document_kind="passport" if vector["expected_format"] == "TD3" else "id_card",
        document_number=fields["documentNumber"], expiry_date=expiry, address=address,
        form_name=f"{given} {surname}", poa_name=f"{given} {surname}", poa_address=address,
        poa_kind=rng.choice(["utility_bill", "bank_statement"]),
    )


def _listed_exactly(entries: list[SanctionsEntry]) -> Callable[[str, date], bool]:
    """(name, DOB) -> whether a listed individual has exactly that name or alias (any word order)
    and no listed DOB that contradicts it: a true hit, whatever the screener says."""
    by_name: dict[tuple[str, ...], list[SanctionsEntry]] = {}
    for entry in entries:
        if entry.entry_type == "individual":
            for name in entry.all_names:
                by_name.setdefault(tuple(sorted(normalize_name(name).split())), []).append(entry)

    def listed(name: str, born: date) -> bool:
        return any(not e.birth_dates or any(born.isoformat().startswith(d) for d in e.birth_dates)
                   for e in by_name.get(tuple(sorted(normalize_name(name).split())), ()))
    return listed


def screening_cases(*, listed: int = 350, ordinary: int = 600, seed: int = SCREEN_SEED) -> list[GoldCase]:
    """The `screen` gold cases (see the module docstring); same seed, same cases."""
    entries = load_bundled_list()
    extract = {e.uid for e in load_corpus_extract()}
    cases = []
    for i, (entry, kind, written, born) in enumerate(listed_people(entries, listed, seed, exclude=extract), 1):
        cases.append(GoldCase(
            case_id=f"screen_listed_{i:03d}", domain="bfsi_kyc", task="screen",
            input={"name": written, "date_of_birth": born.isoformat(),
                   "nationality": entry.nationalities[0] if entry.nationalities else None},
            expected={"listed": True, "uid": entry.uid, "decision": "hit"},
            tags=("real", "screen", "listed", kind), notes=f"SDN {entry.uid} '{entry.name}' written '{written}'"))
    people = ordinary_people(ordinary, seed, is_listed=_listed_exactly(entries))
    for i, person in enumerate(people, 1):
        cases.append(GoldCase(
            case_id=f"screen_ordinary_{i:03d}", domain="bfsi_kyc", task="screen",
            input={"name": person.name, "date_of_birth": person.birth_date.isoformat(), "nationality": person.country},
            expected={"listed": False, "uid": None, "decision": "clear"},
            tags=("real", "screen", "ordinary", person.culture), notes=f"ordinary {person.culture} name"))
    return cases


def build_real_corpus(out_dir: Path, *, sdn_people: int = 6) -> Corpus:
    from rightsized.domains.bfsi_kyc.pdfs import write_packet

    rng = random.Random(2024)
    documents = out_dir / "documents"
    gold: list[GoldCase] = []
    for vector, fields, valid in specimen_vectors():
        applicant = _specimen_applicant(vector, fields, valid, rng)
        write_packet(documents / applicant.applicant_id, applicant, list(vector["mrz_lines"]), as_of=AS_OF)
        case = gold_case(applicant)
        if not valid and applicant.expiry_date < AS_OF:  # tampered and expired: both checks fail
            case.expected["failed_checks"] = sorted([*case.expected["failed_checks"], "document_expiry"])
        gold.append(replace(case, tags=("real", "mrz_specimen", applicant.scenario),
                            notes=f"{vector['test_file']}: {vector['test_name']}"))
    # Real SDN individuals: alternate listed DOB (sanctioned) and a DOB years away (near miss).
    people = [a for a in make_applicants(sdn_people * 4, 99, load_corpus_extract(), hostile=False)
              if a.scenario in ("sanctioned", "near_miss")][:sdn_people]
    for applicant in people:
        applicant = replace(applicant, applicant_id=f"real_sdn_{applicant.applicant_id[-3:]}")
        write_packet(documents / applicant.applicant_id, applicant, mrz_lines(applicant), as_of=AS_OF)
        gold.append(replace(gold_case(applicant), tags=("real", "sdn", applicant.scenario)))
    gold += screening_cases()
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(documents, gold)


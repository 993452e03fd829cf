"""ICAO 9303 MRZ parser/validator/composer: golden values from Doc 9303 and the MIT cheminfo vectors.

The cheminfo library also judges whether a country code is a real ISO state, so its Utopia ("UTO")
specimens are `expected_valid: false`. Our `valid` only judges check digits and field syntax, so
for those vectors we assert that every check passes instead (see `_only_state_code_is_wrong`).
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest

from rightsized.domains.bfsi_kyc.mrz import (
    MrzCheck,
    MrzFormatError,
    MrzResult,
    check_digit,
    compose_td1,
    compose_td3,
    corrupt_check_digit,
    expand_yymmdd,
    find_mrz,
    parse_mrz,
)

VECTORS_PATH = (Path(__file__).resolve().parents[2].parent / "shared" / "data" / "external"
                / "bfsi_kyc" / "mrz_test_vectors" / "mrz_test_vectors.json")

TD3_UTOPIA = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD2_UTOPIA = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
TD1_UTOPIA = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
              "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
# Which format each cheminfo test file exercises (its "Use autocorrection" pairs carry no format).
FORMAT_BY_FILE = {"td1.test.ts": "TD1", "td2.test.ts": "TD2", "td3.test.ts": "TD3"}
FIELD_MAP = {"documentCode": "document_code", "issuingState": "issuing_state",
             "documentNumber": "document_number", "birthDate": "birth_date",
             "expirationDate": "expiry_date", "sex": "sex", "nationality": "nationality",
             "lastName": "surname", "firstName": "given_names", "personalNumber": "optional_data",
             "optional1": "optional_data", "optional": "optional_data", "optional2": "optional_data_2"}
CHECK_MAP = {"documentNumberCheckDigit": "document_number", "birthDateCheckDigit": "birth_date",
             "expirationDateCheckDigit": "expiry_date", "personalNumberCheckDigit": "personal_number",
             "compositeCheckDigit": "composite"}
SEX_MAP = {"male": "M", "female": "F"}


def _vectors() -> list[dict[str, Any]]:
    return json.loads(VECTORS_PATH.read_text())["vectors"] if VECTORS_PATH.exists() else []


def _params(select: Callable[[dict[str, Any]], bool]) -> list[Any]:
    if not VECTORS_PATH.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"MRZ vectors not found at {VECTORS_PATH}"))]
    return [pytest.param(v, id=f"{v['id']}-{v['test_name']}") for v in _vectors() if select(v)]


def _file(vector: dict[str, Any]) -> str:
    return vector["test_file"].rsplit("/", 1)[-1]


def _icao(vector: dict[str, Any]) -> bool:
    return _file(vector) in FORMAT_BY_FILE and not vector["expected_throws"]


def _failing(result: MrzResult) -> list[tuple[str, str]]:
    return sorted((check.found, check.expected) for check in result.checks if not check.ok)


def _only_state_code_is_wrong(vector: dict[str, Any], result: MrzResult) -> bool:
    """cheminfo's `valid: false` for Utopia specimens is about 'UTO' not being an ISO state."""
    messages = vector["expected_error_messages"] or []
    return ("UTO" in (result.issuing_state, result.nationality)
            and all(message.startswith("invalid state code") for message in messages))


@pytest.mark.parametrize(("value", "expected"), [
    ("520727", "3"), ("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B", "1"),
    ("D23145890", "7"), ("D23145890734", "9"), ("<<<<<<<<<<<<<<", "0"),
])
def test_check_digit_matches_icao_worked_examples(value: str, expected: str) -> None:
    assert check_digit(value) == expected


def test_check_digit_rejects_characters_outside_the_mrz_alphabet() -> None:
    with pytest.raises(MrzFormatError):
        check_digit("ab1")


def test_td3_utopia_specimen() -> None:
    result = parse_mrz(TD3_UTOPIA)
    assert (result.format, result.document_code, result.issuing_state) == ("TD3", "P", "UTO")
    assert (result.surname, result.given_names) == ("ERIKSSON", "ANNA MARIA")
    assert result.full_name == "ANNA MARIA ERIKSSON"
    assert (result.document_number, result.nationality, result.sex) == ("L898902C3", "UTO", "F")
    assert (result.birth_date, result.expiry_date, result.optional_data) == ("740812", "120415", "ZE184226B")
    assert [(c.name, c.found) for c in result.checks] == [
        ("document_number", "6"), ("birth_date", "2"), ("expiry_date", "9"), ("personal_number", "1"),
        ("composite", "0")]
    assert all(c.ok for c in result.checks) and result.issues == () and result.valid
    assert (result.birth_date_iso, result.expiry_date_iso) == ("1974-08-12", "2012-04-15")


def test_td2_utopia_specimen() -> None:
    result = parse_mrz(TD2_UTOPIA)
    assert (result.format, result.document_code, result.document_number) == ("TD2", "I", "D23145890")
    assert (result.surname, result.given_names, result.sex) == ("ERIKSSON", "ANNA MARIA", "F")
    assert [c.name for c in result.checks] == ["document_number", "birth_date", "expiry_date", "composite"]
    assert result.valid and result.checks[-1].found == "6"


def test_td1_utopia_specimen() -> None:
    result = parse_mrz(TD1_UTOPIA)
    assert (result.format, result.document_code) == ("TD1", "I")
    assert (result.issuing_state, result.nationality) == ("UTO", "UTO")
    assert (result.document_number, result.birth_date) == ("D23145890", "740812")
    assert result.expiry_date == "120415"
    assert (result.optional_data, result.optional_data_2) == ("", "")
    assert result.valid and result.checks[-1] == MrzCheck("composite", True, "6", "6")


@pytest.mark.parametrize("vector", _params(lambda v: v["role"] == "input" and _icao(v)))
def test_cheminfo_icao_vectors(vector: dict[str, Any]) -> None:
    result = parse_mrz(vector["mrz_lines"])
    assert result.format == FORMAT_BY_FILE[_file(vector)]
    assert vector["expected_format"] in (None, result.format)
    asserted = {**(vector["expected_fields"] or {}), **(vector["expected_fields_partial"] or {})}
    checks = {check.name: check for check in result.checks}
    for key, value in asserted.items():
        if key in CHECK_MAP:
            assert checks[CHECK_MAP[key]].found == value, key
        elif value is not None:  # null issuingState/nationality = "UTO is not an ISO state"
            assert getattr(result, FIELD_MAP[key]) == SEX_MAP.get(value, value), key
    digit_errors = [re.fullmatch(r"invalid check digit: (\S)\. Must be (\S)", message)
                    for message in vector["expected_error_messages"] or []]
    digit_errors = sorted(match.groups() for match in digit_errors if match)
    if digit_errors:
        assert _failing(result) == digit_errors
    if vector["expected_valid"] is False and not _only_state_code_is_wrong(vector, result):
        assert not result.valid and _failing(result)
    else:  # valid, reference input of an autocorrect pair, or wrong only for its country code
        assert result.valid, (result.checks, result.issues)


@pytest.mark.parametrize("vector", _params(lambda v: v["role"] != "input" and _icao(v)))
def test_ocr_noisy_vectors_are_reported_not_autocorrected(vector: dict[str, Any]) -> None:
    noisy = parse_mrz(vector["mrz_lines"])
    clean = next(parse_mrz(v["mrz_lines"]) for v in _vectors() if v["role"] == "input"
                 and (v["test_file"], v["test_name"]) == (vector["test_file"], vector["test_name"]))
    assert noisy.format == clean.format == FORMAT_BY_FILE[_file(vector)]
    assert not noisy.valid and noisy.issues and _failing(noisy)
    assert any("OCR confusion" in issue for issue in noisy.issues)
    assert noisy.lines == tuple(vector["mrz_lines"])
    read = (noisy.surname, noisy.birth_date, noisy.expiry_date)
    assert read != (clean.surname, clean.birth_date, clean.expiry_date)


@pytest.mark.parametrize("vector", _params(lambda v: _file(v) == "frenchNationalId.test.ts"))
def test_french_national_id_is_out_of_scope_and_never_valid(vector: dict[str, Any]) -> None:
    """A French national ID is 2x36 like TD2 but not ICAO: it parses as TD2 and fails its checks."""
    result = parse_mrz(vector["mrz_lines"])
    assert result.format == "TD2" and not result.valid and _failing(result)


@pytest.mark.parametrize("vector", _params(
    lambda v: _file(v) == "swissDrivingLicense.test.ts" or bool(v["expected_throws"])))
def test_non_icao_shapes_raise(vector: dict[str, Any]) -> None:
    with pytest.raises(MrzFormatError, match=r"unrecognized MRZ: expected 3 lines of 30 \(TD1\)"):
        parse_mrz(vector["mrz_lines"])


def test_format_error_names_line_count_and_lengths() -> None:
    with pytest.raises(MrzFormatError, match=re.escape("got 4 lines of lengths [44, 44, 44, 44]")):
        parse_mrz(TD3_UTOPIA * 2)


def test_characters_outside_alphabet_raise() -> None:
    with pytest.raises(MrzFormatError, match=r"line 2 .*\['@'\]"):
        parse_mrz([TD3_UTOPIA[0], TD3_UTOPIA[1][:-1] + "@"])


def test_accepts_spaced_lowercase_multiline_text() -> None:
    text = ("\n  p<uto ERIKSSON<<ANNA<MARIA<<<<<<<<< <<<<<<<<<<\n\n"
            " L898902C3 6UTO7408122F1204159ZE184226B<<<<<10 \n")
    assert parse_mrz(text) == parse_mrz(TD3_UTOPIA)


def test_letter_in_date_is_reported_not_fixed() -> None:
    line2 = TD3_UTOPIA[1].replace("740812", "74O812")
    result = parse_mrz([TD3_UTOPIA[0], line2])
    assert result.birth_date == "74O812" and result.birth_date_iso is None and not result.valid
    assert "birth_date '74O812' has letter 'O' in a numeric field (OCR confusion for '0'?)" in result.issues
    assert not next(c for c in result.checks if c.name == "birth_date").ok


def test_letter_as_check_digit_fails_and_is_reported() -> None:
    result = parse_mrz([TD3_UTOPIA[0], TD3_UTOPIA[1][:-1] + "O"])
    composite = result.checks[-1]
    assert composite == MrzCheck("composite", ok=False, expected="0", found="O")
    assert any("check digit 'O'" in issue and "OCR confusion for '0'" in issue for issue in result.issues)


def test_digit_in_name_is_reported() -> None:
    result = parse_mrz([TD3_UTOPIA[0].replace("ERIKSSON", "ERIK55ON"), TD3_UTOPIA[1]])
    assert all(c.ok for c in result.checks) and not result.valid  # names carry no check digit
    assert "surname 'ERIK55ON' has digit '5' in a name field (OCR confusion for 'S'?)" in result.issues


def test_impossible_calendar_date_is_reported_even_with_matching_check_digit() -> None:
    body = "L898902C36UTO741312" + check_digit("741312") + "F1204159ZE184226B<<<<<1"
    line2 = body + check_digit(body[0:10] + body[13:20] + body[21:43])
    result = parse_mrz([TD3_UTOPIA[0], line2])
    assert all(c.ok for c in result.checks)
    assert result.issues == ("birth_date '741312' is not a calendar date",) and not result.valid
    assert result.birth_date_iso is None


def test_unspecified_sex_filler_reads_as_x() -> None:
    result = parse_mrz([TD2_UTOPIA[0], TD2_UTOPIA[1][:20] + "<" + TD2_UTOPIA[1][21:]])
    assert result.sex == "X" and result.valid  # TD2's composite does not cover the sex


@pytest.mark.parametrize("digit", ["<", "0"])
def test_empty_personal_number_accepts_filler_or_zero_check_digit(digit: str) -> None:
    body = "C01X0006H1D<<6408125F1710319" + "<" * 14 + digit
    line2 = body + check_digit(body[0:10] + body[13:20] + body[21:43])
    result = parse_mrz(["P<D<<MUSTERMANN<<ERIKA" + "<" * 22, line2])
    assert result.valid and (result.issuing_state, result.optional_data) == ("D", "")


def test_nonempty_personal_number_with_filler_check_digit_fails() -> None:
    body = TD3_UTOPIA[1][:42] + "<"
    result = parse_mrz([TD3_UTOPIA[0], body + check_digit(body[0:10] + body[13:20] + body[21:43])])
    assert [c.name for c in result.checks if not c.ok] == ["personal_number"]


def test_expand_yymmdd_century_rules() -> None:
    today = date(2024, 5, 1)
    assert expand_yymmdd("250101", "birth", today) == date(1925, 1, 1)
    assert expand_yymmdd("240101", "birth", today) == date(2024, 1, 1)
    assert expand_yymmdd("740812", "expiry", today) == date(2074, 8, 12)
    assert expand_yymmdd("000229", "birth", today) == date(2000, 2, 29)
    assert expand_yymmdd("741312", "birth", today) is None
    assert expand_yymmdd("74O812", "expiry", today) is None
    with pytest.raises(ValueError):
        expand_yymmdd("740812", "issue", today)  # type: ignore[arg-type]


def test_to_dict_is_json_ready() -> None:
    data = json.loads(json.dumps(parse_mrz(TD1_UTOPIA).to_dict()))
    assert data["valid"] is True and data["full_name"] == "ANNA MARIA ERIKSSON"
    assert data["checks"][0] == {"name": "document_number", "ok": True, "expected": "7", "found": "7"}
    assert data["lines"] == TD1_UTOPIA and data["birth_date_iso"] == "1974-08-12"


def test_compose_reproduces_icao_and_prado_specimens() -> None:
    assert compose_td3(issuing_state="UTO", surname="Eriksson", given_names="Anna María",
                       document_number="L898902C3", nationality="UTO", birth_date=date(1974, 8, 12),
                       sex="F", expiry_date=date(2012, 4, 15), personal_number="ZE184226B") == TD3_UTOPIA
    assert compose_td1(document_code="I", issuing_state="UTO", document_number="D23145890",
                       birth_date=date(1974, 8, 12), sex="F", expiry_date=date(2012, 4, 15),
                       nationality="UTO", surname="Eriksson", given_names="Anna Maria") == TD1_UTOPIA
    # PRADO BEL-BO-11005: a 12-character number written with the TD1 overflow rule.
    assert compose_td1(issuing_state="BEL", document_number="600001795015", birth_date=date(2013, 1, 1),
                       sex="F", expiry_date=date(2023, 11, 20), nationality="BEL", surname="Specimen",
                       given_names="Specimen", optional2="13010198739") == [
        "IDBEL600001795<0152<<<<<<<<<<<", "1301014F2311207BEL130101987398", "SPECIMEN<<SPECIMEN<<<<<<<<<<<<"]


@pytest.mark.parametrize(("surname", "given_names", "mrz_surname", "mrz_given"), [
    ("Müller-Lüdenscheidt", "Jürgen Hans", "MULLER LUDENSCHEIDT", "JURGEN HANS"),
    ("O'Brien", "Seán", "OBRIEN", "SEAN"),
    ("Ødegård", "Åse Straße", "OEDEGARD", "ASE STRASSE"),
    ("Wolfeschlegelsteinhausenbergerdorff", "Hubert Blaine", "WOLFESCHLEGELSTEINHAUSENBERGERDORFF", "HU"),
])
def test_compose_td3_round_trips(surname: str, given_names: str, mrz_surname: str, mrz_given: str) -> None:
    lines = compose_td3(issuing_state="DEU", surname=surname, given_names=given_names,
                        document_number="C01X00T47", nationality="DEU", birth_date=date(1985, 2, 28), sex="M",
                        expiry_date=date(2031, 12, 1), personal_number="12345 678")
    result = parse_mrz(lines)
    assert [len(line) for line in lines] == [44, 44] and result.valid, result.issues
    assert (result.surname, result.given_names) == (mrz_surname, mrz_given)
    assert (result.document_code, result.issuing_state, result.nationality) == ("P", "DEU", "DEU")
    assert result.sex == "M"
    assert (result.document_number, result.optional_data) == ("C01X00T47", "12345 678")
    assert (result.birth_date_iso, result.expiry_date_iso) == ("1985-02-28", "2031-12-01")


@pytest.mark.parametrize(("number", "optional1"), [
    ("A1234567", "X9"), ("600001795015", ""), ("AB1234567890123", "7"),  # 9, 12 and 15 characters
])
def test_compose_td1_round_trips(number: str, optional1: str) -> None:
    lines = compose_td1(issuing_state="CHE", document_number=number, birth_date=date(1975, 10, 25), sex="X",
                        expiry_date=date(2029, 9, 1), nationality="CHE", surname="de la Cruz",
                        given_names="José-María", optional1=optional1, optional2="K7")
    result = parse_mrz(lines)
    assert [len(line) for line in lines] == [30, 30, 30] and result.valid, result.issues
    assert (result.document_number, result.sex, result.optional_data_2) == (number, "X", "K7")
    assert (result.surname, result.given_names) == ("DE LA CRUZ", "JOSE MARIA")
    assert result.optional_data.endswith(optional1)


@pytest.mark.parametrize("kwargs", [
    {"document_number": "L898902C3X"},  # TD3 has no overflow rule
    {"surname": "Иванов"},
    {"sex": "Q"},
    {"personal_number": "ZE18/4226"},
])
def test_compose_td3_rejects_what_cannot_be_written(kwargs: dict[str, str]) -> None:
    fields = dict(issuing_state="UTO", surname="Eriksson", given_names="Anna", document_number="L898902C3",
                  nationality="UTO", birth_date=date(1974, 8, 12), sex="F", expiry_date=date(2012, 4, 15))
    with pytest.raises(MrzFormatError):
        compose_td3(**{**fields, **kwargs})


def test_compose_td1_rejects_numbers_beyond_22_characters() -> None:
    with pytest.raises(MrzFormatError):
        compose_td1(issuing_state="UTO", document_number="A" * 23, birth_date=date(1974, 8, 12), sex="F",
                    expiry_date=date(2012, 4, 15), nationality="UTO", surname="X", given_names="Y")


@pytest.mark.parametrize(("lines", "which"), [
    (TD3_UTOPIA, name)
    for name in ("document_number", "birth_date", "expiry_date", "personal_number", "composite")
] + [
    (TD1_UTOPIA, name) for name in ("document_number", "birth_date", "expiry_date", "composite")
] + [
    (TD2_UTOPIA, "document_number"),
    (["IDBEL600001795<0152<<<<<<<<<<<", "1301014F2311207BEL130101987398", "SPECIMEN<<SPECIMEN<<<<<<<<<<<<"],
     "document_number"),
])
def test_corrupt_check_digit_fails_exactly_that_check(lines: list[str], which: str) -> None:
    corrupted = parse_mrz(corrupt_check_digit(lines, which))
    assert [c.name for c in corrupted.checks if not c.ok] == [which]
    assert corrupted.issues == ()


def test_corrupt_check_digit_is_deterministic() -> None:
    assert corrupt_check_digit(TD3_UTOPIA, "document_number")[1][9] == "7"  # '6' -> '7'
    assert corrupt_check_digit(TD3_UTOPIA, "composite")[1][43] == "1"  # '0' -> '1'
    with pytest.raises(MrzFormatError, match="personal_number"):
        corrupt_check_digit(TD1_UTOPIA, "personal_number")


def test_find_mrz_in_extracted_page_text() -> None:
    page = ("REPUBLIC OF UTOPIA\nPASSPORT / PASSEPORT\nSurname: ERIKSSON\n"
            "P<UTOERIKSSON<<ANNA< MARIA<<<<<<<<<<<<<<<<<<<\n"
            "L898902C3 6UTO7408122F1204159ZE184226B<<<<< 10\n"
            "Page 1 of 2\n")
    assert find_mrz(page) == TD3_UTOPIA
    assert find_mrz("Name: Anna\n" + "\n".join(TD1_UTOPIA) + "\nsigned") == TD1_UTOPIA
    assert find_mrz("ID card\n" + "\n".join(TD2_UTOPIA)) == TD2_UTOPIA


def test_find_mrz_returns_none_without_an_mrz_block() -> None:
    assert find_mrz("Just a utility bill\nAmount due: 42.00\n") is None
    assert find_mrz("A" * 44 + "\n" + "B" * 44) is None  # right shape but no filler
    assert find_mrz(TD3_UTOPIA[0]) is None  # a single line is not a block

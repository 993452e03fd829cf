"""Property-based fuzzing of everything that parses a user's bytes: the loaders and the MRZ parser.

The contract under test: whatever the input, a loader returns a Document or raises IngestError
naming the file, and the MRZ functions return their result or raise MrzFormatError; any other
exception would stop a whole batch on one bad file. Examples that once broke a contract are
kept as `@example`s. No example database, and hypothesis's caches go to a temporary folder:
the suite leaves nothing in the repository.
"""
from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from rightsized.domains.bfsi_kyc.mrz import (
    _LAYOUTS,
    MrzFormatError,
    check_digit,
    compose_td1,
    compose_td3,
    expand_yymmdd,
    find_mrz,
    parse_mrz,
)
from rightsized.ingest.loaders import SUPPORTED_SUFFIXES, load_document
from rightsized.pipelines.app.views import printable
from rightsized.pipelines.errors import IngestError
from tests.docx_support import word_resume

# Hypothesis caches under ./.hypothesis (the repository) unless told otherwise, and its pytest plugin
# writes that cache while collecting, before any fixture runs: hence at import.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "rightsized-hypothesis")
FUZZ = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".csv", ".json", ".jsonl", ".png", ".jpg")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the module: hypothesis runs many examples per test, each overwrites its file."""
    return tmp_path_factory.mktemp("fuzz")


def _loads_or_names_the_file(folder: Path, suffix: str, data: bytes) -> None:
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    try:
        document = load_document(path, folder)
    except IngestError as exc:
        assert exc.path == path and exc.reason and str(path) in str(exc)
    else:
        assert document.doc_id == path.name and document.sections


def test_the_fuzzed_suffixes_are_every_supported_one_but_markdown_spelled_out() -> None:
    assert set(SUFFIXES) | {".markdown", ".jpeg"} == SUPPORTED_SUFFIXES


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(FUZZ, max_examples=150)
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_load_or_fail_with_an_ingest_error(folder: Path, suffix: str, data: bytes) -> None:
    _loads_or_names_the_file(folder, suffix, data)


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(FUZZ, max_examples=150)
@given(text=st.text(max_size=1024))
@example(text='{"a": ' + "[" * 100_000 + "]" * 100_000 + "}")  # RecursionError from json (.json/.jsonl)
def test_arbitrary_text_loads_or_fails_with_an_ingest_error(folder: Path, suffix: str, text: str) -> None:
    _loads_or_names_the_file(folder, suffix, text.encode("utf-8"))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(FUZZ, max_examples=80)
@given(value=_JSON)
def test_any_json_value_loads_or_fails_with_an_ingest_error(folder: Path, value: object) -> None:
    _loads_or_names_the_file(folder, ".json", json.dumps(value).encode())
    lines = value if isinstance(value, list) else [value]
    _loads_or_names_the_file(folder, ".jsonl", "\n".join(json.dumps(v) for v in lines).encode())


@settings(FUZZ, max_examples=80)
@given(rows=st.lists(st.lists(st.text(max_size=12), max_size=6), max_size=6))
def test_any_table_written_as_csv_loads_or_fails_with_an_ingest_error(folder: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    _loads_or_names_the_file(folder, ".csv", buffer.getvalue().encode())


@pytest.fixture(scope="module")
def valid_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime(2024, 5, 3, tzinfo=timezone.utc))  # same bytes every run: examples replay
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 8, "Account holder: Anna Eriksson, Storgatan 1, 114 51 Stockholm")
    return bytes(pdf.output())


_EDITS = st.lists(st.tuples(st.sampled_from(["replace", "insert", "delete", "truncate"]),
                            st.floats(0, 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=6)


def _edited(data: bytes, edits: list[tuple[str, float, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, where, chunk in edits:
        at = int(where * len(out))
        if kind == "replace":
            out[at:at + len(chunk)] = chunk
        elif kind == "insert":
            out[at:at] = chunk
        elif kind == "delete":
            del out[at:at + len(chunk)]
        else:
            del out[at:]
    return bytes(out)


@settings(FUZZ, max_examples=500)
@given(edits=_EDITS)
# Found by this test, each an uncaught pypdf exception that stopped the batch:
@example(edits=[("replace", 0.3046875, b"\x00")])  # NotImplementedError: Unsupported filter /FlateD\x00code
@example(edits=[("delete", 0.0, b"\x00" * 6), ("delete", 0.5703125, b"\x00" * 7),
                ("replace", 0.5672189562608562, b"\x00" * 7)])  # AttributeError from pypdf's xref repair
def test_a_damaged_real_pdf_loads_or_fails_with_an_ingest_error(folder: Path, valid_pdf: bytes,
                                                                 edits: list[tuple[str, float, bytes]]) -> None:
    """Random bytes rarely get past pypdf's header check; a real PDF with a few edits reaches the
    xref, object and content-stream parsers."""
    _loads_or_names_the_file(folder, ".pdf", _edited(valid_pdf, edits))


@pytest.fixture(scope="module")
def valid_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("docx") / "resume.docx"
    word_resume("Ana Souza | ana@example.com", [["Engineer, Acme", "2019 - present"]]).save(str(path))
    return path.read_bytes()


@settings(FUZZ, max_examples=300)
@given(edits=_EDITS)
def test_a_damaged_real_docx_loads_or_fails_with_an_ingest_error(folder: Path, valid_docx: bytes,
                                                                  edits: list[tuple[str, float, bytes]]) -> None:
    _loads_or_names_the_file(folder, ".docx", _edited(valid_docx, edits))


@settings(FUZZ, max_examples=300)
@given(member=st.sampled_from(["word/document.xml", "[Content_Types].xml", "word/_rels/document.xml.rels"]),
       edits=_EDITS)
def test_a_docx_with_a_damaged_part_loads_or_fails_with_an_ingest_error(folder: Path, valid_docx: bytes, member: str,
                                                                         edits: list[tuple[str, float, bytes]]) -> None:
    """Byte edits of the package mostly break a CRC; edits of one part, re-zipped, reach the XML
    and package-relationship parsers."""
    source, out = zipfile.ZipFile(io.BytesIO(valid_docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info, _edited(data, edits) if info.filename == member else data)
    _loads_or_names_the_file(folder, ".docx", out.getvalue())


@settings(FUZZ, max_examples=200)
@given(text=st.text())
@example(text="x.pdf\nOK: all files ingested, 0 errors.pdf")
def test_printable_output_is_one_printable_line(text: str) -> None:
    shown = printable(text)
    assert shown.isprintable()
    if text.isprintable():
        assert shown == text


# --- the MRZ parser ---------------------------------------------------------------------------

TD3 = compose_td3(issuing_state="UTO", surname="Eriksson", given_names="Anna Maria", document_number="L898902C3",
                  nationality="UTO", birth_date=date(1974, 8, 12), sex="F", expiry_date=date(2032, 4, 15),
                  personal_number="ZE184226B")
TD1 = compose_td1(issuing_state="UTO", document_number="D23145890734", birth_date=date(1974, 8, 12), sex="F",
                  expiry_date=date(2032, 4, 15), nationality="UTO", surname="Eriksson", given_names="Anna Maria")
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
_MRZ_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"


def _parses_or_format_error(mrz: str | list[str]) -> None:
    try:
        result = parse_mrz(mrz)
    except MrzFormatError as exc:
        assert str(exc)
    else:
        assert result.format in ("TD1", "TD2", "TD3")
        result.to_dict()  # every derived property (dates, validity) computes too


def test_the_mrz_seeds_are_valid() -> None:
    assert all(parse_mrz(lines).valid for lines in (TD1, TD2, TD3))


@settings(FUZZ, max_examples=300)
@given(text=st.text())
def test_parse_mrz_on_any_string_returns_or_raises_mrz_format_error(text: str) -> None:
    _parses_or_format_error(text)


@settings(FUZZ, max_examples=200)
@given(lines=st.lists(st.text(alphabet=st.sampled_from(_MRZ_CHARS) | st.characters(), min_size=28, max_size=46),
                      min_size=1, max_size=4))
def test_parse_mrz_on_near_mrz_lines_returns_or_raises_mrz_format_error(lines: list[str]) -> None:
    _parses_or_format_error(lines)


@settings(FUZZ, max_examples=300)
@given(text=st.text(alphabet=st.sampled_from(_MRZ_CHARS + " \n") | st.characters(), max_size=400))
def test_find_mrz_finds_only_blocks_parse_mrz_accepts(text: str) -> None:
    block = find_mrz(text)
    if block is not None:
        assert parse_mrz(block).format in ("TD1", "TD2", "TD3")


@settings(FUZZ, max_examples=300)
@given(seed=st.sampled_from([TD1, TD2, TD3]), data=st.data())
def test_one_mutated_character_in_a_valid_mrz(seed: list[str], data: st.DataObject) -> None:
    """Any single character replaced: parsed or MrzFormatError; inside [A-Z0-9<] always parsed,
    and a digit changed into another digit in a field a check digit covers always fails a check
    (7-3-1 weights are coprime to 10, so no single digit substitution goes unnoticed)."""
    row = data.draw(st.integers(0, len(seed) - 1))
    col = data.draw(st.integers(0, len(seed[row]) - 1))
    char = data.draw(st.sampled_from(_MRZ_CHARS) | st.characters())
    lines = list(seed)
    lines[row] = lines[row][:col] + char + lines[row][col + 1:]
    _parses_or_format_error(lines)
    if char in _MRZ_CHARS:
        result = parse_mrz(lines)
        if char != seed[row][col] and char.isdigit() and seed[row][col].isdigit():
            assert not result.valid or not _covered(seed, row, col)


def _covered(lines: list[str], row: int, col: int) -> bool:
    """Whether a check digit (or the composite) covers this position, by the format's layout."""
    layout = _LAYOUTS[parse_mrz(lines).format]
    spans = [*layout.composite_data, layout.document_number, (layout.birth[0], layout.birth[1], layout.birth[1] + 7),
             (layout.expiry[0], layout.expiry[1], layout.expiry[1] + 7)]
    digits = [layout.document_check, layout.composite, *([layout.personal_check] if layout.personal_check else [])]
    return any(r == row and start <= col < end for r, start, end in spans) or (row, col) in digits


@settings(FUZZ, max_examples=300)
@given(value=st.text(max_size=8))
@example(value="²")  # isdigit() but not 0-9: int() raised ValueError
@example(value="٣")  # isdigit() and int() took this Arabic-Indic 3 as an MRZ digit
def test_check_digit_returns_a_digit_or_raises_mrz_format_error(value: str) -> None:
    try:
        digit = check_digit(value)
    except MrzFormatError as exc:
        assert "is not allowed in an MRZ" in str(exc)
    else:
        assert set(value) <= set(_MRZ_CHARS) and len(digit) == 1 and digit in "0123456789"


@settings(FUZZ, max_examples=300)
@given(value=st.text(alphabet=st.characters(), min_size=6, max_size=6) | st.text(max_size=8),
       kind=st.sampled_from(["birth", "expiry"]))
@example(value="²00101", kind="birth")  # int() raised ValueError
@example(value="٠١٠١٠١", kind="birth")  # Arabic-Indic digits were read as 2001-01-01
def test_expand_yymmdd_is_a_date_only_for_six_ascii_digits(value: str, kind: str) -> None:
    parsed = expand_yymmdd(value, kind)  # type: ignore[arg-type]  # kind is one of the two literals
    if parsed is not None:
        assert value.isascii() and value.isdigit() and parsed.strftime("%y%m%d") == value

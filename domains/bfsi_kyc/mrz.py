"""ICAO Doc 9303 machine-readable zones (TD1, TD2, TD3): parse, validate and compose.

Why a strict parser: KYC decisions hinge on whether an MRZ is internally consistent, so every
check digit (including the composite) is verified on the characters as read. OCR confusions
(`O` for `0`, `5` for `S`, ...) are reported as issues, never silently "fixed": an autocorrected
MRZ could turn a tampered or misread document into a passing one. The composers exist so the
synthetic corpus can produce valid MRZs and plant single, attributable check-digit errors.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal

from rightsized.ingest.ocr import OcrZone
from rightsized.pipelines.errors import RightsizedError

Span = tuple[int, int, int]  # (line index, start, end) of a field
Pos = tuple[int, int]  # (line index, column) of one character

_WEIGHTS = (7, 3, 1)
_ALPHABET = re.compile(r"[A-Z0-9<]+")
_LETTER_AS_DIGIT = {"O": "0", "D": "0", "Q": "0", "I": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
_DIGIT_AS_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
_SHAPES = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}
# Letters NFKD cannot decompose, mapped as ICAO Doc 9303 part 3 recommends.
_TRANSLIT = {"ß": "SS", "Æ": "AE", "æ": "AE", "Ø": "OE", "ø": "OE", "Œ": "OE", "œ": "OE",
             "Þ": "TH", "þ": "TH", "Ð": "D", "ð": "D", "Đ": "D", "đ": "D", "Ł": "L", "ł": "L",
             "ı": "I"}


class MrzFormatError(RightsizedError):
    """The input is not a TD1/TD2/TD3 MRZ, or values cannot be written into one."""


@dataclass(frozen=True)
class MrzCheck:
    """One check digit: `found` as printed, `expected` as computed from the printed data."""

    name: str
    ok: bool
    expected: str
    found: str


@dataclass(frozen=True)
class MrzResult:
    """Raw fields of one MRZ plus every check and every problem seen while reading it."""

    format: str
    document_code: str
    issuing_state: str
    document_number: str
    birth_date: str
    expiry_date: str
    sex: str
    nationality: str
    surname: str
    given_names: str
    optional_data: str
    optional_data_2: str
    checks: tuple[MrzCheck, ...]
    issues: tuple[str, ...]
    lines: tuple[str, ...]
    # OCR'd text only (`read_ocr_mrz`): what was changed to make the reading possible, and where.
    corrections: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        """True when every check digit matches and no field is malformed (country codes are not judged)."""
        return all(check.ok for check in self.checks) and not self.issues

    @property
    def birth_date_iso(self) -> str | None:
        parsed = expand_yymmdd(self.birth_date, "birth")
        return parsed.isoformat() if parsed else None

    @property
    def expiry_date_iso(self) -> str | None:
        parsed = expand_yymmdd(self.expiry_date, "expiry")
        return parsed.isoformat() if parsed else None

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_names, self.surname) if part)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (lists, not tuples) including the derived properties."""
        data = asdict(self)
        data["checks"] = [asdict(check) for check in self.checks]
        data["issues"] = list(self.issues)
        data["lines"] = list(self.lines)
        data["corrections"] = list(self.corrections)
        data.update(valid=self.valid, birth_date_iso=self.birth_date_iso,
                    expiry_date_iso=self.expiry_date_iso, full_name=self.full_name)
        return data


@dataclass(frozen=True)
class _Layout:
    """Where each field sits in one format (positions from ICAO Doc 9303 parts 4-6)."""

    document_number: Span
    document_check: Pos
    overflow: Span | None  # TD1/TD2: where a long document number continues
    nationality: Span
    birth: Pos  # start of YYMMDD; its check digit follows it
    sex: Pos
    expiry: Pos
    optional: Span
    optional_2: Span | None
    personal_check: Pos | None
    composite: Pos
    composite_data: tuple[Span, ...]
    name: Span


_LAYOUTS = {
    "TD1": _Layout((0, 5, 14), (0, 14), (0, 15, 30), (1, 15, 18), (1, 0), (1, 7), (1, 8),
                   (0, 15, 30), (1, 18, 29), None, (1, 29),
                   ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)), (2, 0, 30)),
    "TD2": _Layout((1, 0, 9), (1, 9), (1, 28, 35), (1, 10, 13), (1, 13), (1, 20), (1, 21),
                   (1, 28, 35), None, None, (1, 35),
                   ((1, 0, 10), (1, 13, 20), (1, 21, 35)), (0, 5, 36)),
    "TD3": _Layout((1, 0, 9), (1, 9), None, (1, 10, 13), (1, 13), (1, 20), (1, 21),
                   (1, 28, 42), None, (1, 42), (1, 43),
                   ((1, 0, 10), (1, 13, 20), (1, 21, 43)), (0, 5, 44)),
}


def check_digit(value: str) -> str:
    """ICAO 7-3-1 check digit: '<' counts 0, digits their value, A..Z count 10..35."""
    total = 0
    for index, char in enumerate(value):
        if char == "<":
            number = 0
        elif "0" <= char <= "9":  # isdigit() also takes '²' (int() fails) and '٣' (no MRZ character)
            number = int(char)
        elif "A" <= char <= "Z":
            number = ord(char) - ord("A") + 10
        else:
            raise MrzFormatError(f"character {char!r} is not allowed in an MRZ")
        total += number * _WEIGHTS[index % 3]
    return str(total % 10)


def expand_yymmdd(yymmdd: str, kind: Literal["birth", "expiry"], today: date | None = None) -> date | None:
    """Turn an MRZ YYMMDD into a date, or None when it is not a calendar date.

    The MRZ drops the century, so a rule must supply it. Birth dates cannot be in the future, so
    `today`'s two-digit year is the pivot: YY above it means 19YY, else 20YY. Expiry dates are
    always 20YY: documents valid in the 1900s are long gone and none run past 2099 yet.
    """
    if len(yymmdd) != 6 or not (yymmdd.isascii() and yymmdd.isdigit()):  # '٠١٠١٠١' is no MRZ date
        return None
    yy, month, day = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    if kind == "birth":
        century = 1900 if yy > (today or date.today()).year % 100 else 2000
    elif kind == "expiry":
        century = 2000
    else:
        raise ValueError(f"kind must be 'birth' or 'expiry', not {kind!r}")
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


def _normalize(mrz: str | Sequence[str]) -> list[str]:
    """Drop blank lines and all whitespace (PDF extraction inserts spaces), uppercase."""
    raw = mrz.splitlines() if isinstance(mrz, str) else list(mrz)
    return [line for line in ("".join(item.split()).upper() for item in raw) if line]


def _detect(lines: list[str]) -> str:
    for name, (count, length) in _SHAPES.items():
        if len(lines) == count and all(len(line) == length for line in lines):
            for number, line in enumerate(lines, 1):
                if not _ALPHABET.fullmatch(line):
                    bad = sorted(set(re.sub(r"[A-Z0-9<]", "", line)))
                    raise MrzFormatError(f"MRZ line {number} has characters outside [A-Z0-9<]: {bad}")
            return name
    raise MrzFormatError(
        "unrecognized MRZ: expected 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3); "
        f"got {len(lines)} lines of lengths {[len(line) for line in lines]}")


def _cut(lines: list[str], span: Span) -> str:
    return lines[span[0]][span[1]:span[2]]


def _document_number(lines: list[str], layout: _Layout) -> tuple[str, tuple[str, ...], Pos]:
    """(number, data its check digit may cover, position of that digit).

    TD1/TD2 numbers longer than 9 characters put '<' in the check-digit slot and continue in the
    optional data up to the next '<'; the last character of that continuation is the check digit.
    Doc 9303 says the digit covers "the document number", but issuers differ on whether the '<'
    at position 15 is part of it (PRADO BEL-BO-11005 excludes it, BEL-BO-03003 includes it), so
    both readings are accepted; the first one is what a failing check reports as expected.
    """
    field = _cut(lines, layout.document_number)
    row, col = layout.document_check
    if lines[row][col] != "<" or layout.overflow is None:
        return field.rstrip("<"), (field,), layout.document_check
    continuation = _cut(lines, layout.overflow).split("<", 1)[0]
    if not continuation:
        return field.rstrip("<"), (field,), layout.document_check
    tail = continuation[:-1]
    position = (layout.overflow[0], layout.overflow[1] + len(continuation) - 1)
    return field + tail, (field + tail, f"{field}<{tail}"), position


def _check_specs(lines: list[str], layout: _Layout) -> dict[str, tuple[tuple[str, ...], Pos]]:
    """Check name -> (accepted readings of the data the digit protects, digit position), in ICAO order."""
    _, number_data, number_pos = _document_number(lines, layout)
    specs = {"document_number": (number_data, number_pos)}
    for name, (row, col) in (("birth_date", layout.birth), ("expiry_date", layout.expiry)):
        specs[name] = ((lines[row][col:col + 6],), (row, col + 6))
    if layout.personal_check is not None:
        specs["personal_number"] = ((_cut(lines, layout.optional),), layout.personal_check)
    composite = "".join(_cut(lines, span) for span in layout.composite_data)
    specs["composite"] = ((composite,), layout.composite)
    return specs


def _accepted(name: str, data: tuple[str, ...]) -> set[str]:
    accepted = {check_digit(reading) for reading in data}
    if name == "personal_number" and not data[0].strip("<"):
        accepted.add("<")  # ICAO allows '<' besides the computed '0' for an empty personal number
    return accepted


def _numeric_issues(label: str, value: str, letters_only: bool = False) -> list[str]:
    issues = []
    for char in dict.fromkeys(value):
        if char.isdigit() or (letters_only and char == "<"):
            continue
        kind = "filler" if char == "<" else "letter"
        hint = f" (OCR confusion for '{_LETTER_AS_DIGIT[char]}'?)" if char in _LETTER_AS_DIGIT else ""
        issues.append(f"{label} '{value}' has {kind} '{char}' in a numeric field{hint}")
    return issues


def _alpha_issues(label: str, value: str, kind: str) -> list[str]:
    issues = []
    for char in dict.fromkeys(value):
        if char.isdigit():
            hint = f" (OCR confusion for '{_DIGIT_AS_LETTER[char]}'?)" if char in _DIGIT_AS_LETTER else ""
            issues.append(f"{label} '{value}' has digit '{char}' in {kind} field{hint}")
    return issues


def _words(value: str) -> str:
    return " ".join(value.replace("<", " ").split())


def parse_mrz(mrz: str | Sequence[str]) -> MrzResult:
    """Parse and verify a TD1/TD2/TD3 MRZ given as one multi-line string or as lines."""
    lines = _normalize(mrz)
    fmt = _detect(lines)
    layout = _LAYOUTS[fmt]
    number, _, _ = _document_number(lines, layout)
    specs = _check_specs(lines, layout)
    issues: list[str] = []
    checks = []
    for name, (data, (row, col)) in specs.items():
        found = lines[row][col]
        expected = found if found in _accepted(name, data) else check_digit(data[0])
        checks.append(MrzCheck(name, found == expected, expected, found))
        issues += _numeric_issues(f"{name} check digit", found, letters_only=True)
    birth, expiry = specs["birth_date"][0][0], specs["expiry_date"][0][0]
    for label, value, kind in (("birth_date", birth, "birth"), ("expiry_date", expiry, "expiry")):
        if value.isdigit() and expand_yymmdd(value, kind) is None:
            issues.append(f"{label} '{value}' is not a calendar date")
        issues += _numeric_issues(label, value)
    name_field = _cut(lines, layout.name)
    primary, _, secondary = name_field.partition("<<")
    surname, given_names = _words(primary), _words(secondary)
    issues += _alpha_issues("surname", surname, "a name")
    issues += _alpha_issues("given_names", given_names, "a name")
    codes = {"document_code": lines[0][0:2].strip("<"), "issuing_state": lines[0][2:5].strip("<"),
             "nationality": _cut(lines, layout.nationality).strip("<")}
    for label, value in codes.items():
        issues += _alpha_issues(label, value, "an alphabetic")
    sex_raw = lines[layout.sex[0]][layout.sex[1]]
    if sex_raw not in "MFX<":
        issues.append(f"sex '{sex_raw}' is not one of M, F, X or '<'")
    return MrzResult(
        format=fmt, document_number=number, birth_date=birth, expiry_date=expiry,
        sex="X" if sex_raw == "<" else sex_raw, surname=surname, given_names=given_names,
        optional_data=_words(_cut(lines, layout.optional)),
        optional_data_2=_words(_cut(lines, layout.optional_2)) if layout.optional_2 else "",
        checks=tuple(checks), issues=tuple(issues), lines=tuple(lines), **codes)


def find_mrz(text: str) -> list[str] | None:
    """First block of 3x30 or 2x36/2x44 consecutive MRZ-alphabet lines (with a '<') in free text."""
    lines = _normalize(text)
    for start in range(len(lines)):
        for count, length in ((3, 30), (2, 36), (2, 44)):
            block = lines[start:start + count]
            if (len(block) == count and all(len(line) == length and _ALPHABET.fullmatch(line)
                                            for line in block) and any("<" in line for line in block)):
                return block
    return None


# Character classes per position, per format and line: A letters, N digits ('<' is filler in both),
# X either (document numbers, optional data: no reading is impossible there), S sex.
_CLASSES = {
    "TD1": ("AAAAA" + "X" * 9 + "N" + "X" * 15,
            "N" * 6 + "N" + "S" + "N" * 6 + "N" + "AAA" + "X" * 11 + "N",
            "A" * 30),
    "TD2": ("A" * 36, "X" * 9 + "N" + "AAA" + "N" * 6 + "N" + "S" + "N" * 6 + "N" + "X" * 7 + "N"),
    "TD3": ("A" * 44, "X" * 9 + "N" + "AAA" + "N" * 6 + "N" + "S" + "N" * 6 + "N" + "X" * 14 + "NN"),
}
_LOOKALIKES = {frozenset((letter, digit)) for letter, digit in _LETTER_AS_DIGIT.items()}
# How far an OCR'd line may be off its width: Tesseract adds a character or two (`I1` for `I`),
# and drops fillers from long runs (6 of 24 in a measured phone photo).
_OCR_EXTRA = 2
_OCR_MISSING = 0.25  # of the width


def read_ocr_mrz(text: str) -> tuple[list[str], tuple[str, ...]] | None:
    """The first MRZ in OCR'd text, repaired where the reading is impossible, with what was changed.

    Why repair at all: Tesseract reads a filler too many or drops several from a long run, and
    reads `I` as `1` (or `1I`) where the format allows only letters. Why this is not the silent
    fixing the parser refuses: only impossible readings change — a digit where the format has
    letters, a letter where it has digits (mapped by the look-alike tables), a line off its fixed
    width (the character whose removal or filler whose insertion leaves the fewest impossible
    characters). A wrong digit stays wrong, so a misread or tampered check digit still fails;
    every change is returned, for the result to show beside the check. A block is taken for a
    format when its longest line is within two characters of the width (dropped fillers shorten
    lines, nothing lengthens them much) and the others lose at most a quarter of it; of the formats
    it could be, the one its line lengths are closest to.
    """
    lines = _normalize(text)
    for start in range(len(lines)):
        fits = []
        for fmt, (count, width) in _SHAPES.items():
            block = lines[start:start + count]
            if (len(block) == count and any("<" in line for line in block)
                    and abs(max(map(len, block)) - width) <= _OCR_EXTRA
                    and all(-width * _OCR_MISSING <= len(line) - width <= _OCR_EXTRA and _ALPHABET.fullmatch(line)
                            for line in block)):
                fits.append((sum(abs(len(line) - width) for line in block), fmt, block))
        if fits:
            _, fmt, block = min(fits)
            return _repaired(block, fmt)
    return None


def _repaired(block: list[str], fmt: str) -> tuple[list[str], tuple[str, ...]]:
    lines, notes = [], []
    for number, (line, classes) in enumerate(zip(block, _CLASSES[fmt]), start=1):
        if len(line) != len(classes):
            fitted = _fit_width(line, classes)
            notes.append(f"line {number} read as {len(line)} characters, not {len(classes)}: '{line}' taken as '{fitted}'")
            line = fitted
        chars = list(line)
        for index, (char, kind) in enumerate(zip(line, classes)):
            table = _DIGIT_AS_LETTER if kind == "A" else _LETTER_AS_DIGIT if kind == "N" else {}
            if char in table:
                chars[index] = table[char]
                notes.append(f"line {number} position {index + 1}: '{char}' read as '{table[char]}' "
                             f"({'digits' if kind == 'N' else 'letters'} only there)")
        lines.append("".join(chars))
    return lines, tuple(notes)


def _fit_width(line: str, classes: str) -> str:
    """`line` brought to the width of `classes` one character at a time: dropping one of two
    adjacent look-alikes (`I1`) or a filler, or adding a filler to a run of them (any character
    or position when there is none). The candidate with the fewest characters impossible at their
    position wins; among equals, the one changing the longest filler run (where Tesseract miscounts)."""
    while len(line) != len(classes):
        if len(line) > len(classes):
            every = [(line[:i] + line[i + 1:], _run_at(line, i), line[i] == "<" or _lookalike_pair(line, i))
                     for i in range(len(line))]
        else:
            every = [(line[:i] + "<" + line[i:], max(_run_at(line, i - 1), _run_at(line, i)),
                      "<" in line[max(0, i - 1):i + 1]) for i in range(len(line) + 1)]
        candidates = [c for c in every if c[2]] or every
        line = min(candidates, key=lambda c: (_impossible(c[0], classes), -c[1]))[0]
    return line


def _run_at(line: str, index: int) -> int:
    """Length of the run of fillers `line[index]` belongs to (0 outside the line or off a filler)."""
    if not 0 <= index < len(line) or line[index] != "<":
        return 0
    start = len(line[:index].rstrip("<"))
    return len(line[start:]) - len(line[start:].lstrip("<"))


def _lookalike_pair(line: str, index: int) -> bool:
    return any(frozenset(line[j:j + 2]) in _LOOKALIKES for j in (index - 1, index) if j >= 0)


def _impossible(line: str, classes: str) -> int:
    """Characters that cannot stand where they are: digits among letters, letters among digits."""
    return sum(1 for char, kind in zip(line, classes)
               if (kind == "A" and char.isdigit()) or (kind == "N" and char.isalpha()))


def looks_like_mrz_line(line: str) -> bool:
    """Whether an OCR'd line is (a misreading of) an MRZ line: 20+ characters with a `<<` filler
    pair and no more than 3 spaces. Read as prose, MRZ lines keep some of their fillers but lose
    others to look-alikes (`<<<cecc`) and get spaces inserted; prose has neither `<<` nor few
    spaces over 20 characters."""
    return len("".join(line.split())) >= 20 and "<<" in line and line.count(" ") <= 3


# Re-read at ingest with ICAO 9303's character set only (`rightsized.ingest.ocr.register_zone`).
MRZ_ZONE = OcrZone("mrz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<", looks_like_mrz_line,
                   widths=tuple(sorted({width for _, width in _SHAPES.values()})))


def _transliterate(text: str) -> str:
    """Latin name -> MRZ letters: diacritics dropped, separators to '<', apostrophes and dots omitted."""
    decomposed = unicodedata.normalize("NFKD", "".join(_TRANSLIT.get(char, char) for char in text))
    out = []
    for char in decomposed.upper():
        if unicodedata.combining(char) or char in "'’.":
            continue
        if "A" <= char <= "Z":
            out.append(char)
        elif char in " -,<":
            out.append("<")
        else:
            raise MrzFormatError(f"cannot write {char!r} of name {text!r} in an MRZ (A-Z only)")
    return re.sub("<+", "<", "".join(out)).strip("<")


def _name_field(surname: str, given_names: str, width: int) -> str:
    """Primary<<secondary, truncated at the end: the given names lose letters before the surname does."""
    return f"{_transliterate(surname)}<<{_transliterate(given_names)}"[:width].ljust(width, "<")


def _field(value: str, width: int, label: str) -> str:
    text = value.upper().replace(" ", "<")
    if len(text) > width or (text and not _ALPHABET.fullmatch(text)):
        raise MrzFormatError(f"{label} {value!r} does not fit {width} characters of [A-Z0-9<]")
    return text.ljust(width, "<")


def _sex(sex: str) -> str:
    if sex.upper() not in ("M", "F", "X", "<", ""):
        raise MrzFormatError(f"sex must be M, F or X, not {sex!r}")
    return "<" if sex.upper() in ("X", "<", "") else sex.upper()


def _dated(value: date) -> str:
    field = value.strftime("%y%m%d")
    return field + check_digit(field)


def _with_composite(lines: list[str], fmt: str) -> list[str]:
    """Lines with the composite digit (re)computed from the other fields."""
    layout = _LAYOUTS[fmt]
    row, col = layout.composite
    digit = check_digit("".join(_cut(lines, span) for span in layout.composite_data))
    lines = list(lines)
    lines[row] = lines[row][:col] + digit + lines[row][col + 1:]
    return lines


def compose_td3(*, document_code: str = "P", issuing_state: str, surname: str, given_names: str,
                document_number: str, nationality: str, birth_date: date, sex: str,
                expiry_date: date, personal_number: str = "") -> list[str]:
    """A valid passport MRZ (2x44) from field values; names are transliterated and truncated."""
    number = _field(document_number, 9, "document_number")
    personal = _field(personal_number, 14, "personal_number")
    personal_digit = check_digit(personal) if personal.strip("<") else "<"
    line1 = _field(document_code, 2, "document_code") + _field(issuing_state, 3, "issuing_state")
    line2 = (number + check_digit(number) + _field(nationality, 3, "nationality") + _dated(birth_date)
             + _sex(sex) + _dated(expiry_date) + personal + personal_digit + "<")
    return _with_composite([line1 + _name_field(surname, given_names, 39), line2], "TD3")


def compose_td1(*, document_code: str = "ID", issuing_state: str, document_number: str,
                birth_date: date, sex: str, expiry_date: date, nationality: str, surname: str,
                given_names: str, optional1: str = "", optional2: str = "") -> list[str]:
    """A valid ID-card MRZ (3x30). Numbers of 10-22 characters use the ICAO overflow rule."""
    number = document_number.upper()
    if not re.fullmatch(r"[A-Z0-9]{1,22}", number):
        raise MrzFormatError(f"document_number {document_number!r} must be 1-22 characters of [A-Z0-9]")
    if len(number) <= 9:
        document = _field(number, 9, "document_number")
        document += check_digit(document) + _field(optional1, 15, "optional1")
    else:
        overflow = number[9:] + check_digit(number) + ("<" + optional1 if optional1 else "")
        document = number[:9] + "<" + _field(overflow, 15, "document_number overflow + optional1")
    line1 = _field(document_code, 2, "document_code") + _field(issuing_state, 3, "issuing_state") + document
    line2 = (_dated(birth_date) + _sex(sex) + _dated(expiry_date) + _field(nationality, 3, "nationality")
             + _field(optional2, 11, "optional2") + "<")
    return _with_composite([line1, line2, _name_field(surname, given_names, 30)], "TD1")


def corrupt_check_digit(lines: Sequence[str], which: str) -> list[str]:
    """Replace check digit `which` by (d+1) % 10 ('<' counts as 0), or the next digit the check rejects.

    The composite digit is then recomputed (unless it is the one corrupted) so exactly the named
    check fails: a planted error stays attributable to one field in corpus labels.
    """
    normalized = _normalize(lines)
    fmt = _detect(normalized)
    specs = _check_specs(normalized, _LAYOUTS[fmt])
    if which not in specs:
        raise MrzFormatError(f"{fmt} has no check digit {which!r}; choose from {list(specs)}")
    data, (row, col) = specs[which]
    old = int(normalized[row][col]) if normalized[row][col].isdigit() else 0
    rejected = (str((old + step) % 10) for step in range(1, 10))
    new = next(digit for digit in rejected if digit not in _accepted(which, data))
    normalized[row] = normalized[row][:col] + new + normalized[row][col + 1:]
    return normalized if which == "composite" else _with_composite(normalized, fmt)

"""The HIPAA Safe Harbor identifier kinds found in clinical notes, and what replaces each.

Why transforms and not only placeholders: three kinds keep clinical meaning when generalised the
way the Safe Harbor rule (45 CFR 164.514(b)(2)) allows instead of being blanked — dates are
shifted by a per-patient offset (intervals between a patient's events survive) or reduced to the
year; ages over 89 become "90+"; a ZIP code keeps its first three digits unless that three-digit
area holds 20,000 people or fewer (then "000"). Everything else becomes a typed placeholder
("[NAME]", "[MRN]"), so a reader still sees that something was there and what it was.
"""
from __future__ import annotations

import hashlib
import hmac
import regex as re
from datetime import date, timedelta

# Kind -> placeholder; DATE, AGE and ZIP are transformed instead (see the functions below).
PLACEHOLDERS: dict[str, str] = {
    "NAME": "[NAME]", "ADDRESS": "[ADDRESS]", "CITY": "[CITY]", "PHONE": "[PHONE]", "FAX": "[FAX]",
    "EMAIL": "[EMAIL]", "SSN": "[SSN]", "MRN": "[MRN]", "ACCOUNT": "[ACCOUNT]",
    "HEALTH_PLAN": "[HEALTH_PLAN_ID]", "DEVICE_ID": "[DEVICE_ID]", "URL": "[URL]", "IP_ADDRESS": "[IP_ADDRESS]",
    "LICENSE_PLATE": "[LICENSE_PLATE]", "VEHICLE_ID": "[VEHICLE_ID]", "LICENSE": "[LICENSE_NUMBER]",
}

# Three-digit ZIP areas with 20,000 people or fewer (HHS guidance, 2000 Census): written as 000.
RESTRICTED_ZIP3 = frozenset("036 059 063 102 203 556 692 790 821 823 830 831 878 879 884 890 893".split())

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
_MONTH_INDEX = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_INDEX.update({m[:3].lower(): i for i, m in enumerate(MONTHS, 1)})
_MONTH_INDEX["sept"] = 9
_FULL_MONTHS = frozenset(m.lower() for m in MONTHS)
MAX_SHIFT_DAYS = 365
MIN_SHIFT_DAYS = 30


_US_ZIP = re.compile(r"\d{5}(?:-\d{4})?")


def generalise_zip(zip_code: str) -> str:
    """'02134' -> '021**'; a restricted three-digit area -> '000**' (ZIP+4 loses its suffix). The
    three digits Safe Harbor keeps are a US ZIP's: any other postcode ('NW1 6XE', '2000') is
    replaced whole."""
    if not _US_ZIP.fullmatch(zip_code.strip()):
        return "[ZIP]"
    digits = re.sub(r"\D", "", zip_code)[:5]
    prefix = digits[:3]
    return ("000" if prefix in RESTRICTED_ZIP3 else prefix) + "**"


# An age over 89 in words ("ninety-one", "one hundred and two").
SPELLED_AGE = (r"(?:ninety|(?:one|a)[ -]hundred(?:[ -]and)?(?:[ -](?:ten|eleven|twelve|thirteen|fourteen|fifteen|"
               r"sixteen|seventeen|eighteen|nineteen))?)(?:[ -](?:one|two|three|four|five|six|seven|eight|nine))?")


def generalise_age(age_text: str) -> str:
    """An age over 89 is written '90+'; younger ages are not identifiers and stay."""
    if re.fullmatch(SPELLED_AGE, age_text.strip(), re.IGNORECASE):
        return "90+"
    digits = re.sub(r"\D", "", age_text)
    return "90+" if digits and int(digits) > 89 else age_text


def shift_days(key: str, secret: bytes) -> int:
    """The per-patient offset: the same key always gets the same shift, never less than a month
    (a shift of a few days would barely hide a date), in either direction."""
    digest = hmac.new(secret, key.encode("utf-8"), hashlib.sha256).digest()
    span = MAX_SHIFT_DAYS - MIN_SHIFT_DAYS + 1
    magnitude = MIN_SHIFT_DAYS + int.from_bytes(digest[:4], "big") % span
    return magnitude if digest[4] & 1 else -magnitude


# A date as found in a note: the regex name says how to read and re-write it.
_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_ORD = r"(?:st|nd|rd|th)?"
_MD = r"(?<![\d/.])(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])\b(?![/.]\d)"
_MD_AFTER = (r"(?<=\b(?i:on|since|dated|until|from|by|through|thru|admitted|discharged|seen|started|stopped|"
             r"CT|MRI|CXR|echo|EKG|ECG)\s)")
_DOB_BEFORE = r"(?<=\b(?i:DOB|D\.O\.B\.?|date of birth)[ \t]*:?[ \t]*)"
DATE_PATTERNS: dict[str, str] = {
    "iso": r"\b(?P<y>(?:19|20)\d{2})-(?P<m>0?[1-9]|1[0-2])-(?P<d>0?[1-9]|[12]\d|3[01])\b",
    "mdy": r"\b(?P<m>0?[1-9]|1[0-2])(?P<sep>[/.-])(?P<d>0?[1-9]|[12]\d|3[01])(?P=sep)(?P<y>(?:19|20)?\d{2})\b(?![/.-]\d)",
    # Year first with slashes or dots (2024/03/14), and day first where the day cannot be a month
    # (14.03.2024, 25/12/2023: European and Indian notes); a day-first date that could be either
    # is read as month first above: shifted either way, never left as written.
    "ymd": r"\b(?P<y>(?:19|20)\d{2})(?P<sep>[/.])(?P<m>0?[1-9]|1[0-2])(?P=sep)(?P<d>0?[1-9]|[12]\d|3[01])\b(?![/.]\d)",
    "dmy": r"\b(?P<d>1[3-9]|2\d|3[01])(?P<sep>[/.-])(?P<m>0?[1-9]|1[0-2])(?P=sep)(?P<y>(?:19|20)\d{2})\b(?![/.-]\d)",
    "month_d_y": rf"\b(?P<mon>{_MON})\.?\s+(?P<d>[12]\d|3[01]|0?[1-9]){_ORD},?\s+(?P<y>(?:19|20)\d{{2}})\b",
    "d_month_y": rf"\b(?P<d>[12]\d|3[01]|0?[1-9]){_ORD}(?:\s+of)?[\s-]+(?P<mon>{_MON})\.?,?[\s-]+(?P<y>(?:19|20)\d{{2}}|\d{{2}})\b",
    # Day and month with no year ("the 3rd of March", "21st June", "on 14 June"). "3 May be needed"
    # and "2 of May's pills" are a count and a verb or a name, so May needs an ordinal, a word such
    # as "on" or "since" before the day ("seen on 3 May"), or the end of a clause after it ("3 May.").
    "d_month": rf"\b(?P<d>[12]\d|3[01]|0?[1-9])(?P<ord>st|nd|rd|th)?\s+(?P<of>of\s+)?"
               rf"(?(ord)|(?:(?<=\b(?:on|since|from|until|till|by|before|after|dated)\s+\d{{1,2}}\s+(?:of\s+)?)"
               rf"|(?!May\b(?![.,;:)]|[ \t]*$))))(?P<mon>{_MON})\b"
               rf"(?![\s,.-]*(?:19|20)\d{{2}}\b)",
    "month_y": rf"\b(?P<mon>{_MON})\.?,?\s+(?P<y>(?:19|20)\d{{2}})\b",
    "month_d": rf"\b(?P<mon>{_MON})\.?\s+(?P<d>[12]\d|3[01]|0?[1-9]){_ORD}\b(?!,?\s*(?:19|20)\d{{2}})(?!\s*(?:mg|mcg|g|mL|units?)\b)",
    # Month and day with a slash ("on 3/14") are also scores and ratios ("pain 4/10", "5/5 strength",
    # "1/2 NS"), so only in a date's context: after a word that dates an event, or before a 24-hour
    # time ("12/25 0115", as flowsheets write it) unless a score's name comes first ("pain 4/10 1400").
    "m_d": rf"(?:{_MD_AFTER}|(?<!\b(?i:pain|score|strength|grade|murmur|reflexes)\s)(?=\d{{1,2}}/\d{{1,2}}[ \t]+(?:[01]\d|2[0-3])[0-5]\d\b))"
           rf"{_MD}",
    # Eight digits, year first, only after a date-of-birth label ("DOB 19510209"): unlabelled, eight
    # digits are as often an identifier or an accession number.
    "ymd_compact": rf"{_DOB_BEFORE}(?P<y>(?:19|20)\d{{2}})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])\b",
}
_CASED = ("month_d", "month_y", "month_d_y", "d_month_y", "d_month")
# Read back without the context a pattern needs to find a date ("on 3/14"): the value alone.
_VALUES = {"m_d": _MD, "ymd_compact": DATE_PATTERNS["ymd_compact"].replace(_DOB_BEFORE, "")}
DATE_REGEXES = {name: re.compile(_VALUES.get(name, p), 0 if name in _CASED else re.I)
                for name, p in DATE_PATTERNS.items()}


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _parsed(kind: str, found: dict[str, str | None]) -> tuple[date, bool] | None:
    """(the date, whether the year was written); None for impossible dates (30 February)."""
    month = int(found["m"]) if found.get("m") else _MONTH_INDEX.get((found.get("mon") or "").lower().rstrip("."))
    if month is None:
        return None
    has_year = bool(found.get("y"))
    year = _year(found["y"]) if has_year else 2000  # a leap year, so 29 February is legal
    day = int(found["d"]) if found.get("d") else 1
    try:
        return date(year, month, day), has_year
    except ValueError:
        return None


def _render(kind: str, value: date, found: dict[str, str | None]) -> str:
    """The shifted date in the same form it was written, so the note still reads naturally."""
    long_month = (found.get("mon") or "").rstrip(".").lower() in _FULL_MONTHS  # "May" is written in full
    month_name = MONTHS[value.month - 1] if long_month else MONTHS[value.month - 1][:3]
    if kind == "iso":
        return value.isoformat()
    if kind == "ymd":
        sep = found["sep"] or "/"
        return f"{value.year}{sep}{value.month:02d}{sep}{value.day:02d}"
    if kind == "dmy":
        sep = found["sep"] or "/"
        return f"{value.day:02d}{sep}{value.month:02d}{sep}{value.year}"
    if kind == "mdy":
        sep = found.get("sep") or "/"
        year = str(value.year) if len(found["y"] or "") == 4 else f"{value.year % 100:02d}"
        return f"{value.month:02d}{sep}{value.day:02d}{sep}{year}"
    if kind == "month_d_y":
        return f"{month_name} {value.day}, {value.year}"
    if kind == "d_month_y":
        return f"{value.day} {month_name} {value.year}"
    if kind == "month_y":
        return f"{month_name} {value.year}"
    if kind == "d_month":
        day = _ordinal(value.day) if found["ord"] else str(value.day)
        return f"{day} {'of ' if found['of'] else ''}{month_name}"
    if kind == "month_d":
        return f"{month_name} {value.day}"
    if kind == "ymd_compact":
        return f"{value.year}{value.month:02d}{value.day:02d}"
    return f"{value.month}/{value.day}"


def _ordinal(day: int) -> str:
    """3 -> '3rd', 11 -> '11th', 22 -> '22nd': a shifted "3rd of March" still reads as written."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def transform_date(text: str, *, shift: int | None) -> str:
    """A date string shifted by `shift` days, or (shift None) reduced to its year; a date that
    cannot be read is replaced by '[DATE]' (never left as it was)."""
    for kind, regex in DATE_REGEXES.items():
        match = regex.fullmatch(text.strip())
        if match is None:
            continue
        found = match.groupdict()
        parsed = _parsed(kind, found)
        if parsed is None:
            return "[DATE]"
        value, has_year = parsed
        if shift is None:
            return str(value.year) if has_year else "[DATE]"
        # Month and day only: shifted inside a leap year (2000), written in the same form.
        return _render(kind, value + timedelta(days=shift), found)
    return "[DATE]"

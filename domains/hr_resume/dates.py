"""Date ranges in resumes, and years of experience with overlapping ranges merged.

Why merged: two concurrent jobs that both used Python for two years are two years of Python,
not four; a matcher that adds ranges rewards moonlighting and double-listing. Open-ended ranges
("2019-present", "since 2021") end at the `as_of` date, so results never drift with the clock.
Months are the unit: a range "Jan 2019 - Mar 2019" is three months (both ends inclusive).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MONTHS = {name: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# A month with a two-digit year after an apostrophe ("Mar '22") is a resume convention too.
_POINT = rf"(?:{_MONTH}\s+(?:(?:19|20)\d\d|['’]\d\d\b)|(?:0?[1-9]|1[0-2])[/.-](?:19|20)\d\d|(?:19|20)\d\d[/.-](?:0?[1-9]|1[0-2])(?!\d)|(?:19|20)\d\d)"
_OPEN = r"(?:present|current|now|today|ongoing|date)"
RANGE = re.compile(
    rf"(?P<start>{_POINT})\s*(?:-|–|—|to|until|till)\s*(?P<end>{_POINT}|{_OPEN})"
    rf"|since\s+(?P<since>{_POINT})", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Span:
    """Months as integers (year * 12 + month - 1), both ends inclusive."""

    start: int
    end: int

    @property
    def months(self) -> int:
        return self.end - self.start + 1

    def label(self) -> str:
        return f"{_show(self.start)} - {_show(self.end)}"


def _show(month: int) -> str:
    return f"{month // 12}-{month % 12 + 1:02d}"


def _month(text: str, *, end: bool) -> int:
    text = text.strip().lower().rstrip(".")
    if m := re.fullmatch(rf"({_MONTH})\s+(\d{{4}})", text):
        return int(m.group(2)) * 12 + MONTHS[m.group(1).rstrip(".")] - 1
    if m := re.fullmatch(rf"({_MONTH})\s+['’](\d\d)", text):  # '22 is 2022, '98 is 1998
        year = int(m.group(2)) + (2000 if int(m.group(2)) < 50 else 1900)
        return year * 12 + MONTHS[m.group(1).rstrip(".")] - 1
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", text):
        return int(m.group(2)) * 12 + int(m.group(1)) - 1
    if m := re.fullmatch(r"(\d{4})[/.-](\d{1,2})", text):
        return int(m.group(1)) * 12 + int(m.group(2)) - 1
    # A bare year: January when it starts a range, December when it ends one.
    return int(text) * 12 + (11 if end else 0)


def as_month(day: date) -> int:
    return day.year * 12 + day.month - 1


def find_ranges(text: str, as_of: date) -> list[tuple[Span, int, int]]:
    """Every date range in `text` as (span, start offset, end offset). A range ending after
    `as_of` (or open-ended) ends at `as_of`; a reversed range is read as written backwards."""
    now = as_month(as_of)
    found = []
    for m in RANGE.finditer(text):
        if m.group("since"):
            start, end = _month(m.group("since"), end=False), now
        else:
            start = _month(m.group("start"), end=False)
            end = now if re.fullmatch(_OPEN, m.group("end"), re.IGNORECASE) else _month(m.group("end"), end=True)
        start, end = min(start, end), max(start, end)
        if start > now:
            continue
        found.append((Span(start, min(end, now)), m.start(), m.end()))
    return found


def merge(spans: list[Span]) -> list[Span]:
    """Overlapping or adjacent spans joined; the result is sorted and disjoint."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end + 1:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def years(spans: list[Span]) -> float:
    """Years covered by the spans once each month (overlaps merged), to 0.1."""
    return round(sum(s.months for s in merge(spans)) / 12, 1)


def gaps(spans: list[Span], *, min_months: int = 6) -> list[Span]:
    """Gaps of at least `min_months` between merged spans (career breaks; reported, never penalised)."""
    merged = merge(spans)
    return [Span(a.end + 1, b.start - 1) for a, b in zip(merged, merged[1:]) if b.start - a.end - 1 >= min_months]

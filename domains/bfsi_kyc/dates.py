"""Dates as documents write them, with every calendar date a writing can mean.

Why: numeric dates are read day first across the corpus (12/03/1985 is 12 March), but a US
driver's licence or application form writes the month first, so its 03/12/1985 is 12 March too.
Read as one date, a listed person born 1985-03-12 whose form said 03/12/1985 was screened as born
3 December, and the listing was cleared by DOB. So a writing whose first two fields could each be
the month keeps both readings (day first, the corpus default, then month first); an unambiguous
date on an identity document (its MRZ, another document's printed date) picks one and is named as
the reason, and what stays ambiguous is screened on the safe side (a listed DOB matching either
reading matches).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

# Dates whose writing fixes the order of day and month: ISO, visual zone (12 MAR 1985, 12-MAR-1985)
# and month name first (March 12, 1985).
_NAMED_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%B %d, %Y", "%b %d, %Y", "%d-%b-%Y")
# Numeric dates. Dotted ones are the European convention and read day first only; with a slash
# or a hyphen the US writes the month first.
_NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")


@dataclass(frozen=True)
class WrittenDate:
    """A date as written and the calendar dates it can mean: one, or two for an ambiguous numeric
    writing (day first, then month first). `resolved_by` says which evidence chose one of two."""

    text: str
    readings: tuple[date, ...]
    resolved_by: str | None = None

    @classmethod
    def known(cls, value: date) -> WrittenDate:
        """A date no one has to interpret: an MRZ's, or a value already in ISO form."""
        return cls(value.isoformat(), (value,))

    @property
    def first(self) -> date:
        """The reading to show and store when one is needed: day first unless evidence chose."""
        return self.readings[0]

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1

    def agrees_with(self, other: WrittenDate) -> bool:
        """Two documents agree when some reading of one is a reading of the other: calling them
        inconsistent would blame the applicant for how a form orders day and month."""
        return not set(self.readings).isdisjoint(other.readings)

    def resolved(self, evidence: Sequence[tuple[str, WrittenDate]]) -> WrittenDate:
        """The reading that the unambiguous dates of `evidence` (source, date) support, when they
        support exactly one; otherwise unchanged (no evidence, or evidence for both readings,
        which only a packet of two people gives and which must not be settled by a guess)."""
        if not self.ambiguous:
            return self
        support: dict[date, str] = {}
        for source, other in evidence:
            if not other.ambiguous and other.first in self.readings:
                support.setdefault(other.first, source)
        if len(support) != 1:
            return self
        [(reading, source)] = support.items()
        order = "day first" if reading == self.first else "month first"
        return replace(self, readings=(reading,), resolved_by=f"read {order}, as {source} gives it")

    def __str__(self) -> str:
        """As evidence shows it: ISO, plus the writing when it was ambiguous and how it was read."""
        if self.ambiguous:
            both = " or ".join(d.isoformat() for d in self.readings)
            return f"{self.text} (ambiguous day/month order: {both})"
        if self.resolved_by:
            return f"{self.first.isoformat()} ({self.text} {self.resolved_by})"
        return self.first.isoformat()


def read_date(text: str) -> WrittenDate | None:
    """Every date a written date can be (see `WrittenDate`), or None when it is not a date."""
    text = " ".join(text.strip().upper().split())
    for fmt in _NAMED_FORMATS:
        try:
            return WrittenDate(text, (datetime.strptime(text, fmt).date(),))
        except ValueError:
            continue
    match = _NUMERIC.fullmatch(text)
    if match is None:
        return None
    first, separator, second, year = match.groups()
    orders = [(first, second)] if separator == "." else [(first, second), (second, first)]
    readings = tuple(dict.fromkeys(d for day, month in orders if (d := _calendar_date(year, month, day))))
    return WrittenDate(text, readings) if readings else None


def _calendar_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None

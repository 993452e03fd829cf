"""Manual tables as pypdf extracts them, cut into one section per row.

Why: the shared chunker cuts 200-word chunks within a section. A troubleshooting table of 15-25
rows on one page would be cut mid-row, or a row repeated in two chunks' overlap, and a row cut
short cannot be cited whole ("do what row TS-02 says"). Ingest applies this sectioner after
redaction and before chunking, so each row becomes a chunk of its own.

What is recognised (pypdf gives one line per printed line, a table's cells in row order):
- a header line: at most 10 words, mostly column names, no digits, no colon, naming the columns
  of a troubleshooting table (symptom/fault - cause - remedy/action), a limits table (parameter -
  limit/value/range) or an intervals table (item/component - interval/frequency). It starts a table.
- a row: starts at a line that begins with a row key of the table's shape (the first key after
  the header sets it: `VMC400-TS-02` gives `VMC<n>-TS-<n>`, `3` gives `<n>`), and runs to the next
  such line, so the row's wrapped lines and its other columns' cells stay with it.
- a page that continues a table without repeating the header: two or more lines beginning with
  hyphenated keys of one shape (`TS-07`, `TS-08`) start rows from the first of them.
- a table ends at the next header line, or at a numbered heading (`2 Maintenance intervals`).
Everything else is prose and stays as it was between the rows. A section with no table (a work
order record, a note) is returned unchanged. Not recognised: rows without a key in their first
column, tables whose header uses other words, and prose printed right after a table's last row
with no heading in between (it stays with that row).
"""
from __future__ import annotations

import re
from collections import Counter

from rightsized.pipelines.documents import Section

FINGERPRINT = "manual-table-rows:v1"

_KEY = re.compile(r"(?:[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{1,4}|\d{1,3})(?=[\s|.)]|$)")
_HYPHENATED = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*-\d{1,4}")
_HEADING = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z][A-Za-z]+(?:\s+[A-Za-z()/-]+){0,8}")
_WORD = re.compile(r"[a-z]+")
# Each table kind: groups of column words; a header names columns from at least two groups.
HEADER_WORDS = {
    "troubleshooting": ({"symptom", "symptoms", "fault", "problem", "trouble", "condition"},
                        {"cause", "causes", "reason"},
                        {"remedy", "remedies", "action", "actions", "solution", "corrective", "fix"}),
    "limits": ({"parameter", "quantity"}, {"limit", "limits", "value", "range", "maximum", "minimum"}),
    "intervals": ({"item", "component", "task"}, {"interval", "intervals", "frequency"}),
}


# Other words a header line may hold ("Row | Code | Symptom | Probable cause | Remedy").
HEADER_EXTRAS = {"row", "no", "id", "ref", "code", "probable", "possible", "likely", "description", "note", "notes",
                 "part", "parts", "unit", "units", "step", "to", "be", "taken", "and", "or"}
_COLUMN_WORDS = HEADER_EXTRAS.union(*(group for groups in HEADER_WORDS.values() for group in groups))


def is_header(line: str) -> bool:
    """A table's column header: short, no numbers or labels, mostly column names, and naming
    columns of one table kind from at least two of its groups (a sentence that mentions a
    problem, its cause and an action is not one)."""
    if not line or ":" in line or any(c.isdigit() for c in line):
        return False
    words = _WORD.findall(line.lower())
    if not words or len(words) > 10 or 2 * sum(w in _COLUMN_WORDS for w in words) < len(words) + 1:
        return False
    return any(sum(bool(set(words) & group) for group in groups) >= 2 for groups in HEADER_WORDS.values())


def row_key(line: str) -> str | None:
    match = _KEY.match(line)
    return match.group(0) if match else None


def shape(key: str) -> re.Pattern[str]:
    """The pattern of a row key with its numbers free: VMC400-TS-02 -> VMC\\d+-TS-\\d+."""
    return re.compile("".join(r"\d+" if part.isdigit() else re.escape(part) for part in re.split(r"(\d+)", key) if part))


class ManualSectioner:
    """Splits a manual page into its table rows (one section each) and the prose between them."""

    fingerprint = FINGERPRINT

    def split(self, section: Section) -> list[Section]:
        cuts = self._cuts(section.text)
        if not cuts:
            return [section]
        bounds = [0, *cuts, len(section.text)]
        parts = [section.text[a:b] for a, b in zip(bounds, bounds[1:])]
        return [Section(part, section.page) for part in parts if part.strip()]

    def _cuts(self, text: str) -> list[int]:
        """Character offsets where a new section starts: at headers, rows and headings."""
        lines = text.splitlines(keepends=True)
        repeated = Counter(shape(k).pattern for line in lines
                           if (k := row_key(line.strip())) and _HYPHENATED.fullmatch(k))
        cuts: list[int] = []
        in_table = False  # inside a table: after its header, or from a continued table's first row
        rows: re.Pattern[str] | None = None  # the table's row-key shape, once its first row is seen
        offset = 0
        for line in lines:
            start, offset = offset, offset + len(line)
            stripped = line.strip()
            key = row_key(stripped)
            if is_header(stripped):
                in_table, rows = True, None
            elif in_table and key and (rows is None or rows.fullmatch(key)):
                rows = rows or shape(key)
            elif not in_table and key and _HYPHENATED.fullmatch(key) and repeated[shape(key).pattern] >= 2:
                in_table, rows = True, shape(key)
            elif rows is not None and _HEADING.fullmatch(stripped):
                in_table, rows = False, None
            else:
                continue
            if start:
                cuts.append(start)
        return cuts

"""Pricing rules written as prose, lists and tables, not in the `Clause <ID> — <kind>:` form.

Why: a company writes its pricing policy its own way ("Beverages must keep a gross margin of at
least 25%.", a table of minimum margins by category, "- Shelf prices end in .99"), and a rule the
reader skips is a rule the recommender breaks. Each statement (a sentence, a list item, a table
row) is read with the heading above it and, for a table row, the table's header: the statement
or its heading names the kind ("Minimum margins"), the statement the category and the number.
Categories are the catalogue's, or a table row's or a "Snacks: 35%" line's own label; a statement
naming none applies to every category. A general rule is never relaxed by a category's own: both
must hold (the safe reading of "30% margin; Beverages 25%"). A statement that names a kind and
says "must", "at least", ... but holds nothing this reader can read is reported, never guessed.

Why consecutive chunks of a document are joined back before reading: the chunker cuts inside
table rows and lines, so a table's rows may sit in a later chunk than the heading that says what
they are, and chunks overlap, so a statement read chunk by chunk would be read twice. Where a run
of retrieved chunks stops inside the document, its last statement may be cut and is not read.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath

from rightsized.domains.retail_pricing.policy import (
    FREEZE, PERCENT, Blackout, CompetitorMatch, ListCeiling, MaxDiscount, MinMargin, PolicyReading, PriceEnding, Rule,
    Unreadable, parse_policy, without_clauses,
)
from rightsized.pipelines.stores.base import DOC_CHUNKS, SearchHit

_MD_HEADING = re.compile(r"^\s*#{1,6}\s*(?P<title>.+?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+(?P<title>[A-Z][^.!?;:|%\d]{1,60})$")
_NUMBERED_TITLE = re.compile(r"\d+(?:\.\d+)*\.?\s+(?P<title>[A-Z][A-Za-z &/,()'-]{1,60})[.:]")
_ITEM = re.compile(r"^\s*(?:[-*\u2022\u2013]|\d+[.)]|\(?[a-z][.)])\s+")
_ROW = re.compile(r"^\s*\|(?P<cells>.+)\|\s*$")
_RULE_ROW = re.compile(r"^[\s|:-]+$")  # a Markdown table's |---|---| line
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"']|\d+(?:\.\d+)+\s+[A-Z])|;\s+|,?\s+but\s+")
_CLOSED = re.compile(r"[.!?:|]\s*$")
_LABEL = re.compile(r"^(?P<label>[A-Z][\w &/'-]{0,40}?)\s*(?::|\s[\u2013\u2014-])\s+")  # "Snacks: 35%", "Snacks - 35%"
_MODAL = re.compile(r"\b(?:must|shall|may not|never|at least|at most|no more than|not exceed|minimum|maximum|only)\b",
                    re.I)
_ALL = re.compile(r"\b(?:all|every|each|any|other|remaining)\s+(?:other\s+)?(?:categor(?:y|ies)|items?|products?)\b|"
                  r"\botherwise\b", re.I)
_CENTS = re.compile(r"(?<![\d.])\.(\d{2})\b|\b(\d{2})\s*(?:cents?|c|p)\b")  # .99, x.99, 99 cents
_ENDS = re.compile(r"\bend(?:s|ing)?\b", re.I)
_BLACKOUT = re.compile(r"\bblackout|\bno (?:discounts?|promotions?|markdowns?)\b|\bnot be (?:discounted|promoted|reduced)\b",
                       re.I)
_CEILING = re.compile(r"\b(?:exceed|above|higher than|more than|over)\s+(?:the\s+)?(?:[\w']+\s+){0,2}?"
                      r"(?:list|recommended retail|rrp)\b", re.I)
_NEGATION = re.compile(r"\b(?:never|not|no|cannot|must not|may not)\b", re.I)
_DISCOUNT = re.compile(r"\b(?:discount|markdown|mark-down|reduction|reduced|(?:off|below)\s+(?:(?:the|its|their)\s+)?list)",
                       re.I)
_MARGIN = re.compile(r"\bmargin", re.I)
_MARKUP = re.compile(r"\bmark-?up\b", re.I)
_KIND_WORDS = re.compile(r"\b(?:margin|discount|markdown|competitor|ending|blackout|minimum|maximum|min|max|price|"
                         r"rule|limit|floor|cap|ceiling)", re.I)
_COMPETITOR = re.compile(r"\bcompetitor", re.I)
_MATCH = re.compile(r"\bmatch", re.I)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MON = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_TO = r"\s*(?:-|\u2013|\u2014|to|until|through|and)\s*"
# Date forms, in the order they are tried (a later form never re-reads an earlier one's text):
_DATE_FORMS = (
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),  # 2026-12-20
    _MONTH_RANGE := re.compile(rf"\b{_MON}\s+\d{{1,2}}(?:st|nd|rd|th)?{_TO}{_DAY}{_YEAR}\b", re.I),  # November 23-29, 2026
    re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MON}{_YEAR}\b", re.I),  # 20 December [2026]
    re.compile(rf"\b{_MON}\s+{_DAY}\b{_YEAR}", re.I),  # December 20[, 2026]
    re.compile(rf"\b{_DAY}(?={_TO}\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+[A-Z])", re.I),  # the 23 of "23-29 November"
)


@dataclass(frozen=True)
class Statement:
    """One sentence, list item or table row with the heading it sits under; `label` is a table
    row's first cell or the label of a "Snacks: 35%" line; `written` is the statement as the
    document has it (spaces normalised), to find the chunk it is cited from."""

    heading: str
    text: str
    label: str | None = None
    written: str = ""


def read_policy(hits: list[SearchHit], categories: Collection[str] = ()) -> PolicyReading:
    """Every rule in the retrieved policy chunks: the clause-form ones (`policy.parse_policy`)
    and those written as prose, lists and tables. `categories`: the catalogue's, so that a
    sentence naming one is that category's rule."""
    clauses = parse_policy(hits)
    rules, problems = list(clauses.rules), list(clauses.unreadable)
    for run in _runs(hits):
        text = _joined(run)
        statements = _statements(without_clauses(text))
        if statements and _position(run[0]) > 0:
            statements.pop(0)  # the run starts inside the document: mid-sentence, under an unknown heading
        if statements and not _ends_document(run[-1]) and _cut(text, statements[-1]):
            statements.pop()  # the run stops inside the document: its last statement may be cut
        for number, statement in enumerate(statements, start=1):
            hit = _cited(statement, run)
            read = read_statement(statement, categories, _clause_id(hit, statement, number), hit.chunk_id)
            if isinstance(read, Unreadable):
                problems.append(read)
            else:
                rules += read
    return PolicyReading(tuple(rules), tuple(problems))


def _position(hit: SearchHit) -> int:
    return int(hit.metadata.get("position", 0))


def _ends_document(hit: SearchHit) -> bool:
    chunks = hit.metadata.get(DOC_CHUNKS)
    return chunks is None or _position(hit) >= int(chunks) - 1


def _runs(hits: list[SearchHit]) -> list[list[SearchHit]]:
    """The hits as runs of consecutive chunks of one document, in document order, each chunk once
    (a hit without a document position is a run of its own)."""
    by_doc: dict[str, dict[str, SearchHit]] = {}
    for hit in hits:
        by_doc.setdefault(str(hit.metadata.get("doc_id", hit.chunk_id)), {}).setdefault(hit.chunk_id, hit)
    runs: list[list[SearchHit]] = []
    for doc in by_doc.values():
        previous: SearchHit | None = None
        for hit in sorted(doc.values(), key=_position):
            if previous is not None and _position(hit) == _position(previous) + 1:
                runs[-1].append(hit)
            else:
                runs.append([hit])
            previous = hit
    return runs


def _joined(run: list[SearchHit]) -> str:
    """Consecutive chunks as the one text they were cut from: each chunk's overlap with the one
    before (its first words repeat that chunk's last) is dropped. Why not read chunk by chunk: the
    chunker cuts inside table rows and lines, and a chunk opening in the middle of a table does
    not say which heading its rows are under."""
    text = run[0].text
    for hit in run[1:]:
        shared = next((k for k in range(min(len(text), len(hit.text)), 0, -1) if text.endswith(hit.text[:k])), 0)
        text += hit.text[shared:] if shared else "\n" + hit.text
    return text


def _cut(text: str, last: Statement) -> bool:
    """Whether the text ends inside its last statement (no full stop, no row end)."""
    lines = text.rstrip().splitlines()
    tail = " ".join(lines[-1].split()) if lines else ""
    return bool(tail) and not _CLOSED.search(tail) and last.written.endswith(tail[-20:])


def _cited(statement: Statement, run: list[SearchHit]) -> SearchHit:
    """The first chunk holding the whole statement (else the one where it starts)."""
    for probe in (statement.written, statement.written[:40]):
        for hit in run:
            if probe in " ".join(hit.text.split()):
                return hit
    return run[0]


def _clause_id(hit: SearchHit, statement: Statement, number: int) -> str:
    """A readable id for a rule with none written: the file, the heading and the statement's number."""
    source = PurePath(str(hit.metadata.get("source", ""))).name
    where = " \u00a7 ".join(part for part in (source, statement.heading) if part)
    return f"{where} \u00b6{number}" if where else f"\u00b6{number}"


def _statements(text: str) -> list[Statement]:
    """The statements of a text, each with the heading (and table header) it sits under."""
    heading = ""
    found: list[Statement] = []
    buffer: list[str] = []
    header: list[str] | None = None

    def flush() -> None:
        nonlocal heading
        joined = " ".join(" ".join(buffer).split())
        buffer.clear()
        for sentence in filter(None, (s.strip() for s in _SENTENCE.split(joined))):
            title = _NUMBERED_TITLE.fullmatch(sentence)
            if title and len(title["title"].split()) <= 6:  # "3.1 Minimum margin. Every Snacks item ..."
                heading = title["title"]
                continue
            label = _LABEL.match(sentence)
            found.append(Statement(heading, sentence, _label(label["label"] if label else None), sentence))

    for line in text.splitlines():
        stripped = line.strip()
        row = _ROW.match(line)
        title = _heading(stripped, buffer)
        if not stripped or title is not None:
            flush()
            header = None
            heading = title if title is not None else heading
        elif row is not None:
            flush()
            cells = [c.strip() for c in row["cells"].split("|")]
            if _RULE_ROW.match(stripped):
                continue
            if header is None and not any(PERCENT.search(c) or _CENTS.search(c) for c in cells):
                header = cells
                continue
            named = [f"{h} {c}" if h else c for h, c in zip(header or [""] * len(cells), cells)]
            found.append(Statement(heading, ", ".join(named), _label(cells[0]), " ".join(stripped.split())))
        elif _ITEM.match(line):
            flush()
            buffer.append(_ITEM.sub("", line, count=1))
        else:
            buffer.append(stripped)
    flush()
    return found


def _label(text: str | None) -> str | None:
    """A line's or row's label when it can name a category: "Maximum markdown: 25%" names the
    kind, not a category."""
    return None if text is None or _KIND_WORDS.search(text) or re.search(r"[\d%]", text) else text.strip()


def _heading(line: str, buffer: list[str]) -> str | None:
    """A heading's title: a Markdown heading, a numbered one ("2. Margins"), or a short line of
    its own in capitals ("Minimum margins by category", as PDFs print headings) that does not
    continue an open sentence."""
    for pattern in (_MD_HEADING, _NUMBERED_HEADING):
        found = pattern.match(line)
        if found:
            return found["title"].strip()
    open_sentence = bool(buffer) and not _CLOSED.search(buffer[-1])
    if (line and line[0].isupper() and len(line.split()) <= 6 and not open_sentence
            and not re.search(r"[.!?;:|%\d]", line)):
        return line
    return None


def read_statement(statement: Statement, categories: Collection[str], clause: str,
                   chunk_id: str) -> list[Rule] | Unreadable:
    """The rules one statement states ([] for a statement that is no rule)."""
    text, context = statement.text, f"{statement.heading} {statement.label or ''}"
    both = f"{text} {statement.heading}"
    full = " ".join(f"{statement.heading}: {text}".split()) if statement.heading else text
    made = dict(clause=clause, chunk_id=chunk_id, text=full)
    modal = bool(_MODAL.search(text))  # a statement that says what must be: a rule, read or reported

    def unreadable(reason: str) -> list[Rule] | Unreadable:
        return Unreadable(clause, chunk_id, f"{reason}: {text[:80]!r}") if modal or PERCENT.search(text) else []

    dates = _dates(text)
    if dates and (_BLACKOUT.search(both) or FREEZE.search(text)):
        if len(dates) < 2:
            return unreadable("a blackout needs a start and an end date")
        start, end = sorted(dates[:2])
        return [Blackout(**made, start=start, end=end, freeze=FREEZE.search(text) is not None)]
    if re.search(r"\bblackout", text, re.I):
        return unreadable("a blackout needs a start and an end date")
    cents = tuple(sorted({int(a or b) for a, b in _CENTS.findall(text)}))
    if cents and (_ENDS.search(text) or _ENDS.search(context)):
        return [PriceEnding(**made, endings=cents, category=c) for c in _categories_of(statement, categories) or [None]]
    if _COMPETITOR.search(text) or (_COMPETITOR.search(context) and PERCENT.search(text)):
        share = PERCENT.search(text)
        if share is None and not _MATCH.search(both):
            return unreadable("no percentage over the competitor price")
        return [CompetitorMatch(**made, share=float(share.group(1)) / 100 if share else 0.0)]
    if _CEILING.search(text) and _NEGATION.search(text) and not PERCENT.search(text):
        return [ListCeiling(**made)]
    if _MARKUP.search(text) and not _MARGIN.search(text):  # a markup of m on cost is a margin of m / (1 + m)
        pairs = _shares(statement, categories)
        if pairs is None:
            return unreadable("no markup percentage per category")
        return [MinMargin(**made, share=round(share / (1 + share), 6), category=category) for category, share in pairs]
    for pattern, make in ((_MARGIN, MinMargin), (_DISCOUNT, MaxDiscount)):
        if pattern.search(text) or (pattern.search(context) and PERCENT.search(text)):
            pairs = _shares(statement, categories)
            if pairs is None:
                return unreadable(f"no {'margin' if make is MinMargin else 'discount'} percentage per category")
            return [make(**made, share=share, category=category) for category, share in pairs]
    return unreadable("no rule this reader knows") if PERCENT.search(text) else []


def _dates(text: str) -> list[date]:
    """The dates a sentence names, in order, as policies write them: ISO, "20 December 2026",
    "December 20, 2026", and ranges that say the month or year once ("23-29 November 2026",
    "from 23 November to 6 December 2026", "Dec 20 - Jan 2, 2027": a start borrows the end's
    month and year, and a year earlier when it would otherwise fall after the end)."""
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, int | None, int | None, int]] = []  # (position, year, month, day)
    for form in _DATE_FORMS:
        for m in form.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append(m.span())
            names = m.groupdict()
            month = names.get("month")
            number = None if month is None else int(month) if month.isdigit() else _MONTHS.index(month[:3].lower()) + 1
            year = int(names["year"]) if names.get("year") else None
            if form is _MONTH_RANGE:  # "November 23-29, 2026" is two dates: November 23 and 29, 2026
                found.append((m.start(), None, number, int(re.match(r"\D*(\d{1,2})", m.group())[1])))  # type: ignore[index]
                found.append((m.start() + 1, year, number, int(names["day"])))
            else:
                found.append((m.start(), year, number, int(names["day"])))
    found.sort()
    dates: list[date] = []
    later: tuple[int | None, int | None] = (None, None)
    for _, year, month, day in reversed(found):
        borrowed = year is None
        year, month = year or later[0], month or later[1]
        later = (year, month)
        if year is None or month is None:
            continue
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if borrowed and dates and value > dates[0]:
            value = value.replace(year=year - 1)
        dates.insert(0, value)
    return dates


def _mentions(text: str, categories: Collection[str]) -> list[tuple[int, str | None]]:
    """(position, category) of each category the text names (singular too: "snack items"), the
    longest name first ("Personal Care" is not also "Care"); None for "all other categories"."""
    found: list[tuple[int, str | None]] = [(m.start(), None) for m in _ALL.finditer(text)]
    for category in sorted(categories, key=len, reverse=True):
        names = {re.escape(category), re.escape(category.removesuffix("s"))}
        for m in re.finditer(r"\b(?:" + "|".join(sorted(names, key=len, reverse=True)) + r")\b", text, re.I):
            found.append((m.start(), category))
            text = text[:m.start()] + " " * (m.end() - m.start()) + text[m.end():]
    return sorted(found, key=lambda f: f[0])


def _categories_of(statement: Statement, categories: Collection[str]) -> list[str | None]:
    if statement.label and not _ALL.search(statement.label):
        return [_category(statement.label, categories)]
    return [c for _, c in _mentions(statement.text, categories)]


def _category(label: str, categories: Collection[str]) -> str | None:
    """A row's label as the catalogue spells the category it names (else the label itself:
    then the rule applies to no catalogue category, never to all of them)."""
    if _ALL.search(label) or label.strip().lower() in ("all", "default", "any"):
        return None
    named = [c for c in categories if re.search(rf"\b{re.escape(c)}\b", label, re.I)]
    return named[0] if len(named) == 1 else label.strip()


def _shares(statement: Statement, categories: Collection[str]) -> list[tuple[str | None, float]] | None:
    """(category, share) pairs: a labelled row or line is its label's; otherwise each category
    the sentence names takes the percentage after it, or all take the only one; None when the
    sentence cannot be paired."""
    shares = [float(m.group(1)) / 100 for m in PERCENT.finditer(statement.text)]
    if not shares:
        return None
    if statement.label is not None and len(shares) == 1:
        return [(_category(statement.label, categories), shares[0])]
    mentions = [c for _, c in _mentions(statement.text, categories)]
    if not mentions:
        return [(None, shares[0])] if len(shares) == 1 else None
    if len(shares) == 1:
        return [(c, shares[0]) for c in mentions]
    return list(zip(mentions, shares)) if len(mentions) == len(shares) else None

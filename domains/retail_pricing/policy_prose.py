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
from dataclasses import dataclass, replace
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
# ", but not Beverages" is an exception to the sentence's rule, not a sentence of its own.
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"']|\d+(?:\.\d+)+\s+[A-Z])|;\s+|,?\s+but\s+(?!not\b|except\b)")
_CLOSED = re.compile(r"[.!?:|]\s*$")
_LABEL = re.compile(r"^(?P<label>[A-Z][\w &/'-]{0,40}?)\s*(?::|\s[\u2013\u2014-])\s+")  # "Snacks: 35%", "Snacks - 35%"
_MODAL = re.compile(r"\b(?:must|shall|may not|never|at least|at most|no more than|not exceed|minimum|maximum|only|capped|"
                    r"cannot|can not|not be|up to|no (?:discount|promotion|markdown)\w*)\b", re.I)
_ALL = re.compile(r"\b(?:all|every|each|any|other|remaining)\s+(?:other\s+)?(?:categor(?:y|ies)|items?|products?)\b|"
                  r"\botherwise\b", re.I)
_CENTS = re.compile(r"(?<![\d.])\.(\d{2})\b|\b(\d{2})\s*(?:cents?|c|p)\b")  # .99, x.99, 99 cents
# "end in 9" / "end in 5 or 9": the price's last digit, i.e. cents 09, 19, ..., 99
_DIGIT_ENDING = re.compile(r"\b(?:end(?:s|ing)?|finish(?:es|ing)?)\s+(?:in|with)\s+"
                           r"(?P<digits>\d{1,2}(?![.,]?\d)(?:\s*(?:,|or|and)\s*\d{1,2}(?![.,]?\d))*)", re.I)
_ENDS = re.compile(r"\bend(?:s|ing)?\b|\bfinish(?:es|ing)?\s+(?:in|with)\b|\bcharm pric", re.I)
_BLACKOUT = re.compile(r"\bblackout|\bno (?:discount|promotion|markdown)\w*|\bnot be (?:discounted|promoted|reduced)\b",
                       re.I)
_CEILING = re.compile(r"\b(?:exceed|above|higher than|more than|over)\s+(?:the\s+)?(?:[\w']+\s+){0,2}?"
                      r"(?:list|recommended retail|rrp)\b", re.I)
_NEGATION = re.compile(r"\b(?:never|not|no|cannot|must not|may not)\b", re.I)
_DISCOUNT = re.compile(r"\b(?:discount|markdown|mark-down|reduction|reduced|(?:off|below)\s+(?:(?:the|its|their)\s+)?list)",
                       re.I)
_MARGIN = re.compile(r"\bmargin", re.I)
_MARKUP = re.compile(r"\bmark-?up\b", re.I)
_ALLOWANCE = re.compile(r"(?:\d\s*(?:%|per ?cent|pct)|[$\u00a3\u20ac]\s?[\d.]+)\s+(?:above|over|more than|higher than)\s+(?:the\s+)?"
                        r"(?:[\w']+\s+){0,2}?(?:list|recommended retail|rrp)\b", re.I)  # "5% above list": not a ceiling
# A minimum (advertised) price in money: "may not be advertised or sold below $4.29".
_MIN_PRICE = re.compile(r"\bminimum advertised price|\b(?:advertised|sold|sell|priced|offered)\s+(?:[\w']+\s+){0,3}?(?:below|under|less than|"
                        r"lower than)\s+[$\u00a3\u20ac]?\s?\d", re.I)
# A rule that depends on the price itself ("items priced at $10 or more end in .99") or on a condition
# this reader cannot check: read as unconditional it would make every price infeasible or wrong.
_CONDITION = re.compile(r"\b(?:priced|costing|selling|retailing)\s+(?:at\s+)?(?:or\s+)?(?:under|over|below|above|less than|"
                        r"more than|up to|from)?\s*[$\u00a3\u20ac]\s?\d|\b(?:under|over|below|above|less than|more than|up to)\s+"
                        r"[$\u00a3\u20ac]\s?\d|\b(?:if|unless|provided|as long as)\b", re.I)
_EXCEPT = re.compile(r"\b(?:except(?:\s+for)?|excluding|other than|apart from|but not|with the exception of|save for)\b",
                     re.I)
_NO_MATCH = re.compile(r"\b(?:not|never|no longer)\s+(?:be\s+)?(?:price[- ]?)?match|\bno\s+(?:competitor\s+)?"
                       r"price[- ]?match", re.I)
# Words that make a statement with a modal a pricing rule: one this reader cannot read is reported.
_RULE_WORDS = re.compile(r"\b(?:margin|discount|markdown|mark-?up|competitor|price ending|end in|blackout|list price|"
                         r"advertised|price[- ]?match|rrp|msrp)", re.I)
_KIND_WORDS = re.compile(r"\b(?:margin|discount|markdown|competitor|ending|blackout|minimum|maximum|min|max|price|"
                         r"rule|limit|floor|cap|ceiling)", re.I)
_COMPETITOR = re.compile(r"\bcompetitor|\bprice[- ]?match", re.I)
_MATCH = re.compile(r"\bmatch", re.I)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MON = r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
_TO = r"\s*(?:-|\u2013|\u2014|to|until|through|and)\s*"
# Numeric dates: 24.12.2026 (day first), 12/24/2026 or 24/12/2026 (the order is decided below), 2026/12/24.
_NUMERIC_DATE = re.compile(r"\b(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})\b|"
                           r"\b(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})\b")
# Any token that looks like a date, read or not: a blackout holding one it cannot read is reported.
_MONTH_WORD = "|".join(_MONTHS)
_DATE_LIKE = re.compile(rf"\b\d{{1,4}}/\d{{1,2}}(?:/\d{{2,4}})?\b|\b\d{{1,4}}[.-]\d{{1,2}}[.-]\d{{2,4}}\b"
                        rf"|\b(?:{_MONTH_WORD})[a-z]*\.?\s+\d|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_WORD})",
                        re.I)
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
          "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SPELLED = re.compile(rf"\b(?:(?P<tens>{'|'.join(_TENS)})(?:[- ](?P<unit>{'|'.join(_UNITS[:9])}))?|"
                      rf"(?P<small>{'|'.join(_UNITS)}))\s*(?=%|per ?cent\b|pct\b)", re.I)
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
    document has it (spaces normalised), to find the chunk it is cited from; `others`: the other
    rows' labels of its table, which an "All other categories" row does not cover."""

    heading: str
    text: str
    label: str | None = None
    written: str = ""
    others: tuple[str, ...] = ()


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
    table: list[int] = []  # indices in `found` of the open table's rows

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

    def close_table() -> None:
        labels = tuple(dict.fromkeys(found[i].label for i in table if found[i].label))
        for i in table:
            found[i] = replace(found[i], others=tuple(label for label in labels if label != found[i].label))
        table.clear()

    for line in text.splitlines():
        stripped = line.strip()
        row = _ROW.match(line)
        title = _heading(stripped, buffer)
        if row is None:
            close_table()
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
            for named in _row_statements(header, cells):
                table.append(len(found))
                found.append(Statement(heading, named, _label(cells[0]), " ".join(stripped.split())))
        elif _ITEM.match(line):
            flush()
            buffer.append(_ITEM.sub("", line, count=1))
        else:
            buffer.append(stripped)
    flush()
    close_table()
    return found


_PERCENT_HEADER = re.compile(r"%|\bper ?cent\b|\bpct\b", re.I)


def _row_statements(header: list[str] | None, cells: list[str]) -> list[str]:
    """A table row as text, each cell after its column's header ("Min margin 25%"). A bare number
    under a header that says % is a percentage ("| Snacks | 45 |" under "Margin floor (%)"). A row
    under a header naming two kinds ("Min margin | Max discount") is one statement per cell, so
    each percentage is read with its own column's kind."""
    header = header or [""] * len(cells)
    named = [f"{h} {c}%" if _PERCENT_HEADER.search(h) and re.fullmatch(r"\d+(?:\.\d+)?", c) else f"{h} {c}" if h else c
             for h, c in zip(header, cells)]
    kinds = [i for i, h in enumerate(header[1:len(cells)], start=1) if _KIND_WORDS.search(h)]
    if len(kinds) < 2:
        return [", ".join(named)]
    return [f"{named[0]}, {named[i]}" for i in kinds if cells[i]]


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
    """The rules one statement states ([] for a statement that is no rule). A sentence holding
    clauses of different kinds ("Minimum margin is 30% and discounts may not exceed 20%") is read
    clause by clause: one kind per statement would drop the others silently."""
    full = " ".join(f"{statement.heading}: {statement.text}".split()) if statement.heading else statement.text
    made = dict(clause=clause, chunk_id=chunk_id, text=full)
    stated = replace(statement, text=_numerals(statement.text))
    parts = _clauses(stated.text)
    if len(parts) < 2:
        return _read_one(stated, categories, made)
    if not statement.label and _unscoped_after_scoped(parts, categories):
        return Unreadable(clause, chunk_id, f"two rules in one sentence, not all naming their categories: "
                                            f"{statement.text[:80]!r}")
    rules: list[Rule] = []
    for part in parts:
        read = _read_one(replace(stated, text=part), categories, made)
        if isinstance(read, Unreadable):
            return Unreadable(clause, chunk_id, f"two rules in one sentence, one not read ({read.reason})")
        rules += read
    return rules


def _unscoped_after_scoped(parts: list[str], categories: Collection[str]) -> bool:
    """Whether one clause names categories and another none: in "Snacks keep a 30% margin and may
    be discounted by 20%" the second is the Snacks' too, in "... and prices end in .99" it may not be.
    A list-price ceiling is every category's whatever the sentence names."""
    named = [any(c for _, c in _mentions(part, categories)) for part in parts if not _ceiling(part)]
    return any(named) and not all(named)


def _numerals(text: str) -> str:
    """Spelled percentages as digits: "capped at twenty percent" -> "capped at 20 percent"."""
    def value(m: re.Match[str]) -> str:
        if m["small"]:
            return f"{_UNITS.index(m['small'].lower()) + 1} "
        return f"{(_TENS.index(m['tens'].lower()) + 2) * 10 + (_UNITS.index(m['unit'].lower()) + 1 if m['unit'] else 0)} "
    return _SPELLED.sub(value, text)


def _kinds(text: str) -> list[str]:
    """The rule kinds a text names, in the order read_statement tries them. The list-price ceiling
    is not one: it is read on its own and added to whatever else the sentence says."""
    found = [name for name, pattern in (("ending", _ENDS), ("minimum price", _MIN_PRICE), ("competitor", _COMPETITOR),
                                        ("markup", _MARKUP), ("margin", _MARGIN), ("discount", _DISCOUNT))
             if pattern.search(text)]
    if "ending" in found and not _endings(text):
        found.remove("ending")  # "the end of the season" names no price ending
    if "markup" in found and "margin" in found:
        found.remove("markup")  # "a margin of 30% (a markup of 43%)" is one margin rule
    return found


def _clauses(text: str) -> list[str]:
    """The sentence cut at "and" and commas into clauses of one kind each (a clause naming no kind,
    "Snacks" of "Snacks and Household items must ...", stays with its neighbour); the whole
    sentence when it has one kind, or dates (whose "and" joins a start and an end)."""
    if _DATE_LIKE.search(text):
        return [text]
    pieces = re.split(r"(\s*,\s*and\s+|\s*,\s*|\s+and\s+)", text)
    groups: list[tuple[str, str | None]] = []  # (text, kind)
    for i in range(0, len(pieces), 2):
        piece, glue = pieces[i], pieces[i - 1] if i else ""
        kind = _piece_kind(piece)
        if groups and (kind is None or groups[-1][1] in (None, kind)):
            groups[-1] = (groups[-1][0] + glue + piece, groups[-1][1] or kind)
        else:
            groups.append((piece, kind))
    return [g for g, _ in groups] if len(groups) > 1 else [text]


def _piece_kind(piece: str) -> str | None:
    if _ceiling(piece):
        return "ceiling"
    kinds = _kinds(piece)
    return kinds[0] if kinds else None


def _ceiling(text: str) -> bool:
    """ "Shelf prices must never exceed the list price" (not "at most 5% above list price")."""
    return bool(_CEILING.search(text) and _NEGATION.search(text) and not _ALLOWANCE.search(text))


def _read_one(statement: Statement, categories: Collection[str], made: dict[str, str]) -> list[Rule] | Unreadable:
    """The rules of a statement of one kind (and a list-price ceiling beside it). A statement that
    looks like a rule (a modal or a percentage, and a kind) but cannot be read is reported."""
    text = statement.text
    blackout = _read_blackout(statement, made)
    if blackout is not None:
        return blackout

    def unreadable(reason: str) -> Unreadable:
        return Unreadable(made["clause"], made["chunk_id"], f"{reason}: {text[:80]!r}")

    looks_like_rule = bool(_MODAL.search(text) or PERCENT.search(text))
    ceiling: list[Rule] = [ListCeiling(**made)] if _ceiling(text) else []
    kinds = _kinds(text)
    if len(kinds) > 1:
        return unreadable(f"two rules in one sentence ({' and '.join(kinds)})")
    if kinds and kinds[0] != "minimum price" and _CONDITION.search(text):
        return unreadable("a rule that holds only for some prices or under a condition")
    kind = kinds[0] if kinds else _heading_kind(text, f"{statement.heading} {statement.label or ''}")
    if kind == "two":
        return unreadable("the heading names two kinds of rule")
    read = _read_kind(kind, statement, categories, made) if kind else None
    if isinstance(read, str):
        return unreadable(read) if looks_like_rule else ceiling
    if read is not None:
        return ceiling + read
    if not ceiling and (PERCENT.search(text) or looks_like_rule and _RULE_WORDS.search(text)):
        return unreadable("no rule this reader knows")
    return ceiling


def _heading_kind(text: str, context: str) -> str | None:
    """The kind a statement takes from its heading when it names none itself ("Snacks: 35%" under
    "Minimum margins"): only for a statement holding a percentage or a price ending."""
    if not (PERCENT.search(text) or _CENTS.search(text) or _DIGIT_ENDING.search(text)):
        return None
    kinds = [k for k in _kinds(context) if k != "ending"] + (["ending"] if _ENDS.search(context) else [])
    if len(kinds) > 1:
        return "two"
    return kinds[0] if kinds else None


def _read_kind(kind: str, statement: Statement, categories: Collection[str],
               made: dict[str, str]) -> list[Rule] | str:
    """The rules of one kind in a statement; a str says why they cannot be read."""
    text = statement.text
    if kind == "minimum price":
        return "a minimum (advertised) price in money, which this reader does not apply"
    if kind == "ending":
        endings = _endings(text)
        if not endings:
            return "no price ending"
        return [PriceEnding(**made, endings=endings, category=c, excluded=e) for c, e in _scopes(statement, categories)]
    if kind == "competitor":
        if _NO_MATCH.search(text):
            return []  # "We do not match competitor prices": no rule, never a 0% match
        share = PERCENT.search(text)
        if share is None and not _MATCH.search(f"{text} {statement.heading}"):
            return "no percentage over the competitor price"
        return [CompetitorMatch(**made, share=float(share.group(1)) / 100 if share else 0.0, category=c, excluded=e)
                for c, e in _scopes(statement, categories)]
    pairs = _shares(statement, categories)
    if kind == "markup":  # a markup of m on cost is a margin of m / (1 + m)
        return "no markup percentage per category" if pairs is None else [
            MinMargin(**made, share=round(share / (1 + share), 6), category=c, excluded=e) for (c, e), share in pairs]
    make = MinMargin if kind == "margin" else MaxDiscount
    if pairs is None:
        return f"no {kind} percentage per category"
    return [make(**made, share=share, category=c, excluded=e) for (c, e), share in pairs]


def _read_blackout(statement: Statement, made: dict[str, str]) -> list[Rule] | Unreadable | None:
    """A blackout (or freeze) with its two dates; None when the statement is none. A statement
    under a blackout heading or saying "no discounts" that holds a date it cannot read (no year,
    day and month that could be either way round) is reported: a dropped blackout is a discount
    the recommender allows."""
    text = statement.text
    said = _BLACKOUT.search(text) or FREEZE.search(text)
    if not (said or _BLACKOUT.search(statement.heading)) or not _DATE_LIKE.search(text):
        if re.search(r"\bblackout", text, re.I) and _MODAL.search(text):
            return Unreadable(made["clause"], made["chunk_id"], f"a blackout needs a start and an end date: {text[:80]!r}")
        return None
    dates = _dates(text)
    if isinstance(dates, str) or len(dates) < 2 or len(dates) < len(_DATE_LIKE.findall(text)):
        why = dates if isinstance(dates, str) else "a blackout needs a start and an end date, each with its year"
        return Unreadable(made["clause"], made["chunk_id"], f"{why}: {text[:80]!r}")
    start, end = sorted(dates[:2])
    return [Blackout(**made, start=start, end=end, freeze=FREEZE.search(text) is not None)]


def _endings(text: str) -> tuple[int, ...]:
    """The cents a price ending allows: ".99", "99 cents", and "end in 9" (the last digit: 09, 19, ..., 99)."""
    cents = {int(a or b) for a, b in _CENTS.findall(text)}
    for m in _DIGIT_ENDING.finditer(text):
        for digits in re.findall(r"\d+", m["digits"]):
            cents |= set(range(int(digits), 100, 10)) if len(digits) == 1 else {int(digits)}
    return tuple(sorted(cents))


def _numeric_dates(text: str) -> list[tuple[int, int, int, int]] | str:
    """(position, year, month, day) of each numeric date. Dotted dates are day first (as written
    where they are used); with slashes or hyphens a day over 12 decides the order for the whole
    statement, and a statement where nothing decides it is a str naming both readings."""
    found = list(_NUMERIC_DATE.finditer(text))
    if not found:
        return []
    ambiguous = [m for m in found if m["a"] and m["sep"] != "." and m["a"] != m["b"]]
    day_first = {int(m["a"]) > 12 for m in ambiguous if max(int(m["a"]), int(m["b"])) > 12}
    if len(day_first) > 1:
        return "numeric dates written both day first and month first"
    if ambiguous and not day_first:
        m = ambiguous[0]
        return (f"numeric date {m.group()} may be day {int(m['a'])} of month {int(m['b'])} or day {int(m['b'])} "
                f"of month {int(m['a'])}")
    first = day_first.pop() if day_first else True
    dates = []
    for m in found:
        if m["y"]:
            dates.append((m.start(), int(m["y"]), int(m["m"]), int(m["d"])))
        else:
            a, b = int(m["a"]), int(m["b"])
            day, month = (a, b) if m["sep"] == "." or first else (b, a)
            dates.append((m.start(), int(m["year"]), month, day))
    return dates


def _dates(text: str) -> list[date] | str:
    """The dates a sentence names, in order, as policies write them: ISO, "20 December 2026",
    "December 20, 2026", numeric ones (`_numeric_dates`), and ranges that say the month or year
    once ("23-29 November 2026", "from 23 November to 6 December 2026", "Dec 20 - Jan 2, 2027": a
    start borrows the end's month and year, and a year earlier when it would otherwise fall after
    the end); a str when the text's numeric dates cannot be read."""
    numeric = _numeric_dates(text)
    if isinstance(numeric, str):
        return numeric
    taken: list[tuple[int, int]] = [m.span() for m in _NUMERIC_DATE.finditer(text)]
    found: list[tuple[int, int | None, int | None, int]] = list(numeric)  # (position, year, month, day)
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


Scope = tuple[str | None, tuple[str, ...]]  # (the category, or None for every category but the excluded ones)
_OTHER = re.compile(r"\b(?:other|remaining|otherwise|default|rest)\b", re.I)


def _scopes(statement: Statement, categories: Collection[str]) -> list[Scope]:
    """Whom a statement's rule is for: a row's or line's label, else each category the statement
    names, else every category. Categories named after "except", "other than", ... are never in
    scope; "all other categories" excludes the categories the statement (or its table) names."""
    text = statement.text
    cut = _EXCEPT.search(text)
    mentions = _mentions(text, categories)
    excepted = tuple(c for p, c in mentions if c and cut and p > cut.start())
    named = [c for p, c in mentions if not cut or p < cut.start()]
    if statement.label and not _ALL.search(statement.label):
        named = [_category(statement.label, categories)]
    if not named:
        return [(None, excepted)]
    rest = excepted
    if _OTHER.search(statement.label or text):
        rest += tuple(c for c in named if c) + tuple(c for o in statement.others if (c := _category(o, categories)))
    return [(c, () if c else tuple(dict.fromkeys(rest))) for c in named]


def _category(label: str, categories: Collection[str]) -> str | None:
    """A row's label as the catalogue spells the category it names (else the label itself:
    then the rule applies to no catalogue category, never to all of them)."""
    if _ALL.search(label) or label.strip().lower() in ("all", "default", "any"):
        return None
    named = [c for c in categories if re.search(rf"\b{re.escape(c)}\b", label, re.I)]
    return named[0] if len(named) == 1 else label.strip()


def _shares(statement: Statement, categories: Collection[str]) -> list[tuple[Scope, float]] | None:
    """(scope, share) pairs: every scope takes the only percentage, or each the percentage after
    it ("Beverages 25%, Snacks 35%"); None when the statement cannot be paired."""
    shares = [float(m.group(1)) / 100 for m in PERCENT.finditer(statement.text)]
    if not shares:
        return None
    scopes = _scopes(statement, categories)
    if len(shares) == 1:
        return [(scope, shares[0]) for scope in scopes]
    return list(zip(scopes, shares)) if len(scopes) == len(shares) else None

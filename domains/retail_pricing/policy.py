"""Pricing and promotion policy clauses, parsed from retrieved chunks into typed rules.

Why typed rules: a price recommender that reads policy prose through an LLM can be talked into
anything; one that reads it into `MinMargin(category, 0.30)` can be tested, and every price it
considers is checked against every rule (`allows`), so a recommended price that breaks a
retrieved rule cannot be produced. Each rule keeps its clause id, the chunk it was read from
and the sentence, so a result names the clause that bound it and cites the chunk.

Clauses are written one per paragraph as `Clause <ID> — <title>: <sentence>` ("Section" or "Rule"
for "Clause", and "3" or "4.2" for an id like "PP-3" work too); the title says the kind, in one of
the names of `KIND_NAMES` ("Minimum margin", "Margin floor", ...), and the category it is limited
to after a comma or in parentheses. A clause whose title is known but whose sentence cannot be
read (cut by a chunk boundary, reworded) is reported, never guessed.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from rightsized.pipelines.stores.base import SearchHit

EPS = 1e-9

_HEAD = re.compile(r"(?:Clause|Section|Rule)\s+(?P<id>(?:[A-Z]{1,4}-)?\d+(?:\.\d+)*)\s*(?:[\u2014\u2013-]+|\.)?\s*"
                   r"(?P<title>[A-Za-z][^:\n]*?):")
# The kinds of rule, each under the names policies give it (matched case-insensitively).
KIND_NAMES: dict[str, tuple[str, ...]] = {
    "minimum margin": ("minimum margin", "min margin", "minimum gross margin", "margin floor"),
    "maximum discount": ("maximum discount", "max discount", "discount limit", "discount cap", "maximum markdown"),
    "list price ceiling": ("list price ceiling", "price ceiling", "list price cap"),
    "competitor price matching": ("competitor price matching", "competitor price match", "competitor matching",
                                  "price matching"),
    "price endings": ("price endings", "price ending", "price ending conventions", "price-ending conventions"),
    "blackout period": ("blackout period", "blackout periods", "blackout", "promotion blackout", "discount blackout"),
}
_KIND_OF = {name: kind for kind, names in KIND_NAMES.items() for name in names}
_TITLE = re.compile(r"^(?P<kind>[^,(]+?)\s*(?:,\s*(?P<after_comma>[^()]+?)|\((?P<in_brackets>[^)]+)\))?\s*$")
_SENTENCE_END = re.compile(r"\.(?=\s|$)")  # not the dot of ".99" or "2.5"
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per ?cent|pct\b)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A blackout that forbids any change, not only discounts: "no price changes between ...", "prices are frozen".
FREEZE = re.compile(r"\bno (?:price )?(?:changes?|repricing)\b|\bprices? (?:are |is )?(?:frozen|unchanged)\b|\bfreeze\b|"
                     r"\bprice changes? (?:are |is )?(?:not allowed|not permitted|prohibited|forbidden)\b|"
                     r"\bprices? (?:must|may|shall|will) not (?:be )?change", re.I)
_ENDING = re.compile(r"\.(\d{2})\b")


@dataclass(frozen=True)
class PriceContext:
    """What a rule is checked against: the product, the latest competitor price, the date."""

    category: str
    cost: float
    list_price: float
    competitor_price: float | None
    as_of: date
    current_price: float | None = None  # what the store charges now: a price freeze keeps it


@dataclass(frozen=True)
class Rule:
    clause: str
    chunk_id: str
    text: str

    @property
    def kind(self) -> str:
        return type(self).__name__

    def applies(self, ctx: PriceContext) -> bool:
        return True

    def allows(self, price: float, ctx: PriceContext) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


def _same(category: str | None, other: str) -> bool:
    return category is None or category.strip().lower() == other.strip().lower()


def _in_scope(category: str | None, excluded: tuple[str, ...], other: str) -> bool:
    """Whether a rule for `category` (None: every category but `excluded`) covers `other`. Why
    `excluded`: "10% at most, except Beverages" and "all other categories 30%" are rules for every
    category the sentence (or table) does not name, not for every category."""
    return _same(category, other) and not any(_same(e, other) for e in excluded)


def _scope(category: str | None, excluded: tuple[str, ...]) -> str:
    if category:
        return f" ({category})"
    return f" (all but {', '.join(excluded)})" if excluded else ""


@dataclass(frozen=True)
class MinMargin(Rule):
    """(price - cost) / price >= share."""

    share: float
    category: str | None = None
    excluded: tuple[str, ...] = ()

    def applies(self, ctx: PriceContext) -> bool:
        return _in_scope(self.category, self.excluded, ctx.category)

    def allows(self, price: float, ctx: PriceContext) -> bool:
        return price > 0 and (price - ctx.cost) / price >= self.share - EPS

    def describe(self) -> str:
        return f"margin at least {self.share:.0%}" + _scope(self.category, self.excluded)


@dataclass(frozen=True)
class MaxDiscount(Rule):
    """price >= list price x (1 - share)."""

    share: float
    category: str | None = None
    excluded: tuple[str, ...] = ()

    def applies(self, ctx: PriceContext) -> bool:
        return _in_scope(self.category, self.excluded, ctx.category)

    def allows(self, price: float, ctx: PriceContext) -> bool:
        return price >= ctx.list_price * (1 - self.share) - EPS

    def describe(self) -> str:
        return f"at most {self.share:.0%} below list price" + _scope(self.category, self.excluded)


@dataclass(frozen=True)
class ListCeiling(Rule):
    """price <= list price."""

    def allows(self, price: float, ctx: PriceContext) -> bool:
        return price <= ctx.list_price + EPS

    def describe(self) -> str:
        return "not above list price"


@dataclass(frozen=True)
class CompetitorMatch(Rule):
    """price <= latest competitor price x (1 + share); applies when a competitor price is known
    (and to `category` alone when one is named: "Beverages are price-matched ...")."""

    share: float
    category: str | None = None
    excluded: tuple[str, ...] = ()

    def applies(self, ctx: PriceContext) -> bool:
        known = ctx.competitor_price is not None and not math.isnan(ctx.competitor_price)
        return known and _in_scope(self.category, self.excluded, ctx.category)

    def allows(self, price: float, ctx: PriceContext) -> bool:
        if not self.applies(ctx):
            return True
        return price <= ctx.competitor_price * (1 + self.share) + EPS  # type: ignore[operator]

    def describe(self) -> str:
        return f"at most {self.share:.0%} above the competitor price" + _scope(self.category, self.excluded)


@dataclass(frozen=True)
class PriceEnding(Rule):
    """The cents of the price are one of `endings` (e.g. (99,) for .99)."""

    endings: tuple[int, ...]
    category: str | None = None
    excluded: tuple[str, ...] = ()

    def applies(self, ctx: PriceContext) -> bool:
        return _in_scope(self.category, self.excluded, ctx.category)

    def allows(self, price: float, ctx: PriceContext) -> bool:
        return round(price * 100) % 100 in self.endings

    def describe(self) -> str:
        return "ends in " + " or ".join(f".{e:02d}" for e in self.endings) + _scope(self.category, self.excluded)


@dataclass(frozen=True)
class Blackout(Rule):
    """Between `start` and `end` (inclusive) no discount below list price: price >= list price.
    A freeze ("no price changes between ...") is stricter: the price stays what it is now, and
    with the current price unknown no price is allowed."""

    start: date
    end: date
    freeze: bool = False

    def applies(self, ctx: PriceContext) -> bool:
        return self.start <= ctx.as_of <= self.end

    def allows(self, price: float, ctx: PriceContext) -> bool:
        if self.freeze:
            return ctx.current_price is not None and abs(price - ctx.current_price) <= EPS
        return price >= ctx.list_price - EPS

    def describe(self) -> str:
        what = "no price change (the current price stays)" if self.freeze else "no discount"
        return f"{what} from {self.start} to {self.end}"


@dataclass(frozen=True)
class Unreadable:
    """A clause whose title names a rule kind but whose sentence could not be read."""

    clause: str
    chunk_id: str
    reason: str


def _kind_and_category(title: str) -> tuple[str | None, str | None]:
    """("minimum margin", "Snacks") from "Minimum margin, Snacks" or "Margin floor (Snacks)"."""
    found = _TITLE.match(" ".join(title.split()))
    if not found:
        return None, None
    category = (found["after_comma"] or found["in_brackets"] or "").strip()
    kind = _KIND_OF.get(found["kind"].strip().lower())
    return kind, category if category and category.lower() not in ("all categories", "all") else None


def _share(body: str) -> float | None:
    found = PERCENT.search(body)
    return float(found.group(1)) / 100 if found else None


def parse_clause(clause: str, title: str, body: str, chunk_id: str) -> Rule | Unreadable | None:
    """One clause -> a typed rule; None when the title names no rule kind (scope, ownership)."""
    kind, category = _kind_and_category(title)
    text = " ".join(f"Clause {clause} — {title}: {body}".split())
    body = " ".join(body.split())
    share = _share(body)
    if kind == "minimum margin":
        return MinMargin(clause, chunk_id, text, share, category) if share is not None and "margin" in body \
            else Unreadable(clause, chunk_id, "no margin percentage in the clause")
    if kind == "maximum discount":
        return MaxDiscount(clause, chunk_id, text, share, category) if share is not None and "below" in body \
            else Unreadable(clause, chunk_id, "no discount percentage in the clause")
    if kind == "list price ceiling":
        return ListCeiling(clause, chunk_id, text) if "exceed" in body and "list price" in body \
            else Unreadable(clause, chunk_id, "the ceiling sentence is incomplete")
    if kind == "competitor price matching":
        return CompetitorMatch(clause, chunk_id, text, share) if share is not None and "competitor" in body \
            else Unreadable(clause, chunk_id, "no percentage over the competitor price in the clause")
    if kind == "price endings":
        endings = tuple(sorted({int(e) for e in _ENDING.findall(body)}))
        return PriceEnding(clause, chunk_id, text, endings, category) if endings and body.rstrip().endswith(".") \
            else Unreadable(clause, chunk_id, "no price ending in the clause")
    if kind == "blackout period":
        dates = _DATE.findall(body)
        if len(dates) >= 2:
            start, end = sorted(date.fromisoformat(d) for d in dates[:2])
            return Blackout(clause, chunk_id, text, start, end, freeze=FREEZE.search(body) is not None)
        return Unreadable(clause, chunk_id, "the blackout period needs a start and an end date")
    return None


@dataclass(frozen=True)
class PolicyReading:
    rules: tuple[Rule, ...]
    unreadable: tuple[Unreadable, ...]


def clause_blocks(text: str) -> Iterator[tuple[re.Match[str], str | None, int]]:
    """Each `Clause <ID> — <title>:` head in a text with its sentence (None when the text ends
    before the sentence does) and where the block ends (after the sentence, or at the next head
    or the end of the text when it is cut)."""
    heads = list(_HEAD.finditer(text))
    for head, following in zip(heads, [*heads[1:], None]):
        stop = following.start() if following else len(text)
        end = _SENTENCE_END.search(text, head.end(), stop)
        yield head, None if end is None else text[head.end():end.end()], stop if end is None else end.end()


def without_clauses(text: str) -> str:
    """The text with every clause-form block blanked out: what is left is prose for
    `policy_prose`, which must not read a clause a second time (or a cut one at all)."""
    for head, _, stop in clause_blocks(text):
        text = text[:head.start()] + " " * (stop - head.start()) + text[stop:]
    return text


def parse_policy(hits: list[SearchHit]) -> PolicyReading:
    """Every rule in the retrieved chunks, one per clause id. Overlapping chunks repeat clauses:
    the first chunk (in retrieval order) that reads a clause completely wins; a clause no chunk
    reads completely is reported as unreadable."""
    rules: dict[str, Rule] = {}
    problems: dict[str, Unreadable] = {}
    for hit in hits:
        for head, body, _ in clause_blocks(hit.text):
            clause = head["id"]
            if body is None:
                problems.setdefault(clause, Unreadable(clause, hit.chunk_id, "the clause is cut off in this chunk"))
                continue
            parsed = parse_clause(clause, head["title"].strip(), body, hit.chunk_id)
            if isinstance(parsed, Rule) and clause not in rules:
                rules[clause] = parsed
            elif isinstance(parsed, Unreadable):
                problems.setdefault(clause, parsed)
    return PolicyReading(tuple(rules[c] for c in sorted(rules)),
                         tuple(p for c, p in sorted(problems.items()) if c not in rules))

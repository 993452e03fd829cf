"""Catalogue and policy questions answered from retrieved chunks, with the chunk that says so.

Why extraction first: a price, a supplier or a pack size has one right answer, written in the
price list; reading it from the retrieved record is exact and cites that chunk. Policy questions
are answered from the typed rules (`policy_prose.read_policy`). Only when neither finds the answer may
a tier that can "answer" read the chunks itself, and its answer is kept only if it appears
verbatim in a retrieved chunk (else the task abstains and says why).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rightsized.domains.retail_pricing.policy import Blackout, CompetitorMatch, MaxDiscount, MinMargin, PriceEnding
from rightsized.domains.retail_pricing.policy_prose import read_policy
from rightsized.pipelines.stores.base import SearchHit

# Prices are written with cents: a record cut by a chunk boundary inside its list price ("list price
# 9" of 9.52, seen on the Iowa price list) does not match, and the overlapping chunk's whole record is read.
RECORD = re.compile(
    r"(?P<id>[A-Za-z0-9][\w-]*)[ \t]+(?P<name>[^|\n]+?)\s*\|\s*category\s+(?P<category>[^|]+?)\s*\|\s*pack size\s+(?P<pack_size>[^|]+?)"
    r"\s*\|\s*supplier\s+(?P<supplier>[^|]+?)\s*\|\s*cost\s+(?P<cost>\d+\.\d\d)\s*\|\s*list price\s+(?P<list_price>\d+\.\d\d)(?!\d)")
_ITEM_ID = re.compile(r"\b([A-Z]{3}-\d{3})\b|\bitem\s+(?:number\s+)?#?(\d{3,})\b", re.I)
FIELDS = {  # question wording -> record field, most specific first
    "list price": "list_price", "retail price": "list_price", "price": "list_price", "cost": "cost",
    "supplier": "supplier", "vendor": "supplier", "supplies": "supplier", "pack": "pack_size",
    "bottles per case": "pack_size", "category": "category",
}


_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")


@dataclass(frozen=True)
class Answer:
    value: str | None
    chunk_id: str | None
    method: str  # "catalogue", "policy", "llm" or "none"
    reason: str = ""


def _field(question: str) -> str | None:
    lowered = question.lower()
    return next((f for phrase, f in FIELDS.items() if phrase in lowered), None)


_RECORD_END = re.compile(r"list price\s+\d+\.\d\d(?!\d)")


def _pieces(text: str) -> list[str]:
    """The text cut after every list price, so each piece holds at most one record, whose id is the
    piece's first word on the record's line. Why: a chunk that opens with the tail of a record ("98 |
    list price 7.47 89496 Margaritaville ...") let one pattern over the whole text read "47" (or
    "list") as the next record's id and "89496 Margaritaville ..." as its name: 9 of 40 Iowa items
    went unanswered. For the same reason an id and its name share a line (the list's title line
    "... 2012-01-31" is not the first record's id)."""
    ends = [m.end() for m in _RECORD_END.finditer(text)]
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def records(hits: list[SearchHit]) -> list[tuple[dict[str, str], str]]:
    return [({k: " ".join(v.split()) for k, v in m.groupdict().items()}, hit.chunk_id)
            for hit in hits for piece in _pieces(hit.text) if (m := RECORD.search(piece))]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1}


def item_id(question: str) -> str | None:
    """The SKU or item number a question names, if any ("BEV-001", "item 75087")."""
    found = _ITEM_ID.search(question)
    return (found.group(1) or found.group(2)).upper() if found else None


def catalogue_answer(question: str, hits: list[SearchHit]) -> Answer | None:
    field = _field(question)
    found = records(hits)
    if field is None or not found:
        return None
    key = item_id(question)
    if key:
        matches = [(r, c) for r, c in found if r["id"].upper() == key]
    else:  # by name: the record whose name shares the most words with the question
        asked = _words(question)
        scored = sorted(((len(_words(r["name"]) & asked) / max(1, len(_words(r["name"]))), i)
                         for i, (r, _) in enumerate(found)), reverse=True)
        matches = [found[scored[0][1]]] if scored and scored[0][0] >= 0.5 else []
    if not matches:
        return None
    record, chunk_id = matches[0]
    return Answer(record[field], chunk_id, "catalogue")


def policy_answer(question: str, hits: list[SearchHit]) -> Answer | None:
    """A policy value from the typed rules, written in clause form or in the company's own words.
    The categories a policy sentence may name are those of the price-list records retrieved with it
    and the capitalised names in the question ("... for Personal Care items?")."""
    lowered = question.lower()
    named = {m.group() for m in _CAPITALISED.finditer(question.split(" ", 1)[-1])}
    rules = read_policy(hits, {record["category"] for record, _ in records(hits)} | named).rules

    def for_category(kind: type) -> object | None:
        """The category's own rule when the question names one, else the rule for every category
        (not one that excludes the category asked about: "all other categories 30%")."""
        typed = [r for r in rules if isinstance(r, kind)]
        specific = [r for r in typed if getattr(r, "category", None) and r.category.lower() in lowered]
        general = [r for r in typed if not getattr(r, "category", None)
                   and not any(e.lower() in lowered for e in getattr(r, "excluded", ()))]
        return (specific or general or [None])[0]

    rule: object | None = None
    value = None
    if "margin" in lowered:
        rule = for_category(MinMargin)
        value = f"{rule.share * 100:g}%" if rule else None
    elif "discount" in lowered and "blackout" not in lowered:
        rule = for_category(MaxDiscount)
        value = f"{rule.share * 100:g}%" if rule else None
    elif "competitor" in lowered:
        rule = for_category(CompetitorMatch)
        value = f"{rule.share * 100:g}%" if rule else None
    elif "ending" in lowered or "end in" in lowered:
        rule = for_category(PriceEnding)
        value = " or ".join(f".{e:02d}" for e in rule.endings) if rule else None
    elif "blackout" in lowered:
        rule = next((r for r in rules if isinstance(r, Blackout)), None)
        value = f"{rule.start.isoformat()} to {rule.end.isoformat()}" if rule else None
    if rule is None or value is None:
        return None
    return Answer(value, rule.chunk_id, "policy")  # type: ignore[attr-defined]


def verbatim_chunk(answer: str, hits: list[SearchHit]) -> str | None:
    """The first retrieved chunk that contains the answer verbatim (whitespace and case aside)."""
    needle = " ".join(answer.lower().split())
    if len(needle) < 2:
        return None
    return next((h.chunk_id for h in hits if needle in " ".join(h.text.lower().split())), None)


def same_answer(expected: str, given: str | None) -> bool:
    """Numbers compare by value (a % sign aside), text by normalised words."""
    if given is None:
        return False
    def number(text: str) -> float | None:
        try:
            return float(text.strip().rstrip("%").replace(",", ""))
        except ValueError:
            return None
    a, b = number(expected), number(given)
    if a is not None and b is not None:
        return abs(a - b) < 0.005
    return " ".join(expected.lower().split()) == " ".join(given.lower().split())

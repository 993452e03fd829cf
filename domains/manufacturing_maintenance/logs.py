"""Technicians' maintenance notes: normalising their shorthand and finding similar past cases.

Why normalise: "repl brg DE side, chk align" and "replaced drive-end bearing, checked
alignment" are the same repair, but share no word for BM25 and little for an embedder trained
on prose. Notes are normalised token by token: a dictionary of shop-floor abbreviations first,
then a fuzzy match (rapidfuzz) of unknown words against the vocabulary the dictionary and the
manuals use, so "aligment" and "bearng" land on the right word. The store is searched hybrid
(dense + BM25) with the query written both ways (words and their abbreviations), and the
candidates are re-ranked on the normalised text.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

# Shop-floor shorthand -> words (lower case; multi-token keys first).
ABBREVIATIONS: dict[str, str] = {
    "r&r": "remove and replace", "m/c": "machine", "o/temp": "overtemperature", "o/load": "overload",
    "w/": "with", "w/o": "without", "p/n": "part number", "heat exch": "heat exchanger", "surf": "surface",
    "brg": "bearing", "brgs": "bearings", "brng": "bearing", "brngs": "bearings", "repl": "replace",
    "replcd": "replaced", "rplcd": "replaced", "chk": "check", "chkd": "checked", "align": "alignment",
    "vib": "vibration", "vibs": "vibration", "spndl": "spindle", "spdl": "spindle", "de": "drive end",
    "nde": "non drive end", "overtemp": "overtemperature", "hx": "heat exchanger", "clnd": "cleaned",
    "cln": "clean", "flo": "flow", "ctr": "counter", "tl": "tool", "chgd": "changed", "chg": "change",
    "finsh": "finish", "pwr": "power", "drv": "drive", "underv": "undervoltage", "tensnd": "tensioned",
    "doc": "depth of cut", "torq": "torque", "hi": "high", "lo": "low", "ovrstrain": "overstrain",
    "lvl": "level", "rst": "reset", "flt": "fault", "temp": "temperature", "temps": "temperatures",
    "lube": "lubrication", "regreased": "relubricated", "insp": "inspected", "adj": "adjusted",
    "mtr": "motor", "enc": "encoder", "clnt": "coolant", "cool": "coolant", "alm": "alarm", "ok'd": "checked",
    "dt": "temperature difference", "rpm": "rpm", "ins": "insert", "+": "and", "&": "and", "@": "at",
    "e-stop": "emergency stop", "estop": "emergency stop", "e-stops": "emergency stops", "wont": "will not",
    "hyd": "hydraulic", "pneu": "pneumatic", "ovht": "overheat", "lkg": "leaking",
}
VOCABULARY = sorted({
    "bearing", "bearings", "replace", "replaced", "check", "checked", "alignment", "vibration", "spindle",
    "drive", "end", "machine", "overtemperature", "heat", "exchanger", "cleaned", "clean", "coolant", "flow",
    "fan", "counter", "tool", "changed", "insert", "surface", "finish", "chatter", "power", "overload",
    "undervoltage", "belt", "tensioned", "tension", "supply", "voltage", "depth", "cut", "torque", "overstrain",
    "worn", "wear", "level", "reset", "fault", "temperature", "lubrication", "relubricated", "noisy", "noise",
    "whine", "rumble", "rough", "tripped", "trip", "alarm", "reduced", "feed", "broke", "broken", "snapped",
    "heavy", "leak", "leaking", "hose", "clamp", "servo", "encoder", "cable", "axis", "stall", "stalled",
    "blocked", "clogged", "fins", "topped", "low", "high", "rising", "trend", "motor", "grease", "balance",
    "inspected", "adjusted", "fitted", "new", "failed", "dead", "slipping", "door", "interlock", "guard",
})
_TOKEN = re.compile(r"r&r|m/c|o/temp|o/load|w/o|w/|p/n|ok'd|[a-z][a-z0-9]*(?:-[a-z0-9]+)*|\d+(?:\.\d+)?|[+&@]")
_PART = re.compile(r"\b[A-Z]{2,5}-[A-Z0-9]+(?:-[A-Z0-9]+)*\b")


@lru_cache(maxsize=4096)
def _word(token: str) -> str:
    if token in ABBREVIATIONS:
        return ABBREVIATIONS[token]
    if token in VOCABULARY or len(token) < 4 or not token.isalpha():
        return token
    match = process.extractOne(token, VOCABULARY, scorer=fuzz.ratio, score_cutoff=82)
    return match[0] if match else token


def normalise(text: str) -> str:
    """Lower-case words with shorthand expanded and misspellings corrected; part numbers kept."""
    lowered = text.lower().replace("heat exch", "heat-exch")
    words = []
    for token in _TOKEN.findall(lowered):
        words.append("heat exchanger" if token == "heat-exch" else _word(token))
    return " ".join(words)


def part_numbers(text: str) -> list[str]:
    return _PART.findall(text)


STOPWORDS = frozenset("a an the and or of on in at to with for is was were be it this that from by as".split())


def content_words(text: str) -> set[str]:
    return {w for w in normalise(text).split() if w not in STOPWORDS and not w.replace(".", "").isdigit()}


def similarity(query: str, note: str) -> float:
    """0-100: how much of the query's content the note covers, on normalised text."""
    q, n = content_words(query), content_words(note)
    if not q or not n:
        return 0.0
    overlap = len(q & n) / len(q)
    return 100.0 * (0.7 * overlap + 0.3 * fuzz.token_set_ratio(" ".join(sorted(q)), " ".join(sorted(n))) / 100.0)


def expand_query(words: Iterable[str]) -> str:
    """The query in words and in the shorthand that means them, for BM25 over raw notes."""
    reverse: dict[str, list[str]] = {}
    for short, long in ABBREVIATIONS.items():
        if short.isalpha():
            reverse.setdefault(long, []).append(short)
    out: list[str] = []
    for word in words:
        out.append(word)
        out.extend(reverse.get(word, []))
    return " ".join(out)


@dataclass(frozen=True)
class LogEntry:
    """One maintenance-log record as read back from its chunk."""

    entry_id: str
    machine: str
    date: str
    note: str
    action: str = ""  # what was done, when the log keeps it in a column of its own
    model: str = ""  # the machine model, when the log keeps it in a column of its own


_FIELD = re.compile(r"^([^:\n]{1,60}): (.*)$", re.M)
# Column names CMMS exports use for the fields a work order needs (lower-case alphanumerics).
SYNONYMS = {
    "work_order": ("workorder", "wo", "wono", "wonumber", "wonum", "ticket", "ticketno", "orderno"),
    "note": ("note", "notes", "description", "complaint", "problemdescription", "symptom", "issue"),
    "action": ("action", "actiontaken", "correctiveaction", "resolution", "repair", "workdone"),
    "date": ("date", "opened", "reported", "datereported", "created"),
    "machine": ("machine", "machineid", "asset", "assetid", "equipment", "equipmentid"),
    "model": ("model", "machinemodel", "assetmodel", "equipmentmodel"),
}
_CANONICAL = {alias: name for name, aliases in SYNONYMS.items() for alias in aliases}


def record_fields(text: str) -> dict[str, str]:
    """A CSV record's `key: value` lines as the loader renders them, keyed in lower case, with the
    names a plant's export uses ('WO#', 'Description', 'Action Taken') mapped to work_order, note,
    action, date, machine and model (the first of two synonyms wins). A 'Problem' column is the complaint
    when the log has no note column: then it is not a problem-type label."""
    fields: dict[str, str] = {}
    for key, value in _FIELD.findall(text):
        name = _CANONICAL.get(re.sub(r"[^a-z0-9]", "", key.lower()), key.strip().lower())
        fields.setdefault(name, value.strip())
    if "note" not in fields and "problem" in fields:
        fields["note"] = fields.pop("problem")
    return fields


def entry_in(text: str) -> LogEntry | None:
    """The log record a chunk holds (CSV records are ingested one per chunk), or None."""
    fields = record_fields(text)
    if "work_order" not in fields or "note" not in fields:
        return None
    return LogEntry(fields["work_order"], fields.get("machine", ""), fields.get("date", ""), fields["note"],
                    fields.get("action", ""), fields.get("model", ""))

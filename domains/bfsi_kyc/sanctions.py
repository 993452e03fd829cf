"""Sanctions screening for KYC: fuzzy name matching against the OFAC SDN list, with DOB clearing.

Why this shape: an onboarding check must catch a listed person even when the applicant's name is
spelled differently (word order, diacritics, transliteration, a typo, a missing middle name), yet
it must not bury reviewers in alerts. So names are matched generously and the date of birth is
used afterwards to *clear* candidates whose every listed DOB contradicts the applicant's. Cleared
candidates are still returned (status ``cleared_by_dob``) so the caller can log why it moved on.

The list comes in OFAC's legacy flat CSV (``sdn.csv``): no header, 12 positional columns, latin-1,
the null marker ``-0-``, a trailing Ctrl-Z line, and everything interesting (aliases, DOBs,
nationalities) packed into the free-text Remarks column, which is cut at 1,000 characters.
"""
from __future__ import annotations

import csv
import gzip
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

import numpy as np
from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler

from rightsized.pipelines.errors import IngestError

DATA = Path(__file__).parent / "data"
# The complete OFAC SDN list (all 14,965 records of the 2024-05-03 snapshot, gzip-compressed): the
# default screening list. A dated snapshot: point `domains.bfsi_kyc.sanctions_lists` at the live
# list for real use (`rightsized check bfsi_kyc` warns when a list is older than allowed).
BUNDLED_SDN = DATA / "ofac_sdn_2024-05-03.csv.gz"
BUNDLED_SDN_DATE = "2024-05-03"
# 313 verbatim rows of the same snapshot: only the sample-corpus builders pick "listed applicants"
# from it (a stable, small population); screening always uses the configured lists.
CORPUS_EXTRACT = DATA / "sdn_extract.csv"

_N_COLUMNS = 12
_REMARKS_LIMIT = 1000
_NULL = "-0-"
_TYPES = {"individual": "individual", "vessel": "vessel", "aircraft": "aircraft", _NULL: "entity"}

# Letters NFKD does not decompose into ASCII; without this map "Størmer" would lose its "o".
_TRANSLIT = str.maketrans({
    "ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH",
    "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŀ": "l", "Ŀ": "L",
})
# Cyrillic and Greek letters drawn like Latin ones (Unicode's confusables.txt, UTS #39). A word that
# mixes them with Latin letters is a look-alike spelling, deliberate or pasted ("Vlаdimir" with a
# Cyrillic "а"), and reads as the Latin letters it shows; dropped instead, as every non-Latin letter
# once was, it screened a listed person as clear.
_LOOKALIKES = str.maketrans({
    "а": "a", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "к": "k", "о": "o", "р": "p", "с": "c",
    "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "І": "I", "Ї": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Һ": "H",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "α": "a", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "υ": "u", "χ": "x", "γ": "y",
})
_TRANSLITERATED_SCRIPTS = ("CYRILLIC", "GREEK")
_WORD = re.compile(r"\S+")
# Apostrophe-like marks are deleted, not spaced: "Sha'ban" and "Shaban" are the same name, and
# Arabic ayn/hamza transliterations ('Abd, ʿAbd) are routinely dropped by applicants.
_APOSTROPHES = re.compile(r"['`´‘’ʻʼʾʿ]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Titles and generational suffixes that applicants add or omit at will. Kept short on purpose:
# "sheikh"/"shaykh" and "sayyid" are also surnames, so they stay. "haji" is in because Afghan
# listings use it as a title ("NOORZAI, Haji Bashir") that identity documents omit.
HONORIFICS = frozenset({
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "haji", "hajji", "alhaji", "jr", "sr",
    # as German, French, Spanish and Indian bills and statements address their holders
    "herr", "herrn", "frau", "mme", "mlle", "sra", "srta", "shri", "smt",
})

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_DATE = re.compile(r"^(?:(\d{1,2}) )?(?:([A-Za-z]{3})[a-z]* )?(\d{4})$")
_ALIAS = re.compile(r"^[afn]\.k\.a\. (.+)$")
_DOB = re.compile(r"^(?:alt\. )?DOB (.+)$")
_NATIONALITY = re.compile(r"^(?:alt\. )?(?:nationality|citizen) (.+)$")


@dataclass(frozen=True)
class SanctionsEntry:
    """One SDN record, with the aliases, DOBs and nationalities pulled out of its Remarks.

    ``birth_dates`` holds every date the listing allows, as ISO strings at the precision given:
    ``YYYY-MM-DD``, ``YYYY-MM`` (month and year only) or ``YYYY``. Ranges ("1965 to 1967",
    "01 Jan 1960 to 31 Dec 1962") are expanded to each whole year, and "circa 1960" to 1959-1961.
    Widening only ever turns a would-be mismatch into a match, never the reverse, which is the
    safe direction for screening.
    """

    uid: str
    name: str
    entry_type: str
    programs: tuple[str, ...]
    aliases: tuple[str, ...]
    birth_dates: tuple[str, ...]
    nationalities: tuple[str, ...]
    remarks: str
    list_name: str = "OFAC SDN"

    @property
    def all_names(self) -> tuple[str, ...]:
        """Primary name first, then the aliases: every name a screen must match against."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class ScreeningHit:
    """One candidate above the threshold. ``status`` is ``hit`` unless the DOB cleared it.

    ``nationality_status`` is informational only: dual nationality and stale listings make it too
    weak to clear anyone, but it helps a reviewer.
    """

    entry: SanctionsEntry
    matched_name: str
    score: float
    dob_status: str
    status: str
    nationality_status: str


# --- parsing ---------------------------------------------------------------------------------


def _field(value: str) -> str:
    value = value.strip()
    return "" if value == _NULL else value


def _remark_segments(remarks: str) -> list[str]:
    """Split Remarks on ';'. A remark that fills OFAC's 1,000-character limit without its final
    '.' was cut off, so its last segment is partial (e.g. "a.k.a. 'WHOIS HACKIN") and is dropped
    rather than matched as if it were a real alias or date. (999: a cut right after a space
    loses that space to stripping.)"""
    segments = [s.strip() for s in remarks.split(";")]
    if len(remarks) >= _REMARKS_LIMIT - 1 and not remarks.endswith("."):
        segments = segments[:-1]
    return [s.removesuffix(".") if i == len(segments) - 1 else s for i, s in enumerate(segments)]


def _parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    day, month_name, year = m.groups()
    month = _MONTHS.get(month_name.lower()) if month_name else None
    if month_name and month is None:
        return None
    return int(year), month, int(day) if day else None


def _parse_dob(text: str) -> tuple[str, ...] | None:
    """Turn one Remarks DOB value ("10 Dec 1948", "circa 1960", "1965 to 1967", "Mar 1970")
    into ISO strings (see `SanctionsEntry`). Returns None when the text is not a date, so the
    caller can tell an unknown format from a missing DOB."""
    circa = text.startswith("circa ")
    text = text.removeprefix("circa ")
    parsed = [_parse_date(part) for part in re.split(r" to |(?<=\d{4})-(?=\d{4})", text)]
    if len(parsed) > 2 or any(p is None for p in parsed):
        return None
    if len(parsed) == 1 and not circa:
        year, month, day = parsed[0]  # type: ignore[misc]
        if day is not None and month is not None:
            return (f"{year:04d}-{month:02d}-{day:02d}",)
        return (f"{year:04d}-{month:02d}",) if month is not None else (f"{year:04d}",)
    slack = 1 if circa else 0
    first, last = parsed[0][0] - slack, parsed[-1][0] + slack  # type: ignore[index]
    return tuple(str(y) for y in range(first, last + 1))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _entry_from_row(row: list[str], list_name: str) -> SanctionsEntry:
    remarks = _field(row[11])
    aliases: list[str] = []
    dates: list[str] = []
    nationalities: list[str] = []
    for segment in _remark_segments(remarks):
        if m := _ALIAS.match(segment):
            # Quotes are doubled around nicknames (''FOOPIE'') and names may start with an ayn
            # apostrophe (''ABD-AL-'IZ'), so strip all of them at both ends.
            alias = m.group(1).strip().strip("'").strip()
            if alias:
                aliases.append(alias)
        elif m := _DOB.match(segment):
            dates.extend(_parse_dob(m.group(1)) or ())
        elif m := _NATIONALITY.match(segment):
            nationalities.append(m.group(1).strip())
    programs = _field(row[3])
    return SanctionsEntry(
        uid=row[0].strip(),
        name=_field(row[1]),
        entry_type=_TYPES.get(row[2].strip(), row[2].strip()),
        programs=tuple(p.strip() for p in programs.split("] [")) if programs else (),
        aliases=_unique(aliases),
        birth_dates=_unique(dates),
        nationalities=_unique(nationalities),
        remarks=remarks,
        list_name=list_name,
    )


def _open_text(path: Path, encoding: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")


def load_sdn_csv(path: Path, *, list_name: str = "OFAC SDN") -> list[SanctionsEntry]:
    """Read an OFAC legacy flat file: ``sdn.csv`` or the consolidated non-SDN ``cons_prim.csv``
    (same 12 columns), plain or gzip-compressed (``.gz``).

    Raises `IngestError` when the file cannot be read or a record does not have 12 columns:
    a silently skipped row could be exactly the person we were supposed to catch.
    """
    path = Path(path)
    try:
        with _open_text(path, "latin-1") as handle:
            rows = list(csv.reader(handle))
    except (OSError, EOFError, csv.Error) as exc:
        raise IngestError(path, f"cannot read sanctions list: {exc}") from exc
    entries: list[SanctionsEntry] = []
    for line_no, row in enumerate(rows, 1):
        if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
            continue  # blank line or the Ctrl-Z end-of-file marker
        if len(row) != _N_COLUMNS or not row[0].strip().isdigit():
            raise IngestError(path, f"record {line_no}: expected {_N_COLUMNS} columns starting "
                                    f"with a numeric ent_num, got {len(row)}: {row[:2]!r}")
        entries.append(_entry_from_row(row, list_name))
    if not entries:
        raise IngestError(path, "no SDN records found")
    return entries


PLAIN_COLUMNS = ("name", "aliases", "dates_of_birth", "nationality", "list_name")


def load_plain_csv(path: Path, *, list_name: str) -> list[SanctionsEntry]:
    """A list from any other source as a UTF-8 CSV with a header: `name` (required), `aliases`,
    `dates_of_birth` (YYYY-MM-DD, YYYY-MM or YYYY) and `nationality` (each `;`-separated),
    `list_name` (defaults to the configured name). Every row is a person to screen."""
    path = Path(path)
    try:
        with _open_text(path, "utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or "name" not in reader.fieldnames:
                raise IngestError(path, f"a plain sanctions CSV needs a header with 'name' "
                                        f"(columns: {', '.join(PLAIN_COLUMNS)})")
            rows = list(reader)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise IngestError(path, f"cannot read sanctions list: {exc}") from exc
    entries = []
    for line_no, row in enumerate(rows, 2):
        name = (row.get("name") or "").strip()
        if not name:
            raise IngestError(path, f"line {line_no}: empty name")
        dates = _split(row.get("dates_of_birth"))
        if bad := [d for d in dates if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d)]:
            raise IngestError(path, f"line {line_no}: date of birth {bad[0]!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
        source = (row.get("list_name") or "").strip() or list_name
        entries.append(SanctionsEntry(
            uid=f"{source}:{line_no}", name=name, entry_type="individual", programs=(source,),
            aliases=_split(row.get("aliases")), birth_dates=dates, nationalities=_split(row.get("nationality")),
            remarks="", list_name=source))
    if not entries:
        raise IngestError(path, "no records found")
    return entries


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def load_bundled_list() -> list[SanctionsEntry]:
    """The complete OFAC SDN list shipped with rightsized (snapshot `BUNDLED_SDN_DATE`, public
    domain, see SDN_ATTRIBUTION.md). Dated: real screening should point at the live list."""
    return load_sdn_csv(BUNDLED_SDN)


def load_corpus_extract() -> list[SanctionsEntry]:
    """The 313-row extract the sample-corpus builders draw listed applicants from."""
    return load_sdn_csv(CORPUS_EXTRACT)


# --- names -----------------------------------------------------------------------------------


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def _latinised(name: str, *, lookalikes: bool = False) -> str:
    """Cyrillic and Greek letters in Latin: a word mixing them with Latin letters by the Latin
    letters they look like (`_LOOKALIKES`), a word in those scripts alone by transliteration
    ("Путин" -> "Putin"; with `lookalikes`, by look-alikes too, as a second spelling to screen).
    Other scripts are left for `normalize_name` to drop: a guessed reading of Arabic without its
    vowels or of a Chinese name's characters would clear listed people."""

    def word(found: re.Match[str]) -> str:
        text = found.group()
        scripts = {_script(c) for c in text if c.isalpha()}
        if not scripts & set(_TRANSLITERATED_SCRIPTS):
            return text
        if lookalikes or "LATIN" in scripts:
            text = text.translate(_LOOKALIKES)
        return "".join(anyascii(c) if _script(c) in _TRANSLITERATED_SCRIPTS else c for c in text)

    return name if name.isascii() else _WORD.sub(word, name)


def unread_letters(name: str) -> list[str]:
    """The letters of `name` that screening drops: scripts other than Latin, Cyrillic and Greek.
    (A Cyrillic soft sign is read, as nothing, like an apostrophe: it is not unread.)"""
    return sorted({c for c in name if c.isalpha() and _script(c) not in _TRANSLITERATED_SCRIPTS
                   and not normalize_name(c, person=False)})


def normalize_name(name: str, *, person: bool = True) -> str:
    """Fold a name to lowercase ASCII words so spelling noise does not count as difference.

    For a person, OFAC's "LAST, First" (and "LAST, First, Jr.") becomes "first last"; entity names
    keep their commas' order ("CIMEX, S.A."). Cyrillic and Greek are read as Latin (`_latinised`);
    other non-Latin scripts are dropped: transliterate them upstream. Titles in `HONORIFICS` are
    removed unless nothing else is left.
    """
    name = _latinised(name)
    if person and "," in name:
        last, *rest = name.split(",")
        name = " ".join([*rest, last])
    folded = unicodedata.normalize("NFKD", name.translate(_TRANSLIT))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = _APOSTROPHES.sub("", folded).encode("ascii", "ignore").decode().lower()
    tokens = _NON_ALNUM.sub(" ", folded).split()
    kept = [t for t in tokens if t not in HONORIFICS]
    return " ".join(kept or tokens)


# Arabic articles and name-forming particles that documents write joined or apart ("AL-AKHRAS",
# "AL AKHRAS", "ALAKHRAS"; "Abd al-Rahman", "Abdalrahman"): glued to the next word in one extra form.
_PARTICLES = frozenset({"al", "el", "ul", "ad", "ud", "ar", "as", "ash", "at", "az", "abd", "abdel", "abdul",
                        "abu", "bin", "ben", "ibn", "bint", "ould"})
# Common given-name transliterations folded to one spelling in one extra form (documents, not the
# list, decide the spelling: an Egyptian passport says MOHAMED, the listing Muhammad).
_NAME_VARIANTS = {v: canon for canon, variants in {
    "muhammad": ("mohammed", "mohammad", "mohamed", "mohamad", "muhammed", "muhamad", "muhamed", "mohammod",
                 "mohamud", "mehmet", "mehmed"),
    "husayn": ("hussein", "husein", "hussain", "husain", "hossein", "hosein", "hussien"),
    "hasan": ("hassan",), "ahmad": ("ahmed",), "yusuf": ("youssef", "yousef", "yusef", "yousif", "yossef"),
    "abdullah": ("abdallah", "abdulla"), "khalid": ("khaled",), "umar": ("omar",), "usama": ("osama",),
    "mahmud": ("mahmoud",), "mustafa": ("mostafa", "mustapha"), "said": ("saeed", "saeid", "saied"),
    "ibrahim": ("ebrahim",), "nasir": ("nasser", "naser"), "evgeny": ("yevgeniy", "evgeniy", "yevgeny", "evgenii"),
    "sergey": ("sergei",), "aleksandr": ("alexander", "aleksander", "alexandr"),
    "aleksey": ("alexei", "alexey", "aleksei"), "dmitry": ("dmitriy", "dmitri"), "yury": ("yuriy", "yuri", "iurii"),
}.items() for v in (canon, *variants)}


def _glued(norm: str) -> str:
    out: list[str] = []
    prefix = ""
    for token in norm.split():
        if token in _PARTICLES:
            prefix += token
        else:
            out.append(prefix + token)
            prefix = ""
    if prefix:
        out.append(prefix)
    return " ".join(out)


def name_forms(name: str, *, person: bool = True) -> tuple[str, ...]:
    """The normalised name and the spellings documents use for the same name: hyphenated parts
    joined ("Song-hyok" -> "songhyok"), particles glued ("al akhras" -> "alakhras") and common
    transliterations folded ("mohamed" -> "muhammad"). A screen compares every form of the query
    with every form of each listed name and keeps the best score."""
    base = normalize_name(name, person=person)
    joined = normalize_name(re.sub(r"(?<=[^\W\d_])[-\u2010\u2011](?=[^\W\d_])", "", name), person=person)
    shown = normalize_name(_latinised(name, lookalikes=True), person=person)  # "РАРА" drawn as PAPA
    forms = [base, joined, shown, _glued(base), _glued(joined)]
    forms += [" ".join(_NAME_VARIANTS.get(t, t) for t in f.split()) for f in list(forms)]
    return tuple(dict.fromkeys(f for f in forms if f))


# --- screening -------------------------------------------------------------------------------


def _dob_status(listed: tuple[str, ...], readings: tuple[date, ...]) -> str:
    """'match' if any listed DOB agrees at its own precision with any reading of the applicant's,
    'mismatch' if all contradict every reading: a date written ambiguously (03/12/1985) clears a
    listed person only if neither of its readings is a listed DOB."""
    if not readings or not listed:
        return "unknown"
    applicant = [d.isoformat() for d in readings]
    return "match" if any(a.startswith(d) for a in applicant for d in listed) else "mismatch"


def _nationality_status(listed: tuple[str, ...], nationality: str | None) -> str:
    if not nationality or not listed:
        return "unknown"
    wanted = normalize_name(nationality, person=False)
    return "match" if any(normalize_name(n, person=False) == wanted for n in listed) else "mismatch"


class SanctionsScreener:
    """Screens one applicant name against a pre-normalised index of every listed name and alias.

    Score (0-100) of query q against a listed name c, both normalised, tokens sorted:

        base   = (token_sort_ratio(q, c) + 100 * JaroWinkler(sorted q, sorted c)) / 2
        subset = token_set_ratio(q, c) - 30 * (1 - min(nq, nc) / max(nq, nc))
                 only when both names have >= 2 distinct tokens, else 0
                 (nq, nc = distinct token counts, as token_set_ratio works on sets)
        score  = max(base, subset)

    `base` is order-insensitive edit similarity; Jaro-Winkler rewards the shared prefixes typical
    of transliteration variants (Mohammed/Muhammad) and forgives single typos. `subset` lets a
    missing middle name through ("Oscar Jasso Rocha" vs "Oscar Arturo Jasso Rocha" = 92.5) while
    charging for each token the shorter name lacks, so "Ali" alone never matches "Ali Hassan
    Mohammed" and "Jose Garcia" does not match "Jose Luis Garcia Lopez" (= 85).

    Speed: all names are normalised, token-sorted and put in a token -> names index once. Per
    query, the cheap prefilter is one vectorised `rapidfuzz.process.cdist` of the plain ratio on
    token-sorted strings over the whole index (cut off at 2 * threshold - 100, below which `base`
    cannot reach the threshold), plus the names sharing an exact token with the query (the only
    ones whose `subset` can differ from the sort ratio). The costlier token-set and
    Jaro-Winkler scorers then run on those few hundred candidates only.
    """

    def __init__(self, entries: Iterable[SanctionsEntry], *, threshold: float = 88.0,
                 individuals_only: bool = True) -> None:
        self.threshold = threshold
        self._entries: list[SanctionsEntry] = []
        owners: list[int] = []
        names: list[str] = []
        normalised: list[str] = []
        for entry in entries:
            if individuals_only and entry.entry_type != "individual":
                continue
            person = entry.entry_type == "individual"
            seen: set[str] = set()
            for name in entry.all_names:
                for norm in name_forms(name, person=person):
                    if norm not in seen:
                        seen.add(norm)
                        owners.append(len(self._entries))
                        names.append(name)
                        normalised.append(norm)
            self._entries.append(entry)
        self._owners = np.asarray(owners, dtype=np.int64)
        self._names = names
        self._normalised = normalised
        self._sorted = [" ".join(sorted(n.split())) for n in normalised]
        self._n_tokens = np.asarray([len(set(n.split())) for n in normalised], dtype=np.float64)
        postings: dict[str, list[int]] = {}
        for index, norm in enumerate(normalised):
            for token in set(norm.split()):
                postings.setdefault(token, []).append(index)
        self._postings = {t: np.asarray(ids, dtype=np.int64) for t, ids in postings.items()}

    def __len__(self) -> int:
        """Number of indexed names (primary names plus distinct aliases)."""
        return len(self._names)

    def _scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (indices, scores) of indexed names scoring at least the threshold."""
        tokens = set(query.split())
        q_sorted = " ".join(sorted(query.split()))
        nq = float(len(tokens))
        # base >= threshold needs token_sort >= 2*threshold - 100, since Jaro-Winkler <= 100.
        token_sort = process.cdist([q_sorted], self._sorted, scorer=fuzz.ratio,
                                   score_cutoff=max(0.0, 2 * self.threshold - 100),
                                   dtype=np.float32)[0]
        by_sort = np.flatnonzero(token_sort)
        # The subset score needs a shared token (with none, token_set_ratio is the sort ratio).
        shared = [self._postings[t] for t in tokens if t in self._postings]
        by_token = np.unique(np.concatenate(shared)) if nq >= 2 and shared else by_sort[:0]
        by_token = by_token[self._n_tokens[by_token] >= 2]
        candidates = np.union1d(by_sort, by_token)
        if candidates.size == 0:
            return candidates, np.empty(0)
        subset = np.zeros(candidates.size)
        if by_token.size:
            token_set = process.cdist([query], [self._normalised[i] for i in by_token],
                                      scorer=fuzz.token_set_ratio, dtype=np.float32)[0]
            nc = self._n_tokens[by_token]
            coverage = np.minimum(nq, nc) / np.maximum(nq, nc)
            subset[np.searchsorted(candidates, by_token)] = token_set - 30 * (1 - coverage)
        jaro = process.cdist([q_sorted], [self._sorted[i] for i in candidates],
                             scorer=JaroWinkler.normalized_similarity, dtype=np.float32)[0]
        scores = np.maximum((token_sort[candidates] + 100 * jaro) / 2, subset)
        keep = scores >= self.threshold
        return candidates[keep], scores[keep]

    def screen(self, name: str, birth_date: date | Sequence[date] | None = None,
               nationality: str | None = None) -> list[ScreeningHit]:
        """All listed persons whose best-matching name scores >= threshold, best first.

        Both real hits and ``cleared_by_dob`` candidates are returned; the caller decides what
        to show. A DOB can only clear, never create, a hit. `birth_date` may be every reading of
        an ambiguously written date: a candidate is cleared only when all of them contradict it.
        """
        readings = (birth_date,) if isinstance(birth_date, date) else tuple(birth_date or ())
        best: dict[int, tuple[float, int]] = {}
        for query in name_forms(name):
            indices, scores = self._scores(query)
            for index, score in zip(indices.tolist(), scores.tolist(), strict=True):
                owner = int(self._owners[index])
                if owner not in best or score > best[owner][0]:
                    best[owner] = (score, index)
        hits = []
        for owner, (score, index) in best.items():
            entry = self._entries[owner]
            dob = _dob_status(entry.birth_dates, readings)
            hits.append(ScreeningHit(
                entry=entry, matched_name=self._names[index], score=round(min(score, 100.0), 2),
                dob_status=dob, status="cleared_by_dob" if dob == "mismatch" else "hit",
                nationality_status=_nationality_status(entry.nationalities, nationality)))
        return sorted(hits, key=lambda h: (-h.score, h.entry.uid))

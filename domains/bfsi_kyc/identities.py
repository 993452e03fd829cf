"""Every identity a packet names, screened; identity documents that disagree, caught.

Why: a hostile applicant added a second, valid passport of another person to the packet of a
listed person. That document silently replaced the genuine one, screening passed and the
decision moved from reject to approve. So: each identity document is read on its own (none
replaces another), every name found anywhere in the packet — each identity document's visual
zone and MRZ, the application form, the account holder on the proof of address — is screened,
and identity documents of different people fail a consistency check.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from rightsized.pipelines.stores.base import SearchHit

from rightsized.domains.bfsi_kyc.dates import WrittenDate, read_date
from rightsized.domains.bfsi_kyc.extract import MrzFound, find_mrz_in, labelled_value
from rightsized.domains.bfsi_kyc.models import Check
from rightsized.domains.bfsi_kyc.sanctions import SanctionsScreener, normalize_name

NAME_MATCH = 90.0  # token-sort similarity of normalised names


def names_match(a: str, b: str) -> bool:
    """The same name as two documents write it: similar spelling (token sort), the same words
    where one document gives a middle name as its initial ("Jane M. Doe", "Jane Marie Doe"), or
    one that leaves middle names out ("Maria Lopez", "Maria Elena Lopez"); at least two whole
    words must agree (two initials and a surname could be anyone's). Only document consistency
    uses this: sanctions screening scores names on its own (`sanctions.py`)."""
    first, second = normalize_name(a), normalize_name(b)
    if fuzz.token_sort_ratio(first, second) >= NAME_MATCH:
        return True
    words, others = first.split(), second.split()
    if len(words) != len(others):
        return _omits_middle_names(words, others) or _omits_middle_names(others, words)
    whole = _paired_words(words, others, initials_either_side=True)
    return whole is not None and whole >= 2


def _omits_middle_names(short: list[str], full: list[str]) -> bool:
    """Whether `short` is `full` without some of its middle names: forms and licences often drop
    them. The first and last words must be the same whole words (a different given name or
    surname is someone else), and the rest of `short` must be `full`'s middle words, in order."""
    if not 2 <= len(short) < len(full) or short[0] != full[0] or short[-1] != full[-1]:
        return False
    if min(len(short[0]), len(short[-1])) < 2:
        return False
    middle = iter(full[1:-1])
    return all(word in middle for word in short[1:-1])  # `in` consumes `middle`: a subsequence, in order


def _paired_words(held: list[str], words: list[str], *, initials_either_side: bool) -> int | None:
    """Pairs every word of `held` with a distinct word of `words`: the same word, or an initial of
    `held` standing for it (with `initials_either_side`, also an initial of `words` standing for a
    word of `held`). The number of whole words paired, or None when a word finds no partner."""
    rest, whole = list(words), 0
    for word in sorted(held, key=len, reverse=True):  # whole words first, then initials
        pick = next((w for w in rest if w == word), None)
        if pick is not None:
            whole += len(word) > 1
        else:
            pick = next((w for w in rest if (len(word) == 1 and w[0] == word)
                         or (initials_either_side and len(w) == 1 and word[0] == w)), None)
        if pick is None:
            return None
        rest.remove(pick)
    return whole


# Joint holders on a statement or bill: "MR ALI HASSAN & MRS FATIMA HASSAN", "J Smith and K Smith",
# "A Khan / S Khan"; "c/o" (care of) names where the post goes, not a second holder.
_JOINT = re.compile(r"\s*(?:&|\+|(?<!\bc)/(?!o\b)|\band\b)\s*", re.I)


def holder_names(value: str) -> list[str]:
    """Each holder named on a proof of address (joint accounts name two or more)."""
    return [part.strip() for part in _JOINT.split(value) if any(c.isalpha() for c in part)]


def same_person(holder: str, name: str) -> bool:
    """Whether a holder line can be the named person as banks and utilities shorten names: the
    same name (`names_match`), or every word of the holder either a word of the name or the
    initial of a distinct one, with at least one whole word ("Mr A Hassan", "HASSAN A" for Ali Hassan)."""
    if names_match(holder, name):
        return True
    whole = _paired_words(normalize_name(holder).split(), normalize_name(name).split(), initials_either_side=False)
    return whole is not None and whole >= 1


@dataclass(frozen=True)
class IdentityDocument:
    """One identity document's own reading: never merged with another document's."""

    doc_id: str
    hits: tuple[SearchHit, ...]
    mrz: MrzFound
    name: str | None
    printed_birth_date: WrittenDate | None  # resolved by the document's own MRZ when ambiguous
    name_chunks: tuple[str, ...]

    @property
    def birth_date(self) -> WrittenDate | None:
        """The printed DOB, else the MRZ's."""
        return self.printed_birth_date or mrz_birth_date(self.mrz)


@dataclass(frozen=True)
class NameClaim:
    """A name the packet puts forward, where it was found, and the DOB that goes with it."""

    source: str
    name: str
    birth_date: WrittenDate | None
    chunk_ids: tuple[str, ...]


def identity_documents(hits: Sequence[SearchHit]) -> list[IdentityDocument]:
    """The identity hits grouped by document, in document-id order (a stable, content-free order:
    which document comes first never depends on how well an attacker's file ranks)."""
    by_doc: dict[str, list[SearchHit]] = {}
    for hit in hits:
        by_doc.setdefault(str(hit.metadata.get("doc_id", "")), []).append(hit)
    documents = []
    for doc_id in sorted(by_doc):
        doc_hits = sorted(by_doc[doc_id], key=lambda h: int(h.metadata.get("position", 0)))
        surname, given = labelled_value(doc_hits, "surname"), labelled_value(doc_hits, "given_names")
        mrz = find_mrz_in(doc_hits)
        name, chunks = None, ()
        if surname and given:
            name, chunks = f"{given.value} {surname.value}".title(), tuple(sorted({surname.chunk_id, given.chunk_id}))
        elif mrz.trusted is not None:
            name, chunks = mrz.trusted.full_name.title(), mrz.chunk_ids
        dob_found = labelled_value(doc_hits, "date_of_birth")
        dob = _read_printed_date(dob_found.value, doc_id, mrz) if dob_found else None
        documents.append(IdentityDocument(doc_id, tuple(doc_hits), mrz, name, dob, chunks))
    return documents


def mrz_birth_date(mrz: MrzFound) -> WrittenDate | None:
    """The MRZ's DOB, if the MRZ passed its checks (`MrzFound.trusted`): a misread or altered
    date must neither clear a listed name nor settle how a printed date is read."""
    iso = mrz.trusted.birth_date_iso if mrz.trusted is not None else None
    return WrittenDate.known(date.fromisoformat(iso)) if iso else None


def _read_printed_date(written: str, doc_id: str, mrz: MrzFound) -> WrittenDate | None:
    """An identity document's printed DOB, an ambiguous writing resolved by the document's own
    MRZ first: a page and its MRZ describe one person, so the MRZ can never be outvoted there."""
    dob, mrz_dob = read_date(written), mrz_birth_date(mrz)
    if dob is None or mrz_dob is None:
        return dob
    return dob.resolved([(f"the MRZ of {doc_id}", mrz_dob)])


def birth_date_evidence(documents: Sequence[IdentityDocument], name: str | None) -> list[tuple[str, WrittenDate]]:
    """The DOBs that may settle how an ambiguous DOB of `name` is read (`WrittenDate.resolved`),
    and where they are written: the MRZ, then the printed date, of each identity document that
    names that person. Neither the application form (the applicant's own say: a form writing
    1985-12-03 beside a licence's 03/12/1985 would pick the reading a listing born 1985-03-12
    misses) nor a document of someone else added to the packet may settle it; nor, with no name
    to compare, any document."""
    same = [d for d in documents if name and d.name and names_match(d.name, name)]
    evidence = [(f"the MRZ of {d.doc_id}", dob) for d in same if (dob := mrz_birth_date(d.mrz))]
    return evidence + [(f"identity document {d.doc_id}", dob) for d in same if (dob := d.printed_birth_date)]


def printed_birth_date(documents: Sequence[IdentityDocument]) -> WrittenDate | None:
    """The DOB printed on the first identity document (the one `KycDecision` extracts fields
    from), an ambiguous writing read as the identity documents of the same person say."""
    printed = documents[0].printed_birth_date if documents else None
    return printed.resolved(birth_date_evidence(documents, documents[0].name)) if printed else None


def name_claims(documents: Sequence[IdentityDocument], form: Sequence[SearchHit],
                proof_of_address: Sequence[SearchHit], applicant_dob: WrittenDate | None) -> list[NameClaim]:
    """Every distinct name in the packet with its DOB: the document's own where it states one;
    a name on the proof of address that is the applicant's gets the applicant's DOB, any other
    is screened without one (so a DOB can never clear it). An ambiguously written DOB is read
    as the unambiguous dates of the same person's identity documents say (`birth_date_evidence`),
    else keeps both readings."""

    def dob(written: WrittenDate | None, name: str | None) -> WrittenDate | None:
        return written.resolved(birth_date_evidence(documents, name)) if written else None

    claims: list[NameClaim] = []
    for doc in documents:
        if doc.name:
            claims.append(NameClaim(f"identity document {doc.doc_id}", doc.name, dob(doc.birth_date, doc.name),
                                    doc.name_chunks))
        if doc.mrz.result is not None and doc.mrz.result.full_name:  # screened even if it failed its checks
            claims.append(NameClaim(f"MRZ of {doc.doc_id}", doc.mrz.result.full_name.title(),
                                    mrz_birth_date(doc.mrz) or dob(doc.printed_birth_date, doc.name),
                                    doc.mrz.chunk_ids))
    form_name, form_dob = labelled_value(form, "full_name"), labelled_value(form, "date_of_birth")
    if form_name:
        written = read_date(form_dob.value) if form_dob else None
        claims.append(NameClaim("application form", form_name.value, dob(written, form_name.value),
                                (form_name.chunk_id,)))
    holder = labelled_value(proof_of_address, "full_name")
    if holder:
        own = list(claims)
        for name in holder_names(holder.value):
            same = any(same_person(name, c.name) for c in own)
            claims.append(NameClaim("proof of address", name, applicant_dob if same else None, (holder.chunk_id,)))
    distinct: dict[tuple[str, tuple[date, ...]], NameClaim] = {}
    for claim in claims:
        key = normalize_name(claim.name) or claim.name  # names screening cannot read stay apart
        distinct.setdefault((key, claim.birth_date.readings if claim.birth_date else ()), claim)
    return list(distinct.values())


def identity_consistency_check(documents: Sequence[IdentityDocument]) -> Check:
    if not documents:
        return Check(name="identity_consistency", passed=None, evidence="no identity document found")
    named = [d for d in documents if d.name]
    if len(named) < len(documents):
        unread = ", ".join(d.doc_id for d in documents if not d.name)
        return Check(name="identity_consistency", passed=None, evidence=f"no name readable on {unread}")
    first = named[0]
    others = [d for d in named[1:] if not names_match(first.name or "", d.name or "") or
              (first.birth_date and d.birth_date and not first.birth_date.agrees_with(d.birth_date))]
    chunks = sorted({c for d in named for c in d.name_chunks})
    if others:
        described = "; ".join(f"{d.doc_id} names '{d.name}' born {d.birth_date}" for d in others)
        return Check(name="identity_consistency", passed=False, chunk_ids=chunks,
                     evidence=f"identity documents of different people: {first.doc_id} names '{first.name}' "
                              f"born {first.birth_date}; {described}")
    return Check(name="identity_consistency", passed=True, chunk_ids=chunks,
                 evidence=f"{len(named)} identity document(s), one person")


def sanctions_check(screener: SanctionsScreener, claims: Sequence[NameClaim], nationality: str | None,
                    lists: str) -> Check:
    """Screen every name claim; any real hit fails the check. Candidates cleared by a differing
    DOB stay visible in the evidence."""
    if not claims:
        return Check(name="sanctions_screening", passed=None, evidence="no name to screen")
    chunk_ids = sorted({c for claim in claims for c in claim.chunk_ids})
    hits, cleared = [], []
    for claim in claims:
        readings = claim.birth_date.readings if claim.birth_date else ()
        for hit in screener.screen(claim.name, readings, nationality):
            (hits if hit.status == "hit" else cleared).append((claim, hit))
    if hits:
        claim, top = max(hits, key=lambda pair: pair[1].score)
        return Check(name="sanctions_screening", passed=False, chunk_ids=chunk_ids, evidence=(
            f"{claim.source} name '{claim.name}' matches {top.entry.list_name} entry {top.entry.uid} "
            f"'{top.matched_name}' ({', '.join(top.entry.programs)}) score {top.score:.1f}, DOB {top.dob_status}"
            + _ambiguity_note(claim.birth_date)))
    unread = [claim for claim in claims if not normalize_name(claim.name)]
    if unread:  # e.g. a form filled in Arabic only: that name was not screened at all
        return Check(name="sanctions_screening", passed=None, chunk_ids=chunk_ids, evidence=(
            "not screened, written in a script screening does not read (transliterate it): "
            + "; ".join(f"{claim.source} name '{claim.name}'" for claim in unread)))
    evidence = f"{len(claims)} name(s) in the packet screened against {lists}: no match"
    if cleared:
        claim, top = max(cleared, key=lambda pair: pair[1].score)
        evidence += (f"; similar name '{top.matched_name}' ({top.entry.list_name} {top.entry.uid}, score "
                     f"{top.score:.1f}) cleared: listed DOB {', '.join(top.entry.birth_dates)} differs from "
                     f"{claim.birth_date}")
    return Check(name="sanctions_screening", passed=True, evidence=evidence, chunk_ids=chunk_ids)


def _ambiguity_note(dob: WrittenDate | None) -> str:
    """Why a DOB that looks different still matched: the reviewer must see that the applicant's
    date was ambiguous and which reading agreed with the listing."""
    if dob is None or not dob.ambiguous:
        return ""
    readings = " and as ".join(d.isoformat() for d in dob.readings)
    return (f" (date of birth written {dob.text}, day and month in either order: screened as {readings}; "
            "a listed DOB matching either counts)")

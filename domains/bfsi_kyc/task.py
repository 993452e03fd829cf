"""The KYC task: retrieve -> extract -> check -> decide -> (LLM) rationale, with citations.

Why the numbers never come from the LLM: check digits, expiry, consistency and sanctions hits
are decided by deterministic, tested tools. A tier that can "answer" fills fields the tools left
open and reads unlabelled proof-of-address letters; one that can "compose" drafts the rationale;
what it returns is validated before it is used. The baseline's extractive generator offers
neither, so on that tier those steps are skipped by capability, not by backend name.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from rapidfuzz import fuzz

from rightsized.domains.context import DocumentScope, TaskContext
from rightsized.pipelines.stores.base import SearchHit

from rightsized.domains.bfsi_kyc.dates import WrittenDate, read_date
from rightsized.domains.bfsi_kyc.extract import (
    Found,
    MrzFound,
    address_key,
    find_mrz_in,
    instruction_snippets,
    labelled_value,
)
from rightsized.domains.bfsi_kyc.models import FIELD_NAMES, Check, ExtractedField, KycResult
from rightsized.domains.bfsi_kyc.rationale import template_rationale
from rightsized.domains.bfsi_kyc.reading import draft_rationale, fill_open_fields, read_poa_address
from rightsized.domains.bfsi_kyc.identities import (
    IdentityDocument,
    holder_names,
    identity_consistency_check,
    identity_documents,
    mrz_birth_date,
    name_claims,
    names_match,
    printed_birth_date,
    sanctions_check,
)
from rightsized.domains.bfsi_kyc.lists import LoadedLists

QUERIES = {
    "identity": "passport identity card surname given names date of birth nationality document number expiry machine readable zone",
    "proof_of_address": "account holder name service address correspondence address bill statement date",
    "application": "application full name date of birth nationality residential address document number",
}
ADDRESS_MATCH = 92.0   # addresses differ by a house number or street when they really differ


class KycDecision:
    """Run one applicant packet through a tier's context.

    Usage (the runner builds the context; see `rightsized.domains.runner`):
        result = KycDecision(ctx, scope).run("applicant_001", as_of=date(2026, 6, 1))
        print(result.decision, [c.name for c in result.checks if c.passed is False])
    """

    def __init__(self, ctx: TaskContext, scope: DocumentScope, lists: LoadedLists) -> None:
        self.ctx = ctx
        self.scope = scope
        self.lists = lists
        self.reads = ctx.can("answer")
        self.writes = ctx.can("compose")

    def run(self, packet: str, *, as_of: date) -> KycResult:
        docs = {kind: self._retrieve(kind) for kind in QUERIES}
        identity_docs = identity_documents(docs["identity"])
        primary = list(identity_docs[0].hits) if identity_docs else []
        mrz = identity_docs[0].mrz if identity_docs else find_mrz_in([])
        printed_dob = printed_birth_date(identity_docs)
        expiry = labelled_value(primary, "expiry_date")
        printed_expiry = read_date(expiry.value) if expiry else None  # both readings: `expiry_check`
        fields = self._extract({**docs, "identity": primary}, mrz, printed_dob, printed_expiry)
        warnings = [f"instruction-like text in {doc_id} ignored (documents are data): {snippet!r}"
                    for doc_id, snippet in instruction_snippets([h for hits in docs.values() for h in hits])]
        if self.reads:
            fill_open_fields(self.ctx, fields, docs, warnings)
        poa_address = labelled_value(docs["proof_of_address"], "address")
        if poa_address is None and self.reads and docs["proof_of_address"]:
            poa_address = read_poa_address(self.ctx, docs["proof_of_address"], warnings)
        checks = self._checks(fields, docs, mrz, as_of, poa_address, identity_docs, printed_dob, printed_expiry)
        if self.scope.errors:  # a document nobody read may be the one that names a listed person
            checks.append(unread_documents_check(self.scope))
        decision, reasons = decide(checks)
        rationale = template_rationale(decision, reasons)
        source = "template"
        if self.writes:
            drafted, problem = draft_rationale(self.ctx, checks, decision)
            if drafted:
                rationale, source = drafted, "llm"
            else:
                warnings.append(f"LLM rationale rejected ({problem}); template used")
        citations = sorted({cid for item in [*fields.values(), *checks] for cid in item.chunk_ids})
        return KycResult(
            applicant=packet, as_of=as_of.isoformat(), fields=fields, checks=checks, decision=decision,
            reasons=reasons, rationale=rationale, rationale_source=source, citations=citations, warnings=warnings,
            screened_against=list(self.lists.versions),
        )

    # -- retrieval and extraction -----------------------------------------------------------

    def _retrieve(self, kind: str) -> list[SearchHit]:
        hits = self.ctx.retrieve(QUERIES[kind], scope=self.scope, filters={"doc_type": kind})
        if not hits:  # files whose names did not reveal their type are searched as a fallback
            hits = self.ctx.retrieve(QUERIES[kind], scope=self.scope, filters={"doc_type": "other"})
        return hits

    def _extract(self, docs: dict[str, list[SearchHit]], mrz: MrzFound, printed_dob: WrittenDate | None,
                 printed_expiry: WrittenDate | None) -> dict[str, ExtractedField]:
        identity, form, poa = docs["identity"], docs["application"], docs["proof_of_address"]
        fields = {name: ExtractedField() for name in FIELD_NAMES}
        surname, given = labelled_value(identity, "surname"), labelled_value(identity, "given_names")
        if surname and given:
            fields["full_name"] = ExtractedField(
                value=f"{given.value} {surname.value}".title(), method="viz",
                chunk_ids=sorted({surname.chunk_id, given.chunk_id}))
        dob, expiry = labelled_value(identity, "date_of_birth"), labelled_value(identity, "expiry_date")
        for name, found, parsed in (("date_of_birth", dob, printed_dob.first if printed_dob else None),
                                    ("expiry_date", expiry, printed_expiry.first if printed_expiry else None)):
            if found and parsed:
                fields[name] = ExtractedField(value=parsed.isoformat(), method="viz", chunk_ids=[found.chunk_id])
        for name in ("nationality", "document_number"):
            found = labelled_value(identity, name)
            if found:
                fields[name] = ExtractedField(value=found.value.upper(), method="viz", chunk_ids=[found.chunk_id])
        if (trusted := mrz.trusted) is not None:
            from_mrz = {
                "full_name": trusted.full_name.title(), "date_of_birth": trusted.birth_date_iso,
                "nationality": trusted.nationality, "document_number": trusted.document_number,
                "expiry_date": trusted.expiry_date_iso,
            }
            for name, value in from_mrz.items():
                if fields[name].value is None and value:
                    fields[name] = ExtractedField(value=value, method="mrz", chunk_ids=list(mrz.chunk_ids))
        for name, hits, method in (("address", form, "form"), ("address", poa, "proof_of_address"),
                                   ("full_name", form, "form")):
            found = labelled_value(hits, name)
            if fields[name].value is None and found:
                fields[name] = ExtractedField(value=found.value, method=method, chunk_ids=[found.chunk_id])
        return fields

    # -- checks -----------------------------------------------------------------------------

    def _checks(self, fields: dict[str, ExtractedField], docs: dict[str, list[SearchHit]], mrz: MrzFound,
                as_of: date, poa_address: Found | None, identity_docs: list[IdentityDocument],
                printed_dob: WrittenDate | None, printed_expiry: WrittenDate | None) -> list[Check]:
        read = fields["date_of_birth"].value  # the MRZ's or a model's reading: ISO, never ambiguous
        dob = printed_dob or (WrittenDate.known(date.fromisoformat(read)) if read else None)
        claims = name_claims(identity_docs, docs["application"], docs["proof_of_address"], dob)
        lists = ", ".join(f"{v.name} ({v.snapshot_date}, {v.rows:,} records)" for v in self.lists.versions)
        return [
            mrz_check(mrz),
            expiry_check(fields["expiry_date"], printed_expiry, mrz, as_of),
            identity_consistency_check(identity_docs),
            name_check(fields["full_name"], docs, mrz),
            dob_check(fields["date_of_birth"], dob, docs, mrz),
            address_check(labelled_value(docs["application"], "address"), poa_address),
            sanctions_check(self.lists.screener, claims, fields["nationality"].value, lists),
        ]


# -- deterministic checks (module level: unit-testable without a runtime) -----------------------


def mrz_check(mrz: MrzFound) -> Check:
    """Every check digit of the MRZ. A failure on text OCR read is marked `may_be_misread`: a
    digit the scanner got wrong (8 read as 6) fails the same way an altered one does, and the
    repairs `read_ocr_mrz` makes cannot tell them apart, so a human decides (README: review)."""
    if mrz.result is None:
        return Check(name="mrz_check_digits", passed=None, evidence=mrz.error or "no MRZ", chunk_ids=list(mrz.chunk_ids))
    failed = [c for c in mrz.result.checks if not c.ok]
    evidence = (f"{mrz.result.format}: all {len(mrz.result.checks)} check digits valid" if not failed else
                "; ".join(f"{c.name} check digit is {c.found}, should be {c.expected}" for c in failed))
    if mrz.result.issues:
        evidence += "; " + "; ".join(mrz.result.issues)
    if mrz.result.corrections:  # what OCR misread and the tolerant reading changed: a reviewer sees it
        evidence += "; read by OCR, corrected: " + "; ".join(mrz.result.corrections)
    misread = mrz.ocr and not mrz.result.valid
    if misread:
        evidence += ("; the MRZ was read by OCR, so the failure may be a misread character rather than "
                     "an altered document: compare the MRZ on the document itself")
    return Check(name="mrz_check_digits", passed=mrz.result.valid, evidence=evidence, chunk_ids=list(mrz.chunk_ids),
                 may_be_misread=misread)


def expiry_check(expiry: ExtractedField, printed: WrittenDate | None, mrz: MrzFound, as_of: date) -> Check:
    """Whether the identity document is in date. A trusted MRZ's expiry decides, and a printed one
    that no reading of matches it is an altered page. Without one, an ambiguous numeric writing
    (03/04/2027: 3 April day first, 4 March month first) is valid only if both readings are:
    read day first, a US licence that had expired on 4 March was reported valid until 3 April, and
    a passport printing its MRZ's expiry month first was called an altered page."""
    mrz_expiry = mrz.trusted.expiry_date_iso if mrz.trusted else None
    if mrz_expiry:
        value, chunk_ids = date.fromisoformat(mrz_expiry), list(mrz.chunk_ids)
        if printed is not None and value not in printed.readings:
            return Check(name="document_expiry", passed=False, chunk_ids=sorted({*chunk_ids, *expiry.chunk_ids}),
                         evidence=f"visual zone says the document expires {printed}, MRZ says {mrz_expiry}")
        shown = mrz_expiry
    elif printed is not None:
        value, chunk_ids, shown = printed.first, expiry.chunk_ids, str(printed)
        if len({reading < as_of for reading in printed.readings}) > 1:
            return Check(name="document_expiry", passed=None, chunk_ids=chunk_ids,
                         evidence=f"printed expiry {shown}: one reading has passed and one has not as of "
                                  f"{as_of.isoformat()}, and no MRZ says which; check the document")
    elif expiry.value is not None:
        value, chunk_ids, shown = date.fromisoformat(expiry.value), expiry.chunk_ids, expiry.value
    else:
        return Check(name="document_expiry", passed=None, evidence="no expiry date found")
    expired = value < as_of
    verb = "expired on" if expired else "valid until"
    return Check(name="document_expiry", passed=not expired, chunk_ids=chunk_ids,
                 evidence=f"document {verb} {shown} (as of {as_of.isoformat()})")


def name_check(full_name: ExtractedField, docs: dict[str, list[SearchHit]], mrz: MrzFound) -> Check:
    form = labelled_value(docs["application"], "full_name")
    poa = labelled_value(docs["proof_of_address"], "full_name")
    seen = [(label, found.value, found.chunk_id) for label, found in
            (("application", form), ("proof of address", poa)) if found]
    if full_name.value is None or not seen:
        return Check(name="name_consistency", passed=None, evidence="name missing on a document")
    mismatches = [f"{label} says '{value}'" for label, value, _ in seen
                  if not any(names_match(full_name.value, name) for name in holder_names(value) or [value])]
    if mrz.trusted is not None and not names_match(full_name.value, mrz.trusted.full_name):
        mismatches.append(f"MRZ says '{mrz.trusted.full_name}'")
    chunk_ids = sorted({*full_name.chunk_ids, *(cid for *_, cid in seen)})
    if mismatches:
        return Check(name="name_consistency", passed=False, chunk_ids=chunk_ids,
                     evidence=f"identity document says '{full_name.value}' but " + "; ".join(mismatches))
    return Check(name="name_consistency", passed=True, chunk_ids=chunk_ids,
                 evidence=f"'{full_name.value}' consistent across {len(seen) + 1} documents")


def dob_check(dob: ExtractedField, identity_dob: WrittenDate | None, docs: dict[str, list[SearchHit]],
              mrz: MrzFound) -> Check:
    """The identity document's DOB (`dob`, read as `identity_dob`) against its MRZ and the
    application's. Dates agree when some reading of each is the same: a form that writes the
    month first (03/12/1985 for 12 March) is not an inconsistency."""
    mrz_dob = mrz_birth_date(mrz)
    if mrz_dob and identity_dob and dob.method == "viz" and not identity_dob.agrees_with(mrz_dob):  # an altered page
        return Check(name="dob_consistency", passed=False, chunk_ids=sorted({*dob.chunk_ids, *mrz.chunk_ids}),
                     evidence=f"identity document's visual zone says {identity_dob}, its MRZ {mrz_dob}")
    form = labelled_value(docs["application"], "date_of_birth")
    form_dob = read_date(form.value) if form else None
    if identity_dob is None or form is None or form_dob is None:
        return Check(name="dob_consistency", passed=None, evidence="date of birth missing on a document")
    return Check(name="dob_consistency", passed=form_dob.agrees_with(identity_dob),
                 chunk_ids=sorted({*dob.chunk_ids, form.chunk_id}),
                 evidence=f"identity document {identity_dob}, "
                          f"application {form_dob.resolved([('the identity document', identity_dob)])}")


def address_check(form: Found | None, poa: Found | None) -> Check:
    if form is None or poa is None:
        return Check(name="address_consistency", passed=None, evidence="address missing on a document")
    score = fuzz.ratio(address_key(form.value), address_key(poa.value))
    return Check(name="address_consistency", passed=score >= ADDRESS_MATCH,
                 chunk_ids=sorted({form.chunk_id, poa.chunk_id}),
                 evidence=f"application '{form.value}' vs proof of address '{poa.value}' (similarity {score:.0f})")


def unread_documents_check(scope: DocumentScope) -> Check:
    """Files of the packet that could not be ingested: nothing in them was checked or screened,
    so the case cannot be approved (README: an unreadable document sends it to review)."""
    unread = "; ".join(f"{Path(e.file).name}: {e.reason}" for e in scope.errors)
    return Check(name="documents_readable", passed=None, evidence=f"not read, so not checked or screened: {unread}")


def decide(checks: list[Check]) -> tuple[str, list[str]]:
    """reject: sanctions hit, or an MRZ integrity failure not read by OCR (`_rejects`); review:
    any other failure or gap."""
    failed = [c for c in checks if c.passed is False]
    unknown = [c for c in checks if c.passed is None]
    reasons = [f"{c.name} failed: {c.evidence}" for c in failed]
    reasons += [f"{c.name} not checked: {c.evidence}" for c in unknown]
    if any(_rejects(c) for c in failed):
        return "reject", reasons
    if failed or unknown:
        return "review", reasons
    return "approve", ["all checks passed"]


def _rejects(failed: Check) -> bool:
    """Whether a failed check rejects the case. A sanctions hit always does, however its names
    were read. An MRZ failure does when the characters are the document's own; on text OCR read
    (`may_be_misread`) it may be the scanner's, and rejecting an honest applicant for a misread
    digit is wrong, so it goes to review with every other failure."""
    if failed.name == "sanctions_screening":
        return True
    return failed.name == "mrz_check_digits" and not failed.may_be_misread

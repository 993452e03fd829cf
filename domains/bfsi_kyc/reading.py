"""What a tier that can read ("answer") or write ("compose") adds to the KYC task, validated.

Why a module of its own: everything a model returns passes through here and is checked against
the documents or the tools before the task uses it; the deterministic task never trusts a
generator directly.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from rightsized.domains.context import TaskContext
from rightsized.pipelines.prompts import build_prompt
from rightsized.pipelines.stores.base import SearchHit

from rightsized.domains.bfsi_kyc.extract import Found, address_key, parse_date
from rightsized.domains.bfsi_kyc.models import Check, ExtractedField
from rightsized.domains.bfsi_kyc.rationale import rationale_prompt, validate_rationale

POA_ADDRESS_QUESTION = "At which postal address does this document place the customer?"
LLM_FIELD_QUESTIONS = {
    "full_name": "What is the applicant's full name?",
    "date_of_birth": "What is the applicant's date of birth (YYYY-MM-DD)?",
    "nationality": "What is the applicant's nationality (3-letter code)?",
    "document_number": "What is the identity document number?",
    "expiry_date": "When does the identity document expire (YYYY-MM-DD)?",
    "address": "What is the applicant's residential address?",
}


def fill_open_fields(ctx: TaskContext, fields: dict[str, ExtractedField], docs: dict[str, list[SearchHit]],
                     warnings: list[str]) -> None:
    context = [h for hits in docs.values() for h in hits]
    for name, field in fields.items():
        if field.value is not None:
            continue
        prompt = build_prompt("Extract one field from the KYC documents. Reply with the value only.",
                              LLM_FIELD_QUESTIONS[name], context)
        generation = ctx.generate(prompt, stop=["\n", "<<<"], max_tokens=32)
        value = _validated(name, generation.text)
        if value is None:
            warnings.append(f"LLM value for {name} rejected: {generation.text.strip()[:60]!r}")
            continue
        fields[name] = ExtractedField(value=value, method="llm", chunk_ids=[h.chunk_id for h in context])


def read_poa_address(ctx: TaskContext, hits: Sequence[SearchHit], warnings: list[str]) -> Found | None:
    """The proof of address's address read by the model, accepted only if it appears verbatim in
    one of the retrieved proof-of-address chunks (and cites that chunk)."""
    prompt = build_prompt("Read the proof-of-address document. Reply with the postal address only.",
                          POA_ADDRESS_QUESTION, hits)
    generation = ctx.generate(prompt, stop=["\n", "<<<"], max_tokens=48)
    value = generation.text.strip().strip(".").strip()
    for hit in hits:
        if value and any(ch.isdigit() for ch in value) and address_key(value) in address_key(hit.text):
            return Found(value, hit.chunk_id)
    warnings.append(f"LLM proof-of-address reading rejected (not found verbatim in the document): {value[:60]!r}")
    return None


def draft_rationale(ctx: TaskContext, checks: list[Check], decision: str) -> tuple[str | None, str | None]:
    generation = ctx.generate(rationale_prompt(checks, decision), stop=["\n", "<<<"])
    return validate_rationale(generation.text, decision, checks)


def _validated(name: str, text: str) -> str | None:
    value = text.strip().strip(".").strip()
    if not value or len(value) > 200:
        return None
    if name in ("date_of_birth", "expiry_date"):
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else None
    if name == "nationality":
        return value.upper() if re.fullmatch(r"[A-Za-z]{3}", value) else None
    return value

"""What a tier that can read ("answer") or write ("compose") adds to the KYC task, validated.

Why a module of its own: everything a model returns passes through here and is checked against
the documents or the tools before the task uses it; the deterministic task never trusts a
generator directly. A value the model reads is kept only if it is written in one chunk of the
field's own documents that the model was shown, and it cites that chunk alone: a citation is the
reviewer's way to check the value.

Why prompts are packed: a tier with a fixed context window (llama.cpp's `n_ctx`) refuses a
prompt that leaves no room for the answer, and a long multi-page packet would exceed it. Chunks
go in by priority until the budget is spent; what was left out is recorded as a warning.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from rightsized.domains.context import TaskContext
from rightsized.pipelines.prompts import PackedPrompt, TokenCounter, pack_prompt, upper_bound_tokens
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
# The documents a field belongs to, best first: the model is shown only these, and its value must
# be written in one of their chunks. An identity field read off a bill (its statement date as the
# passport's expiry, measured with Gemma 3 270M) or off the application (which `dob_check` then
# compares with itself) would be grounded in a chunk and still be wrong.
FIELD_SOURCES = {
    "full_name": ("identity", "application"),
    "date_of_birth": ("identity",),
    "nationality": ("identity",),
    "document_number": ("identity",),
    "expiry_date": ("identity",),
    "address": ("application", "proof_of_address"),
}
DATE_FIELDS = ("date_of_birth", "expiry_date")
FIELD_MAX_TOKENS = 32
ADDRESS_MAX_TOKENS = 48
# Tiers whose generator has no `n_ctx` (servers, hosted APIs) hold at least this; the server
# itself refuses anything longer, so a generous figure only decides how much context is offered.
DEFAULT_CONTEXT_TOKENS = 32_768
# Dates as the documents write them; `parse_date` decides which are real dates.
_DATE_IN_TEXT = re.compile(r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Za-z]{3,9}\s+\d{4}|\d{1,2}[/.]\d{1,2}[/.]\d{4})\b")


def prompt_budget(ctx: TaskContext, max_tokens: int) -> int:
    """Prompt tokens a call may use: the tier's context window minus the answer's budget."""
    n_ctx = getattr(ctx.runtime.config.generator, "n_ctx", None) or DEFAULT_CONTEXT_TOKENS
    return n_ctx - max_tokens


def token_counter(ctx: TaskContext) -> TokenCounter:
    """The generator's own tokenizer when it offers one (`count_tokens`), else an upper bound."""
    return getattr(ctx.runtime.generator, "count_tokens", None) or upper_bound_tokens


def occurs_in(field: str, value: str, text: str) -> bool:
    """Whether a value is written in a chunk: a date in any format `parse_date` reads ("12 MAR
    1985" for 1985-03-12), anything else as the same whole words ignoring case, spacing and
    punctuation ("2 Mill Street" is not in "12 Mill Street")."""
    if field in DATE_FIELDS:
        return any((found := parse_date(" ".join(m.group().split()))) is not None and found.isoformat() == value
                   for m in _DATE_IN_TEXT.finditer(text))
    key = address_key(value)
    return bool(key) and f" {key} " in f" {address_key(text)} "


def fill_open_fields(ctx: TaskContext, fields: dict[str, ExtractedField], docs: dict[str, list[SearchHit]],
                     warnings: list[str]) -> None:
    for name, field in fields.items():
        if field.value is not None:
            continue
        context = _field_documents(docs, FIELD_SOURCES[name])
        packed = _packed(ctx, f"LLM reading of {name}", warnings, FIELD_MAX_TOKENS,
                         "Extract one field from the KYC documents. Reply with the value only.",
                         LLM_FIELD_QUESTIONS[name], context)
        if packed is None:
            continue
        generation = ctx.generate(packed.text, stop=["\n", "<<<"], max_tokens=FIELD_MAX_TOKENS)
        value = _validated(name, generation.text)
        if value is None:
            warnings.append(f"LLM value for {name} rejected (malformed): {generation.text.strip()[:60]!r}")
            continue
        shown = [h for h in context if h.chunk_id in packed.kept]
        source = next((h for h in shown if occurs_in(name, value, h.text)), None)
        if source is None:
            warnings.append(f"LLM value for {name} rejected (not written in any chunk it was shown): {value[:60]!r}")
            continue
        fields[name] = ExtractedField(value=value, method="llm", chunk_ids=[source.chunk_id])


def read_poa_address(ctx: TaskContext, hits: Sequence[SearchHit], warnings: list[str]) -> Found | None:
    """The proof of address's address read by the model, accepted only if it is written in one
    of the proof-of-address chunks it was shown (and cites that chunk)."""
    packed = _packed(ctx, "LLM proof-of-address reading", warnings, ADDRESS_MAX_TOKENS,
                     "Read the proof-of-address document. Reply with the postal address only.",
                     POA_ADDRESS_QUESTION, hits)
    if packed is None:
        return None
    generation = ctx.generate(packed.text, stop=["\n", "<<<"], max_tokens=ADDRESS_MAX_TOKENS)
    value = generation.text.strip().strip(".").strip()
    if any(ch.isdigit() for ch in value):  # a postal address has a house or postal number
        for hit in (h for h in hits if h.chunk_id in packed.kept):
            if occurs_in("address", value, hit.text):
                return Found(value, hit.chunk_id)
    warnings.append(f"LLM proof-of-address reading rejected (not found verbatim in the document): {value[:60]!r}")
    return None


def draft_rationale(ctx: TaskContext, checks: list[Check], decision: str) -> tuple[str | None, str | None]:
    max_tokens = ctx.runtime.config.max_tokens
    prompt, budget = rationale_prompt(checks, decision), prompt_budget(ctx, max_tokens)
    tokens = token_counter(ctx)(prompt)
    if tokens > budget:
        return None, f"prompt of {tokens} tokens is over the {budget}-token budget; not asked"
    generation = ctx.generate(prompt, stop=["\n", "<<<"], max_tokens=max_tokens)
    return validate_rationale(generation.text, decision, checks)


def _field_documents(docs: dict[str, list[SearchHit]], kinds: Sequence[str]) -> list[SearchHit]:
    """The chunks of a field's documents in priority order; a chunk retrieved for two kinds (the
    fallback search over untyped files) once."""
    ordered: dict[str, SearchHit] = {}
    for kind in kinds:
        for hit in docs.get(kind, []):
            ordered.setdefault(hit.chunk_id, hit)
    return list(ordered.values())


def _packed(ctx: TaskContext, what: str, warnings: list[str], max_tokens: int, instruction: str, question: str,
            hits: Sequence[SearchHit]) -> PackedPrompt | None:
    """The prompt packed to the tier's budget, or None (with a warning) when no chunk fits:
    a reading the model cannot ground in a chunk would be refused anyway."""
    budget = prompt_budget(ctx, max_tokens)
    packed = pack_prompt(instruction, question, hits, budget=budget, count_tokens=token_counter(ctx))
    if not packed.kept:
        warnings.append(f"{what} not asked: none of the {len(hits)} retrieved chunks fits the "
                        f"{budget}-token prompt budget")
        return None
    if packed.dropped:
        warnings.append(f"{what}: {len(packed.dropped)} of {len(hits)} chunks left out to fit the "
                        f"{budget}-token prompt budget ({', '.join(packed.dropped)})")
    return packed


def _validated(name: str, text: str) -> str | None:
    value = text.strip().strip(".").strip()
    if not value or len(value) > 200:
        return None
    if name in DATE_FIELDS:
        parsed = parse_date(value)
        return parsed.isoformat() if parsed else None
    if name == "nationality":
        return value.upper() if re.fullmatch(r"[A-Za-z]{3}", value) else None
    return value

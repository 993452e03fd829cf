"""What the real small tier (Gemma 3 270M through llama.cpp) contributes to KYC, checked end to end.

Every value the model adds must be grounded: an LLM field cites exactly one retrieved chunk that
writes its value, an address read from a letter cites one proof-of-address chunk that writes it,
and a drafted rationale states nothing the tools contradict. Decisions never move: they come
from the tools on every tier. The generated packets have labelled identity documents, so one
extra packet carries its passport as prose (no labels, no MRZ) to make the model fill fields.
"""
from __future__ import annotations

import re
import shutil
from datetime import date
from typing import Any

import pytest

from rightsized.domains.bfsi_kyc.models import KycResult
from rightsized.domains.bfsi_kyc.rationale import validate_rationale
from rightsized.domains.bfsi_kyc.reading import occurs_in

from tests.kyc_support import KycHarness

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROSE = "applicant_prose"
AS_OF = "2026-06-01"
_POA_VALUE = re.compile(r"proof of address '(.+?)' \(similarity")


def _prose_passport(fields: dict[str, str]) -> str:
    """The gold identity fields in sentences: label-based extraction finds nothing in it."""
    def spoken(iso: str) -> str:
        return date.fromisoformat(iso).strftime("%d %b %Y").upper()

    return (f"This passport is issued to {fields['full_name'].upper()}, a national of {fields['nationality']}, "
            f"born on {spoken(fields['date_of_birth'])}.\nThe passport carries the number "
            f"{fields['document_number']} and remains in force until {spoken(fields['expiry_date'])}.\n")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """Every packet on baseline and small, with the text of every chunk either tier retrieved."""
    harness = KycHarness(tmp_path_factory.mktemp("kyc-llm"), n=8)
    corpus = harness.corpus
    first = corpus.gold[0]
    prose = corpus.root / PROSE
    prose.mkdir()
    for name in ("application_form.pdf", "proof_of_address.pdf"):
        shutil.copy(corpus.root / first.input["packet"] / name, prose / name)
    (prose / "passport.txt").write_text(_prose_passport(first.expected["fields"]), encoding="utf-8")
    packets = [c.input["packet"] for c in corpus.gold] + [PROSE]
    for tier in ("baseline", "small"):
        harness.ingest(packets, tier)
    results: dict[tuple[str, str], KycResult] = {
        (packet, tier): harness.run_packet(packet, tier, AS_OF) for packet in packets for tier in ("baseline", "small")}
    retrieved = sorted({cid for r in results.values() for cid in r.retrieved})
    chunks = harness.workspace.tier("small").store.fetch(retrieved)
    yield packets, results, chunks
    harness.close()


def test_decisions_on_the_small_tier_equal_the_baselines(runs: Any) -> None:
    packets, results, _ = runs
    assert {p: results[p, "small"].decision for p in packets} == {p: results[p, "baseline"].decision for p in packets}
    assert all(results[p, "small"].usage.llm_calls >= 1 for p in packets)


def test_every_llm_field_cites_exactly_one_retrieved_chunk_that_writes_its_value(runs: Any) -> None:
    packets, results, chunks = runs
    open_on_baseline = {n for n, f in results[PROSE, "baseline"].fields.items() if f.value is None}
    assert open_on_baseline == {"date_of_birth", "nationality", "document_number", "expiry_date"}
    assert results[PROSE, "small"].usage.llm_calls >= len(open_on_baseline) + 1  # each field, then the rationale
    for packet in packets:
        result = results[packet, "small"]
        for name, found in result.fields.items():
            if found.method != "llm":
                continue
            assert len(found.chunk_ids) == 1, (packet, name, found)
            (cited,) = found.chunk_ids
            assert cited in result.retrieved, (packet, name, found)
            assert occurs_in(name, found.value, chunks[cited].text), (packet, name, found, chunks[cited].text)


def test_an_address_read_from_a_letter_cites_one_proof_of_address_chunk_that_writes_it(runs: Any) -> None:
    packets, results, chunks = runs
    for packet in packets:
        if results[packet, "baseline"].check("address_consistency").passed is not None:
            continue  # a labelled proof of address: the tools read it on every tier
        check = results[packet, "small"].check("address_consistency")
        read = _POA_VALUE.search(check.evidence)
        if read is None:  # the model's reading was refused: the check stays open
            continue
        cited = [cid for cid in check.chunk_ids if chunks[cid].doc_type == "proof_of_address"]
        assert len(cited) == 1, (packet, check)
        assert occurs_in("address", read.group(1), chunks[cited[0]].text), (packet, check)


def test_every_accepted_rationale_agrees_with_the_tools(runs: Any) -> None:
    packets, results, _ = runs
    for packet in packets:
        result = results[packet, "small"]
        if result.rationale_source != "llm":
            continue
        assert validate_rationale(result.rationale, result.decision, result.checks) == (result.rationale, None), packet

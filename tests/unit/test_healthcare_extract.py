"""Summary extraction with negation, the ask tool, leak counting and the sample corpus' ground truth."""
from __future__ import annotations

from pathlib import Path

from rightsized.domains.healthcare_notes.ask import AskTask, _tool_answer
from rightsized.domains.healthcare_notes.corpus import build_corpus, leak_values, patient_notes
from rightsized.domains.healthcare_notes.extract import extract
from rightsized.domains.healthcare_notes.leaks import count_leaks, digests
from rightsized.domains.healthcare_notes.summarize import SummarizeTask
from rightsized.pipelines.stores.base import SearchHit

NOTE = """HISTORY AND PHYSICAL
HISTORY OF PRESENT ILLNESS: She has worsening asthma. She denies chest pain and fever. No history of diabetes.
Pulmonary embolism was ruled out.
PAST MEDICAL HISTORY: Hypertension, asthma. No history of stroke.
MEDICATIONS:
- lisinopril 10 mg PO daily
- albuterol 90 mcg inhaled q4h PRN
ALLERGIES: penicillin (rash); sulfa drugs (hives).
FAMILY HISTORY: Mother had breast cancer.
VITALS: BP 132/84, HR 78, RR 16, Temp 98.6 F, SpO2 97% on room air.
ASSESSMENT:
1. Hypertension.
2. Parkinson disease.
PLAN:
- Recheck blood pressure in 2 weeks."""
NOTE_2 = """FOLLOW-UP: Primary care clinic in 2 weeks.
INDICATION: Gout; evaluate for pulmonary embolism.
IMPRESSION: No acute cardiopulmonary process.
Dictated by: [NAME], MD
ALLERGIES: NKDA."""


def _hits(*texts: str) -> list[SearchHit]:
    return [SearchHit(f"c{i}", 1.0, text, {"doc_id": f"d{i}", "position": 0}) for i, text in enumerate(texts)]


def test_problems_exclude_negated_ruled_out_and_family_findings() -> None:
    ex = extract(_hits(NOTE, NOTE_2))
    problems = set(ex.items["problems"])
    assert problems == {"hypertension", "asthma", "parkinson disease", "gout"}
    for trap in ("diabetes", "stroke", "pulmonary embolism", "breast cancer", "chest pain", "fever"):
        assert not any(trap in p for p in problems)


def test_medications_allergies_vitals_plan_follow_up_with_citations() -> None:
    ex = extract(_hits(NOTE, NOTE_2))
    assert set(ex.items["medications"]) == {"lisinopril 10 mg po daily", "albuterol 90 mcg inhaled q4h prn"}
    assert set(ex.items["allergies"]) == {"penicillin", "sulfa drugs", "nkda"}
    assert set(ex.items["vitals"]) == {"bp 132/84", "hr 78", "rr 16", "temp 98.6", "spo2 97"}
    assert set(ex.items["plan"]) == {"recheck blood pressure in 2 weeks"}
    assert set(ex.items["follow_up"]) == {"primary care clinic in 2 weeks"}
    assert ex.items["medications"]["lisinopril 10 mg po daily"].chunk_ids == ["c0"]
    assert ex.items["follow_up"]["primary care clinic in 2 weeks"].chunk_ids == ["c1"]


TITLE_CASE_NOTE = """Progress note
Allergies: Penicillin (hives).
Medications: Metformin 500 mg PO BID; Lisinopril 10 mg PO daily.
Family history: Mother had breast cancer.
Assessment: Hypertension; type 2 diabetes. No history of stroke.
Plan: Increase lisinopril to 20 mg daily.
Follow-up: In 3 months.
Dictated by: [NAME], MD"""


def test_headings_in_title_case_and_inline_medication_lists() -> None:
    """An EHR writes "Allergies:" and lists medications on one line: both used to be read as nothing."""
    ex = extract(_hits(TITLE_CASE_NOTE))
    assert set(ex.items["allergies"]) == {"penicillin"}
    assert set(ex.items["medications"]) == {"metformin 500 mg po bid", "lisinopril 10 mg po daily"}
    assert set(ex.items["problems"]) == {"hypertension", "type 2 diabetes"}
    assert set(ex.items["plan"]) == {"increase lisinopril to 20 mg daily"}
    assert set(ex.items["follow_up"]) == {"in 3 months"}


SOAP_NOTE = """S: 68-year-old woman here for follow-up. Denies chest pain.
O: BP 142/88, HR 76.
A: Hypertension.
P: Increase lisinopril to 20 mg daily. Follow-up in 3 months. Call with questions."""


def test_medications_without_route_or_frequency_and_comma_lists() -> None:
    ex = extract(_hits("MEDICATIONS: Aspirin 81 mg daily, metformin 500mg twice a day, atorvastatin 40 mg.\n"
                       "She takes them as prescribed."))
    assert set(ex.items["medications"]) == {"aspirin 81 mg daily", "metformin 500mg twice a day", "atorvastatin 40 mg"}


def test_soap_letters_and_a_follow_up_sentence() -> None:
    ex = extract(_hits(SOAP_NOTE))
    assert set(ex.items["problems"]) == {"hypertension"}
    assert set(ex.items["vitals"]) == {"bp 142/88", "hr 76"}
    assert "follow-up in 3 months" in ex.items["follow_up"] and len(ex.items["follow_up"]) == 1
    assert ex.items["plan"]


def test_a_section_split_across_chunks_is_stitched_by_position() -> None:
    first, second = NOTE.split("- albuterol")
    hits = [SearchHit("b", 1.0, "- albuterol" + second, {"doc_id": "d", "position": 1}),
            SearchHit("a", 1.0, first, {"doc_id": "d", "position": 0})]
    ex = extract(hits)
    assert ex.items["medications"]["albuterol 90 mcg inhaled q4h prn"].chunk_ids == ["b"]


def test_ask_tool_answers_known_questions_and_nothing_else() -> None:
    ex = extract(_hits(NOTE, NOTE_2))
    assert [i.value for i in _tool_answer("What dose of lisinopril is the patient taking?", ex)] == \
        ["lisinopril 10 mg po daily"]
    assert _tool_answer("What dose of metformin is she on?", ex) == []  # known question, nothing in the notes
    assert _tool_answer("What is the patient's blood type?", ex) is None  # unknown question: a model may try


def test_ask_scoring_not_found_and_accuracy() -> None:
    task = AskTask()
    nf = {"not_found": True, "must_contain": [], "leak_digests": []}
    assert task.score(nf, {"answer": "not found in the notes", "sources": {}, "citations": []})["qa_accuracy"] == 1.0
    invented = task.score(nf, {"answer": "Type O positive.", "sources": {}, "citations": []})
    assert invented["qa_accuracy"] == 0.0 and invented["not_found_correct"] == 0.0
    found = {"not_found": False, "must_contain": ["10 mg", "daily"], "leak_digests": []}
    good = task.score(found, {"answer": "lisinopril 10 mg PO daily.", "sources": {"c": "- lisinopril 10 mg PO daily"},
                              "citations": ["c"]})
    assert good["qa_accuracy"] == 1.0 and good["answer_groundedness"] == 1.0


def test_summary_scores_count_negation_errors() -> None:
    task = SummarizeTask()
    expected = {"problems": ["asthma"], "medications": [], "allergies": ["NKDA"], "vitals": [], "plan": [],
                "follow_up": [], "leak_digests": []}
    outcome = {"problems": ["asthma", "diabetes"], "medications": [], "allergies": ["nkda"], "vitals": [],
               "plan": [], "follow_up": [], "narrative": "", "sources": {}}
    scores = task.score(expected, outcome)
    assert scores["negation_errors"] == 1.0
    assert scores["summary_item_precision"] == (2.0, 3.0) and scores["summary_item_recall"] == (2.0, 2.0)


def test_leaks_are_counted_from_digests_in_any_format() -> None:
    planted = digests(["(413) 555-0199", "Grace Okafor", "Okafor"])
    assert count_leaks(["Call 413.555.0199 or ask Ms. Okafor"], planted) == 2
    assert count_leaks(["[PHONE] [NAME]"], planted) == 0


def test_corpus_is_deterministic_with_exact_spans(tmp_path: Path) -> None:
    a = build_corpus(tmp_path / "a", n=4, seed=7)
    b = build_corpus(tmp_path / "b", n=4, seed=7)
    files = sorted(p.relative_to(a.root) for p in a.root.rglob("*.*"))
    assert files == sorted(p.relative_to(b.root) for p in b.root.rglob("*.*"))
    assert any(f.suffix == ".pdf" for f in files) and any(f.suffix == ".txt" for f in files)
    assert all((a.root / f).read_bytes() == (b.root / f).read_bytes() for f in files)
    assert (tmp_path / "a" / "gold.jsonl").read_text() == (tmp_path / "b" / "gold.jsonl").read_text()
    assert {c.task for c in a.gold} == {"summarize", "ask", "deidentify"}
    patient, _, notes = patient_notes(0, 7)
    gold_text = (tmp_path / "a" / "gold.jsonl").read_text()
    assert not [v for v in leak_values(patient, notes) if v in gold_text]  # digests, never identifiers
    for note in notes:
        for item in note.phi:
            assert note.text[item["start"]:item["end"]] == item["value"]
    kinds = {p["kind"] for i in range(6) for n in patient_notes(i, 7)[2] for p in n.phi}
    assert kinds >= {"NAME", "DATE", "AGE", "ADDRESS", "CITY", "ZIP", "PHONE", "FAX", "EMAIL", "SSN", "MRN",
                     "ACCOUNT", "HEALTH_PLAN", "DEVICE_ID", "URL", "IP_ADDRESS", "LICENSE_PLATE", "LICENSE"}
    text = " ".join(n.text for n in notes)
    assert "No history of" in text and "denies" in text and " had " in text


def test_a_narrative_cut_off_by_the_token_limit_keeps_its_finished_sentences() -> None:
    """Every small-tier narrative was rejected as 'cut off by the token limit' in the demo (48
    tokens for two sentences): the finished first sentence was thrown away with the second."""
    from rightsized.domains.healthcare_notes.summarize import complete_sentences, narrative_problem

    facts = "problems: hypertension\nmedications: metoprolol 2.5 mg PO daily"
    cut = "The patient has hypertension. The patient takes metoprolol 2.5 mg PO da"
    assert complete_sentences(cut) == "The patient has hypertension."
    assert narrative_problem(complete_sentences(cut), facts) is None
    assert complete_sentences("The patient takes metoprolol 2.5") == ""
    assert narrative_problem("", facts) == "no finished sentence within the token limit"


EHR_EXPORT = """Past Medical History: HTN, HLD, GERD; no history of diabetes.
Assessment:
1. Type 2 diabetes mellitus, uncontrolled.
2. No fever, chills, or cough.
MEDICATIONS
Drug | Dose | Route | Frequency
Warfarin | 5 mg | PO | daily
Furosemide | 40 mg | PO | BID
Allergies:
- Sulfa (rash)
- Penicillin - anaphylaxis
Plan: Follow up in 2 weeks."""


def test_an_ehr_export_with_lists_tables_and_clauses_is_read() -> None:
    """Probed 2026-12-02: the penicillin anaphylaxis under an allergy list was missed, a table of
    medications read as nothing, "HTN, HLD, GERD; no history of diabetes" dropped all four, and
    "uncontrolled" became a problem of its own."""
    items = extract(_hits(EHR_EXPORT)).items
    assert set(items["allergies"]) == {"sulfa", "penicillin"}
    assert set(items["medications"]) == {"warfarin 5 mg po daily", "furosemide 40 mg po bid"}
    assert set(items["problems"]) == {"htn", "hld", "gerd", "type 2 diabetes mellitus"}


def test_allergies_written_on_one_line_are_each_an_item() -> None:
    items = extract(_hits("Allergies: PCN, codeine\nAssessment: Gout.", "ALLERGIES: NKA")).items
    assert set(items["allergies"]) == {"pcn", "codeine", "nkda"}
    assert set(items["problems"]) == {"gout"}

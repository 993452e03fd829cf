"""Skill phrases in job-ad text: a BIO tagger (averaged perceptron) plus the skill taxonomy.

Why learned: in real adverts most skills are phrases, not taxonomy terms ("building
relationships with clients", "attention to detail", "proactive"); a dictionary of the gold skills
of half of Green et al.'s sentences finds 0.145 span F1 on the other half. The tagger learns from
word shape and context instead, trained (in well under a second) on the training half of the
configured Green et al. (2022) data (CC BY 4.0; `domains.hr_resume.green_dir`) — never on the
half it is scored on. Without that data only taxonomy terms are found.

Tokens are whitespace-separated, with punctuation split off; spans are (first token, last token).
"""
from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rightsized.domains.hr_resume.taxonomy import find_skills

TAGS = ("O", "B", "I")
EPOCHS = 8
EDGE = ",;:!?()\""
STOP = frozenset("a an the and or of to in for with on at by as is are be will you your our we this that "
                 "from have has it its their they who which".split())


@dataclass(frozen=True)
class Sentence:
    sentence_id: int
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # gold skill spans, inclusive token indices
    pos: tuple[str, ...] = ()  # the data's part-of-speech tags (training only: they teach `WordClasses`)


class WordClasses:
    """A unigram part-of-speech guesser learned from the training half (no tagger model is
    available offline): a word's most frequent tag, else a guess from its shape and suffix."""

    def __init__(self, sentences: list[Sentence]) -> None:
        counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for sentence in sentences:
            for word, tag in zip(sentence.tokens, sentence.pos, strict=False):
                counts[word.lower()][tag] += 1
        self.known = {w: max(tags, key=lambda t: (tags[t], t)) for w, tags in counts.items()}

    def __call__(self, word: str) -> str:
        low = word.lower()
        if low in self.known:
            return self.known[low]
        if not any(c.isalnum() for c in word):
            return "PUNCT"
        if word[:1].isdigit():
            return "CD"
        for suffix, tag in (("ing", "VBG"), ("ed", "VBN"), ("ly", "RB"), ("ive", "JJ"), ("al", "JJ"), ("ful", "JJ"),
                            ("ous", "JJ"), ("able", "JJ"), ("tion", "NN"), ("ment", "NN"), ("ness", "NN"), ("s", "NNS")):
            if low.endswith(suffix) and len(low) > len(suffix) + 2:
                return tag
        return "NNP" if word[:1].isupper() else "NN"


def tokenize(text: str) -> list[str]:
    """Whitespace tokens with leading and trailing punctuation split off ("skills," -> "skills",
    ","); a token that is all punctuation stays whole ("://")."""
    tokens: list[str] = []
    for piece in text.split():
        if all(c in EDGE or not c.isalnum() for c in piece):
            tokens.append(piece)
            continue
        core = piece.strip(EDGE)
        start = piece.index(core)
        tokens += list(piece[:start]) + [core] + list(piece[start + len(core):])
    return tokens


def read_green(path: Path) -> list[Sentence]:
    """`df_testset.csv` (sentence_id, word, pos, tag): Skill spans only (B-Skill / I-Skill)."""
    rows: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[int(row["sentence_id"])].append((row["word"], row["tag"], row["pos"]))
    sentences = []
    for sid, items in sorted(rows.items()):
        spans, start = [], None
        for index, (_, tag, _) in enumerate(items + [("", "O", "")]):
            if start is not None and tag != "I-Skill":
                spans.append((start, index - 1))
                start = None
            if tag == "B-Skill":
                start = index
        sentences.append(Sentence(sid, tuple(w for w, _, _ in items), tuple(spans), tuple(p for _, _, p in items)))
    return sentences


def split(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(train, test): odd sentence ids train, even ids test — fixed, stated, never tuned."""
    return [s for s in sentences if s.sentence_id % 2], [s for s in sentences if not s.sentence_id % 2]


def _shape(word: str) -> str:
    shape = re.sub(r"[A-Z]+", "X", re.sub(r"[a-z]+", "x", re.sub(r"\d+", "d", word)))
    return shape[:4]


def _features(tokens: list[str], index: int, previous: str, skills: set[int], classes: list[str]) -> list[str]:
    word = tokens[index]
    pos = classes[index]
    pos_before = classes[index - 1] if index else "<s>"
    pos_after = classes[index + 1] if index + 1 < len(tokens) else "</s>"
    low = word.lower()
    before = tokens[index - 1].lower() if index else "<s>"
    after = tokens[index + 1].lower() if index + 1 < len(tokens) else "</s>"
    return [
        "bias", f"w={low}", f"s3={low[-3:]}", f"s2={low[-2:]}", f"p3={low[:3]}", f"shape={_shape(word)}",
        f"stop={low in STOP}", f"ing={low.endswith('ing')}", f"tax={index in skills}", f"first={index == 0}",
        f"w-1={before}", f"w+1={after}", f"w-1,w={before},{low}", f"t-1={previous}", f"t-1,w={previous},{low}",
        f"t-1,stop={previous},{low in STOP}", f"w+1stop={after in STOP}", f"w-1stop={before in STOP}",
        f"w-2={tokens[index - 2].lower() if index > 1 else '<s>'}",
        f"w+2={tokens[index + 2].lower() if index + 2 < len(tokens) else '</s>'}",
        f"pos={pos}", f"pos-1={pos_before}", f"pos+1={pos_after}", f"pos-1,pos={pos_before},{pos}",
        f"pos,pos+1={pos},{pos_after}", f"t-1,pos={previous},{pos}", f"t-1,pos,pos+1={previous},{pos},{pos_after}",
    ]


def _taxonomy_tokens(tokens: list[str]) -> set[int]:
    text, starts = "", []
    for token in tokens:
        starts.append(len(text))
        text += token + " "
    found = set()
    for mention in find_skills(text):
        found |= {i for i, s in enumerate(starts) if mention.start <= s < mention.end}
    return found


class SkillTagger:
    """Usage::

        tagger = SkillTagger.train(train_sentences)
        spans = tagger.spans(tokenize("Excellent communication skills and SQL"))
    """

    def __init__(self, weights: dict[str, dict[str, float]], classes: WordClasses) -> None:
        self.weights = weights
        self.classes = classes

    def _best(self, features: list[str], previous: str) -> str:
        scores = dict.fromkeys(TAGS, 0.0)
        for feature in features:
            for tag, weight in self.weights.get(feature, {}).items():
                scores[tag] += weight
        if previous == "O":
            scores["I"] = float("-inf")  # I only continues a span
        return max(TAGS, key=lambda t: (scores[t], t == "O"))

    def tags(self, tokens: list[str]) -> list[str]:
        skills = _taxonomy_tokens(tokens)
        classes = [self.classes(t) for t in tokens]
        out, previous = [], "O"
        for index in range(len(tokens)):
            previous = self._best(_features(tokens, index, previous, skills, classes), previous)
            out.append(previous)
        return out

    def spans(self, tokens: list[str]) -> list[tuple[int, int]]:
        return tag_spans(self.tags(tokens))

    @classmethod
    def train(cls, sentences: list[Sentence], epochs: int = EPOCHS) -> SkillTagger:
        """Averaged perceptron, greedy left-to-right; sentences in a fixed order (deterministic)."""
        weights: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        totals: dict[tuple[str, str], float] = defaultdict(float)
        stamps: dict[tuple[str, str], int] = defaultdict(int)
        step = 0
        word_classes = WordClasses(sentences)
        model = cls(weights, word_classes)  # type: ignore[arg-type]
        for _ in range(epochs):
            for sentence in sentences:
                gold = span_tags(len(sentence.tokens), sentence.spans)
                tokens = list(sentence.tokens)
                skills = _taxonomy_tokens(tokens)
                classes = [word_classes(t) for t in tokens]
                previous = "O"
                for index, truth in enumerate(gold):
                    step += 1
                    features = _features(tokens, index, previous, skills, classes)
                    guess = model._best(features, previous)
                    if guess != truth:
                        for feature in features:
                            for tag, delta in ((truth, 1.0), (guess, -1.0)):
                                key = (feature, tag)
                                totals[key] += (step - stamps[key]) * weights[feature][tag]
                                stamps[key] = step
                                weights[feature][tag] += delta
                    previous = guess
        averaged: dict[str, dict[str, float]] = {}
        for feature, by_tag in weights.items():
            for tag, weight in by_tag.items():
                key = (feature, tag)
                total = totals[key] + (step - stamps[key]) * weight
                if total:
                    averaged.setdefault(feature, {})[tag] = total / step
        return cls(averaged, word_classes)


def span_tags(length: int, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> list[str]:
    tags = ["O"] * length
    for start, end in spans:
        tags[start] = "B"
        for index in range(start + 1, end + 1):
            tags[index] = "I"
    return tags


def tag_spans(tags: list[str]) -> list[tuple[int, int]]:
    spans, start = [], None
    for index, tag in enumerate([*tags, "O"]):
        if start is not None and tag != "I":
            spans.append((start, index - 1))
            start = None
        if tag == "B":
            start = index
    return spans


def taxonomy_spans(tokens: list[str]) -> list[tuple[int, int]]:
    """Runs of consecutive taxonomy tokens (the fallback without training data)."""
    found = sorted(_taxonomy_tokens(tokens))
    spans: list[tuple[int, int]] = []
    for index in found:
        if spans and spans[-1][1] == index - 1:
            spans[-1] = (spans[-1][0], index)
        else:
            spans.append((index, index))
    return spans


@cache
def trained_tagger(green_csv: Path) -> SkillTagger:
    return SkillTagger.train(split(read_green(green_csv))[0])

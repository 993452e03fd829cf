"""Skill phrases in job-ad text: a linear-chain CRF over word, shape, taxonomy and contextual
word-piece features, trained on the Green et al. (2022) training half shipped in `data/`.

Why learned, and why these features: in real adverts most skills are phrases, not taxonomy
terms ("building relationships with clients", "attention to detail", "proactive"); a dictionary
of the gold skills of half of Green et al.'s sentences finds 0.145 exact span F1 on the other
half. With 168 training sentences, lexical features alone generalise poorly; the contextual
vectors of a small pretrained encoder carry what a word means in its sentence. The encoder is
all-MiniLM-L6-v2 (the default embedder, inside its PyPI package: no download), read at its
third layer, which scored best in 4-fold cross-validation inside the training half (layers 1-6
and the settings below were chosen there; the test half was never used to choose anything).
A second round scored by the same cross-validation found nothing better (0.360 span F1 for this
tagger): BIOES tags, the neighbours' vectors, decoding thresholds on the CRF marginals, and
all-MiniLM-L6-v2 fine-tuned as a token classifier, alone or averaged with the CRF (README).

Training is deterministic (L-BFGS, fixed settings, sentences in file order) and happens once
per process at first use (`trained_tagger`). The training file is `data/green2022_train.csv`:
the odd sentence ids of Green et al.'s gold set, CC BY 4.0 (see `data/NOTICE.md`); the even ids
are the test half, read only by the `real` suite from `domains.hr_resume.green_dir`.

Tokens are whitespace-separated, with punctuation split off; spans are (first token, last token).
"""
from __future__ import annotations

import csv
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from rightsized.domains.hr_resume.taxonomy import find_skills
from rightsized.pipelines.embedders.sentence_transformer import PACKAGED_MINILM, resolve_model_path

TRAIN_CSV = Path(__file__).parent / "data" / "green2022_train.csv"
EDGE = ",;:!?()\""
STOP = frozenset("a an the and or of to in for with on at by as is are be will you your our we this that "
                 "from have has it its their they who which".split())
LAYER = 3  # MiniLM hidden layer the token vectors are read from
SCALE = 0.5  # vector components enter the CRF as real-valued features scaled by this
CRF_PARAMS = {"c1": 0.1, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}
SEGMENT = 120  # tokens per encoder pass at most (a whole advert is cut after sentence ends)
BATCH = 32


@dataclass(frozen=True)
class Sentence:
    sentence_id: int
    tokens: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]  # gold skill spans, inclusive token indices


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
    """Green et al.'s table (sentence_id, word, pos, tag): Skill spans only (B-Skill / I-Skill)."""
    rows: dict[int, list[tuple[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[int(row["sentence_id"])].append((row["word"], row["tag"]))
    sentences = []
    for sid, items in sorted(rows.items()):
        spans = tag_spans(["B" if tag == "B-Skill" else "I" if tag == "I-Skill" else "O" for _, tag in items])
        sentences.append(Sentence(sid, tuple(w for w, _ in items), tuple(spans)))
    return sentences


def split(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(train, test): odd sentence ids train, even ids test — fixed, stated, never tuned."""
    return [s for s in sentences if s.sentence_id % 2], [s for s in sentences if not s.sentence_id % 2]


def _shape(word: str) -> str:
    shape = re.sub(r"[A-Z]+", "X", re.sub(r"[a-z]+", "x", re.sub(r"\d+", "d", word)))
    return shape[:4]


def _taxonomy_tokens(tokens: list[str]) -> set[int]:
    text, starts = "", []
    for token in tokens:
        starts.append(len(text))
        text += token + " "
    found = set()
    for mention in find_skills(text):
        found |= {i for i, s in enumerate(starts) if mention.start <= s < mention.end}
    return found


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run the encoder on one intra-op thread, then restore the setting. Sentences are short, so
    splitting each matrix product over threads gains little and, on a shared machine, costs a
    lot: the 168 training sentences took 16 s on one thread against 27 s on two (2 cores under
    load; 103 s against 17 s one sentence at a time, as the `skills` task calls it)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class TokenVectors:
    """Contextual vectors per token: all-MiniLM-L6-v2's layer-`LAYER` hidden states, each token
    the mean of its word pieces (zeros for a token the encoder's 512 pieces did not reach)."""

    def __init__(self) -> None:
        from transformers import AutoModel, AutoTokenizer

        path = resolve_model_path(PACKAGED_MINILM)
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path).eval()

    def __call__(self, sentences: list[list[str]]) -> list[np.ndarray]:
        with _one_thread():
            return self._vectors(sentences)

    def _vectors(self, sentences: list[list[str]]) -> list[np.ndarray]:
        import torch

        out: list[np.ndarray] = []
        for first in range(0, len(sentences), BATCH):
            batch = sentences[first:first + BATCH]
            encoded = self.tokenizer(batch, is_split_into_words=True, return_tensors="pt", padding=True,
                                     truncation=True, max_length=512)
            with torch.no_grad():
                hidden = self.model(**encoded, output_hidden_states=True).hidden_states[LAYER].numpy()
            for row, words in enumerate(batch):
                sums = np.zeros((len(words), hidden.shape[2]), dtype=np.float32)
                counts = np.zeros(len(words))
                for piece, word in enumerate(encoded.word_ids(row)):
                    if word is not None:
                        sums[word] += hidden[row, piece]
                        counts[word] += 1
                out.append(sums / np.maximum(counts, 1)[:, None])
        return out


def features(tokens: list[str], vectors: np.ndarray) -> list[dict[str, str | float]]:
    """Per token: the word, its shape and affixes, taxonomy membership, stop word, position, the
    neighbours' words, and the contextual vector's components."""
    skills = _taxonomy_tokens(tokens)
    out: list[dict[str, str | float]] = []
    for index, word in enumerate(tokens):
        low = word.lower()
        item: dict[str, str | float] = {
            "bias": 1.0, "w": low, "shape": _shape(word), "s3": low[-3:], "p3": low[:3],
            "tax": float(index in skills), "title": float(word.istitle()), "upper": float(word.isupper()),
            "first": float(index == 0), "last": float(index == len(tokens) - 1), "stop": float(low in STOP),
        }
        for offset in (-1, 1):
            other = index + offset
            if 0 <= other < len(tokens):
                item.update({f"{offset}:w": tokens[other].lower(), f"{offset}:tax": float(other in skills),
                             f"{offset}:stop": float(tokens[other].lower() in STOP)})
            else:
                item[f"{offset}:pad"] = 1.0
        item.update({f"e{k}": float(x) for k, x in enumerate(vectors[index] * SCALE)})
        out.append(item)
    return out


def segments(tokens: list[str]) -> list[tuple[int, int]]:
    """[start, end) token ranges: cut after a sentence end, and every `SEGMENT` tokens at most,
    so a whole advert fits the encoder's window piece by piece."""
    cuts, start = [], 0
    for index, token in enumerate(tokens):
        if token in {".", "!", "?"} or index + 1 - start >= SEGMENT:
            cuts.append((start, index + 1))
            start = index + 1
    if start < len(tokens):
        cuts.append((start, len(tokens)))
    return cuts


class SkillTagger:
    """Usage::

        tagger = trained_tagger()
        spans = tagger.spans(tokenize("Excellent communication skills and SQL"))
    """

    def __init__(self, model: bytes, vectors: TokenVectors) -> None:
        import pycrfsuite

        self.vectors = vectors
        self._model = model  # crfsuite reads the model from this buffer: it must outlive the tagger
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._model)

    def spans(self, tokens: list[str]) -> list[tuple[int, int]]:
        pieces = segments(tokens)
        found: list[tuple[int, int]] = []
        for (start, end), vectors in zip(pieces, self.vectors([tokens[a:b] for a, b in pieces]), strict=True):
            tags = self._tagger.tag(features(tokens[start:end], vectors))
            found += [(start + a, start + b) for a, b in tag_spans(tags)]
        return found

    @classmethod
    def train(cls, sentences: list[Sentence], vectors: TokenVectors) -> SkillTagger:
        """L-BFGS CRF training with fixed settings, sentences in the given order (deterministic)."""
        import pycrfsuite

        trainer = pycrfsuite.Trainer(verbose=False)
        for sentence, vecs in zip(sentences, vectors([list(s.tokens) for s in sentences]), strict=True):
            trainer.append(features(list(sentence.tokens), vecs), span_tags(len(sentence.tokens), sentence.spans))
        trainer.set_params(CRF_PARAMS)
        with tempfile.TemporaryDirectory(prefix="rs-hr-crf-") as tmp:
            path = Path(tmp) / "skills.crfsuite"
            trainer.train(str(path))
            return cls(path.read_bytes(), vectors)


def span_tags(length: int, spans: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> list[str]:
    tags = ["O"] * length
    for start, end in spans:
        tags[start] = "B"
        for index in range(start + 1, end + 1):
            tags[index] = "I"
    return tags


def tag_spans(tags: list[str]) -> list[tuple[int, int]]:
    """BIO tags -> spans; an I with no span open is ignored."""
    spans, start = [], None
    for index, tag in enumerate([*tags, "O"]):
        if start is not None and tag != "I":
            spans.append((start, index - 1))
            start = None
        if tag == "B":
            start = index
    return spans


@cache
def trained_tagger() -> SkillTagger:
    """The tagger trained on the shipped training half, once per process."""
    return SkillTagger.train(read_green(TRAIN_CSV), TokenVectors())

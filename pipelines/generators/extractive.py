"""The no-LLM backend: answer with the context sentence that best matches the question.

Why this exists as a generator: a task asks a tier for capabilities, not for a backend name.
This one offers only "extract" (a verbatim context sentence that answers a question), so steps
that need a model to read or write ("answer", "compose") are skipped by capability on the
`baseline` tier and every other step runs the same code as the LLM tiers.
Zero tokens, near-zero latency, fully deterministic.
"""
from __future__ import annotations

import re
import time

from rightsized.pipelines.config import ExtractiveGeneratorConfig
from rightsized.pipelines.generators.base import Generation, Message, Usage
from rightsized.pipelines.prompts import parse_prompt

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have how in is it of on or that the this to was "
    "what when where which who why with does did do".split()
)


def _terms(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS}


class ExtractiveGenerator:
    """Return the best-overlapping sentence from the fenced context (ties: earliest chunk).

    Usage:
        gen = ExtractiveGenerator(ExtractiveGeneratorConfig())
        prompt = build_prompt("Answer briefly.", "Where does Anna live?", hits)
        print(gen.generate(prompt).text)
    """

    name = "extractive"
    capabilities: frozenset[str] = frozenset({"extract"})

    def __init__(self, config: ExtractiveGeneratorConfig | None = None) -> None:
        self.config = config or ExtractiveGeneratorConfig()

    def unavailable_reason(self) -> str | None:
        return None

    def warm_up(self) -> None:
        return None

    def generate(self, prompt: str | list[Message], *, stop: list[str] | None = None, max_tokens: int = 160) -> Generation:
        started = time.perf_counter()
        text = prompt if isinstance(prompt, str) else "\n".join(m.content for m in prompt)
        question, chunks = parse_prompt(text)
        wanted = _terms(question)
        best, best_score = "", 0.0
        for chunk in chunks:
            for sentence in _SENTENCE.split(chunk.text):
                terms = _terms(sentence)
                if not terms:
                    continue
                score = len(wanted & terms) / (len(terms) ** 0.5)
                if score > best_score:
                    best, best_score = sentence.strip(), score
        words = best.split()[:max_tokens]
        return Generation(" ".join(words), Usage(0, 0, time.perf_counter() - started))

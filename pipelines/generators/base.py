"""The generator contract every backend implements.

Why a tiny protocol rather than LlamaIndex's LLM classes: the eval suite needs the same three
numbers from every backend (prompt tokens, completion tokens, latency), measured the same way,
and an availability check that never loads weights or spends money.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable


@dataclass(frozen=True)
class Message:
    """One chat turn (`role` is system, user or assistant)."""

    role: str
    content: str


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


@dataclass(frozen=True)
class Usage:
    """Tokens and seconds of one or more calls. `None` tokens mean unknown (a server that did not
    report usage): a sum with an unknown part is unknown, never silently 0."""

    prompt_tokens: int | None = 0
    completion_tokens: int | None = 0
    latency_s: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            _add(self.prompt_tokens, other.prompt_tokens),
            _add(self.completion_tokens, other.completion_tokens),
            self.latency_s + other.latency_s,
        )


# What a task may ask of a tier's generator, instead of testing its backend name:
# "extract": return a verbatim span of the context that answers a question (the extractive
#            baseline does this; so does any LLM);
# "answer":  read the context and reply with a short value in its own words (LLMs only);
# "compose": write new prose, e.g. a rationale or an explanation (LLMs only).
Capability = Literal["extract", "answer", "compose"]
LLM_CAPABILITIES: frozenset[str] = frozenset({"extract", "answer", "compose"})


@dataclass(frozen=True)
class Generation:
    text: str
    usage: Usage = field(default_factory=Usage)


@runtime_checkable
class Generator(Protocol):
    """`warm_up()` does the expensive part (load weights, open clients); `generate()` is cheap.

    `unavailable_reason()` answers "can this run here?" without loading anything heavy: it
    returns None when the backend is usable, else a one-line reason for `rightsized tiers`.
    """

    name: str
    capabilities: frozenset[str]

    def unavailable_reason(self) -> str | None: ...

    def warm_up(self) -> None: ...

    def generate(
        self,
        prompt: str | list[Message],
        *,
        stop: list[str] | None = None,
        max_tokens: int = 160,
    ) -> Generation: ...

"""The generator contract every backend implements.

Why a tiny protocol rather than LlamaIndex's LLM classes: the eval suite needs the same three
numbers from every backend (prompt tokens, completion tokens, latency), measured the same way,
and an availability check that never loads weights or spends money.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Message:
    """One chat turn (`role` is system, user or assistant)."""

    role: str
    content: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
            self.latency_s + other.latency_s,
        )


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

    def unavailable_reason(self) -> str | None: ...

    def warm_up(self) -> None: ...

    def generate(
        self,
        prompt: str | list[Message],
        *,
        stop: list[str] | None = None,
        max_tokens: int = 160,
    ) -> Generation: ...

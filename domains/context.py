"""What a task gets to do its work: scoped retrieval, generation with accounting, capabilities.

Why a context instead of the raw tier runtime: the runner must know, without trusting the task,
which chunks were retrieved (the citation contract), what every generator call cost (usage is
never read from attribute names a result happens to have), and which documents belong to the
case (its `DocumentScope`, so a case never retrieves another case's documents).
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel

from rightsized.domains.privacy import ExternalPolicy, Redactor
from rightsized.domains.results import TaskUsage
from rightsized.pipelines.errors import PolicyError
from rightsized.pipelines.generators.base import Generation, Message, Usage
from rightsized.pipelines.runtime import TierRuntime
from rightsized.pipelines.stores.base import FilterValue, SearchHit


@dataclass(frozen=True)
class IngestProblem:
    file: str
    reason: str


@dataclass(frozen=True)
class DocumentScope:
    """The documents of one file input of one case: retrieval filters on `group`."""

    group: str
    doc_ids: tuple[str, ...] = ()
    errors: tuple[IngestProblem, ...] = ()


@dataclass
class TaskContext:
    """Usage::

        hits = ctx.retrieve("date of birth", scope=ctx.documents["packet"], filters={"doc_type": "identity"})
        if ctx.can("compose"):
            text = ctx.generate(prompt, stop=["\\n"], max_tokens=64).text
    """

    runtime: TierRuntime
    config: BaseModel | None = None  # the domain's validated settings (`Domain.config_model`)
    redactor: Redactor | None = None  # the domain's (`Domain.redactor`)
    external_policy: ExternalPolicy = "allow"  # the domain's, for sensitive domains (runner)
    documents: dict[str, DocumentScope] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _retrieved: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    _usage: Usage = field(default_factory=Usage)
    _calls: int = 0
    _started: float = field(default_factory=time.perf_counter)

    @property
    def tier(self) -> str:
        return self.runtime.name

    def can(self, capability: str) -> bool:
        """Whether this tier's generator offers a capability ("extract", "answer", "compose")."""
        return capability in self.runtime.generator.capabilities

    def retrieve(self, query: str, *, scope: DocumentScope | None = None, k: int | None = None,
                 filters: Mapping[str, FilterValue] | None = None) -> list[SearchHit]:
        """Top-k chunks for a query, inside the scope's documents when a scope is given."""
        merged = dict(filters or {})
        if scope is not None:
            merged["group"] = scope.group
        hits = self.runtime.retriever.retrieve(query, k=k, filters=merged or None)
        for hit in hits:
            self._retrieved.setdefault(hit.chunk_id)
        return hits

    def generate(self, prompt: str | list[Message], *, stop: list[str] | None = None,
                 max_tokens: int | None = None) -> Generation:
        """One generator call, counted in the case's usage. On a tier marked `external` the
        domain's policy applies first: refused, redacted, or sent as it is."""
        prompt = self._outbound(prompt)
        generation = self.runtime.generator.generate(
            prompt, stop=stop, max_tokens=max_tokens or self.runtime.config.max_tokens)
        self._calls += 1
        self._usage = self._usage + generation.usage
        return generation

    def _outbound(self, prompt: str | list[Message]) -> str | list[Message]:
        """The prompt as the external-tier policy lets it leave the machine."""
        if not self.runtime.config.external or self.external_policy == "allow":
            return prompt
        if self.external_policy == "never":
            raise PolicyError(f"tier '{self.tier}' is external and this domain never sends text off this machine")
        if self.redactor is None:
            raise PolicyError(f"tier '{self.tier}' is external and this domain has no redactor: "
                              "only redacted text may leave this machine")
        key = next(iter(self.documents.values())).group if self.documents else "prompt"
        if isinstance(prompt, str):
            return self.redactor.redact(prompt, key=key).text
        return [Message(m.role, self.redactor.redact(m.content, key=key).text) for m in prompt]

    @property
    def retrieved(self) -> list[str]:
        return list(self._retrieved)

    def usage(self) -> TaskUsage:
        """Tokens as counted (None when a backend did not report them), seconds since the start."""
        return TaskUsage(
            prompt_tokens=self._usage.prompt_tokens, completion_tokens=self._usage.completion_tokens,
            llm_calls=self._calls, llm_latency_s=round(self._usage.latency_s, 4),
            latency_s=round(time.perf_counter() - self._started, 4),
        )

"""What every domain provides, and the registry the CLI and eval suite discover them through.

Why a plugin shape: adding a domain must touch only its own folder. Each subpackage of
`domains` calls `register()` on import; `all_domains()` imports them all.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from pipelines.errors import ConfigError
from pipelines.runtime import TierRuntime


@dataclass(frozen=True)
class GoldCase:
    """One evaluation case in the format shared by every domain.

    `expected` holds comparable values: `fields` (name -> value), `label` (a decision or class)
    and `flags` (name -> bool, e.g. sanctions_hit). `Domain.outcome()` returns the same shape
    from a task result, so the eval suite scores every domain with the same metrics.
    """

    case_id: str
    domain: str
    input: dict[str, Any]
    expected: dict[str, Any]
    tags: tuple[str, ...] = ("synthetic",)
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GoldCase:
        return cls(**{**data, "tags": tuple(data.get("tags", ()))})


def write_gold(cases: list[GoldCase], path: Path) -> None:
    path.write_text("".join(json.dumps(c.to_dict(), sort_keys=True) + "\n" for c in cases))


def read_gold(path: Path) -> list[GoldCase]:
    if not path.exists():
        raise ConfigError(f"{path}: no gold file; build the sample corpus first")
    return [GoldCase.from_dict(json.loads(line)) for line in path.read_text().splitlines() if line]


@dataclass(frozen=True)
class Corpus:
    root: Path
    gold: list[GoldCase] = field(default_factory=list)


class Domain(Protocol):
    name: str
    description: str
    doc_types: tuple[str, ...]
    label_name: str  # what `expected["label"]` is called in reports, e.g. "decision"
    primary_metric: str  # the quality axis of plots and recommendations

    def build_corpus(self, out_dir: Path, *, n: int, seed: int) -> Corpus: ...

    def real_corpus(self, out_dir: Path) -> Corpus | None:
        """Gold cases from real public data bundled with the domain, or None if it has none."""
        ...

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        """Domain keys for a file at ingest (e.g. doc_type); merged into each chunk's metadata."""
        ...

    def run(self, runtime: TierRuntime, case_input: dict[str, Any], **options: Any) -> BaseModel: ...

    def outcome(self, result: BaseModel) -> dict[str, Any]:
        """The comparable values of a result, in `GoldCase.expected`'s shape."""
        ...


_REGISTRY: dict[str, Domain] = {}


def register(domain: Domain) -> Domain:
    _REGISTRY[domain.name] = domain
    return domain


def all_domains() -> dict[str, Domain]:
    import domains

    for info in pkgutil.iter_modules(domains.__path__):
        if info.ispkg:
            importlib.import_module(f"domains.{info.name}")
    return dict(sorted(_REGISTRY.items()))


def get_domain(name: str) -> Domain:
    known = all_domains()
    if name not in known:
        raise ConfigError(f"unknown domain '{name}'; known: {', '.join(known) or '(none)'}")
    return known[name]

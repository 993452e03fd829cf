"""Find domains without importing them, load each one only when it is used.

Two sources: the packages inside `rightsized.domains` (each exposes `domain`), and the
`rightsized.domains` entry-point group, so a domain can live in another distribution::

    [project.entry-points."rightsized.domains"]
    my_domain = "my_package.domain:domain"

Why lazy and isolated: one domain that fails to import (a missing optional dependency, a bug)
is listed with its error while `run` and `eval` keep working for all the others.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from typing import Any

from rightsized.domains.base import Domain
from rightsized.pipelines.errors import ConfigError

ENTRY_POINT_GROUP = "rightsized.domains"


class DomainLoadError(ConfigError):
    """A domain was found but could not be loaded; carries the domain and the cause."""

    def __init__(self, name: str, source: str, cause: BaseException) -> None:
        self.name = name
        self.source = source
        self.cause = f"{type(cause).__name__}: {cause}"
        super().__init__(f"domain '{name}' ({source}) failed to load: {self.cause}")


@dataclass(frozen=True)
class DomainEntry:
    name: str
    target: str  # "module" (a package exposing `domain`) or "module:attribute"

    @property
    def source(self) -> str:
        return self.target


def discover() -> dict[str, DomainEntry]:
    """Every domain's name and where it lives, without importing any of them."""
    import rightsized.domains as package

    found = {info.name: DomainEntry(info.name, f"{package.__name__}.{info.name}")
             for info in pkgutil.iter_modules(package.__path__) if info.ispkg and not info.name.startswith("_")}
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(point.name, DomainEntry(point.name, point.value))
    return dict(sorted(found.items()))


@cache
def _load(entry: DomainEntry) -> Domain:
    module_name, _, attribute = entry.target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in (attribute or "domain").split("."):
            obj = getattr(obj, part)
        domain = obj() if isinstance(obj, type) else obj
    except Exception as exc:  # any failure of a plugin is that plugin's, reported, never fatal to others
        raise DomainLoadError(entry.name, entry.source, exc) from exc
    if not isinstance(domain, Domain):
        raise DomainLoadError(entry.name, entry.source, TypeError(f"{type(domain).__name__} is not a Domain"))
    if domain.name != entry.name:
        raise DomainLoadError(entry.name, entry.source, ValueError(f"it calls itself '{domain.name}'"))
    return domain


def get_domain(name: str) -> Domain:
    """The loaded domain, or ConfigError (unknown name) / DomainLoadError (found but broken)."""
    entries = discover()
    if name not in entries:
        raise ConfigError(f"unknown domain '{name}'; known: {', '.join(entries) or '(none)'}")
    return _load(entries[name])


def load_all() -> tuple[dict[str, Domain], dict[str, DomainLoadError]]:
    """(domains that load, domains that failed with their error)."""
    loaded: dict[str, Domain] = {}
    failed: dict[str, DomainLoadError] = {}
    for name, entry in discover().items():
        try:
            loaded[name] = _load(entry)
        except DomainLoadError as exc:
            failed[name] = exc
    return loaded, failed

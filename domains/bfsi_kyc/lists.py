"""Which sanctions lists a KYC run screens against: configured, loaded once, versioned.

Why this exists: a screener loaded with a 313-row extract approved a person who is on the
14,965-row SDN list. The default is now the complete bundled SDN snapshot; the setting
`domains.bfsi_kyc.sanctions_lists` names any number of lists (OFAC's legacy flat files — SDN and
the consolidated non-SDN list — or a plain CSV from another source), and every KYC result
records which lists (name, date, rows, file hash) it was screened against, so a decision can be
audited against the exact data behind it.

    domains:
      bfsi_kyc:
        max_list_age_days: 7
        sanctions_lists:
          - {path: /data/ofac/sdn.csv, format: ofac_legacy, name: OFAC SDN, snapshot_date: 2026-11-30}
          - {path: /data/ofac/cons_prim.csv, format: ofac_legacy, name: OFAC consolidated}
          - {path: /data/eu/persons.csv, format: plain_csv, name: EU consolidated}
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rightsized.domains.bfsi_kyc.sanctions import (
    BUNDLED_SDN,
    BUNDLED_SDN_DATE,
    SanctionsEntry,
    SanctionsScreener,
    load_plain_csv,
    load_sdn_csv,
)


class SanctionsListConfig(BaseModel):
    """One list. No `path`: the bundled complete OFAC SDN snapshot. `snapshot_date` defaults to
    the bundled snapshot's date, else the file's modification date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path | None = None
    format: Literal["ofac_legacy", "plain_csv"] = "ofac_legacy"
    name: str | None = None
    snapshot_date: date | None = None


class KycConfig(BaseModel):
    """KYC settings; the defaults are the safe ones (the complete list, a strict age limit)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sanctions_lists: tuple[SanctionsListConfig, ...] = Field(default=(SanctionsListConfig(),), min_length=1)
    max_list_age_days: int = Field(30, ge=1, description="Warn when a list's snapshot is older than this.")
    name_threshold: float = Field(88.0, ge=50, le=100, description="Fuzzy name score that counts as a match.")


class ListVersion(BaseModel):
    """The identity of a list as screened: what an auditor needs to reproduce a decision."""

    name: str
    source: str
    format: str
    snapshot_date: str
    rows: int
    individuals: int
    sha256: str
    age_days: int
    stale: bool


@dataclass(frozen=True)
class LoadedLists:
    versions: tuple[ListVersion, ...]
    screener: SanctionsScreener

    def warnings(self) -> list[str]:
        return [f"sanctions list '{v.name}' is {v.age_days} days old (snapshot {v.snapshot_date}): "
                "screening misses designations made since; point domains.bfsi_kyc.sanctions_lists at a current copy"
                for v in self.versions if v.stale]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_one(spec: SanctionsListConfig) -> tuple[list[SanctionsEntry], str, str, str]:
    """(entries, name, snapshot date, source path)."""
    path = spec.path.expanduser() if spec.path else BUNDLED_SDN
    name = spec.name or ("OFAC SDN" if spec.path is None else path.name.split(".")[0])
    entries = (load_sdn_csv(path, list_name=name) if spec.format == "ofac_legacy"
               else load_plain_csv(path, list_name=name))
    if spec.snapshot_date is not None:
        snapshot = spec.snapshot_date.isoformat()
    elif spec.path is None:
        snapshot = BUNDLED_SDN_DATE
    else:
        snapshot = datetime.fromtimestamp(path.stat().st_mtime).date().isoformat()
    return entries, name, snapshot, str(path)


@lru_cache(maxsize=4)
def _load(specs: tuple[SanctionsListConfig, ...], threshold: float, stamps: tuple[tuple[int, int], ...],
          ) -> tuple[tuple[tuple[str, str, str, str, int, int, str], ...], SanctionsScreener]:
    """Cached on the list files' sizes and modification times: a replaced file is reloaded."""
    del stamps  # part of the cache key only
    everything: list[SanctionsEntry] = []
    rows = []
    for spec in specs:
        entries, name, snapshot, source = _load_one(spec)
        everything += entries
        individuals = sum(1 for e in entries if e.entry_type == "individual")
        rows.append((name, source, spec.format, snapshot, len(entries), individuals, _sha256(Path(source))))
    return tuple(rows), SanctionsScreener(everything, threshold=threshold)


def load_lists(config: KycConfig, *, today: date | None = None) -> LoadedLists:
    """Every configured list, parsed and indexed once per process (and again if a file changes)."""
    paths = [(s.path.expanduser() if s.path else BUNDLED_SDN) for s in config.sanctions_lists]
    stamps = tuple((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else (-1, -1) for p in paths)
    rows, screener = _load(config.sanctions_lists, config.name_threshold, stamps)
    today = today or date.today()
    versions = []
    for name, source, fmt, snapshot, count, individuals, sha in rows:
        age = (today - date.fromisoformat(snapshot)).days
        versions.append(ListVersion(name=name, source=source, format=fmt, snapshot_date=snapshot, rows=count,
                                    individuals=individuals, sha256=sha, age_days=age,
                                    stale=age > config.max_list_age_days))
    return LoadedLists(tuple(versions), screener)


def lists_for(config: object) -> LoadedLists:
    """The lists a task context's (or `check`'s) domain settings name; the defaults when the
    settings are not a `KycConfig` (e.g. a task run outside the runner)."""
    return load_lists(config if isinstance(config, KycConfig) else KycConfig())

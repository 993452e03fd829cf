"""Manufacturing maintenance: fleet telemetry, technicians' logs and equipment manuals.

`diagnose` turns one machine's telemetry into a risk level, likely failure modes with
calibrated probabilities, the sensor evidence, and actions citing manual rows and similar past
work orders; `ask` answers technicians' questions from the manuals and the history with
citations, or says "not in the manuals"; `similar` finds the past work orders most like a new
complaint (their labels are its prediction of problem type and part); `remaining_life` predicts
the cycles a unit has left from its history and a fleet's run-to-failure histories.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from rightsized.domains.base import Corpus, Domain
from rightsized.domains.bench import Benchmark
from rightsized.domains.manufacturing_maintenance.ask import AskTask
from rightsized.domains.manufacturing_maintenance.diagnose import DiagnoseTask
from rightsized.domains.manufacturing_maintenance.manuals import model_of_manual
from rightsized.domains.manufacturing_maintenance.remaining_life import RemainingLifeTask
from rightsized.domains.manufacturing_maintenance.sections import ManualSectioner
from rightsized.domains.manufacturing_maintenance.similar import SimilarTask


class ManufacturingConfig(BaseModel):
    """`data_dir`: the folder holding the public data of the real suite (AI4I 2020, C-MAPSS
    FD001, the aviation logbooks); the logbook data carries no licence, so it is read from here
    and never copied into the repo. Default: none (the real suite is skipped with that reason)."""

    model_config = ConfigDict(extra="forbid")
    data_dir: Path | None = Field(None, description="../shared/data/external/manufacturing_maintenance or a copy")
    real_limit: int | None = Field(None, ge=1, description="at most this many held-out cases per real dataset")


# Words of a file's path inside the library that make a CSV/JSON(L) file a maintenance log, as
# plants name their exports ('maintenance_log.csv', 'work_orders_2025.csv', 'WO_export.csv').
LOG_WORDS = frozenset({"log", "logs", "logbook", "logbooks", "wo", "wos", "workorder", "workorders", "cmms",
                       "maintenance", "maint", "history", "ticket", "tickets"})


def classify_document(path: Path, root: Path | None = None) -> str:
    """doc_type from the file's path inside the library `root`, never the folders above it (a
    library under /srv/logs/ made every CSV a log; 'catalog' held 'log'): manuals are PDFs named
    like manuals, logs are CSV/JSON(L) files whose name has a word of `LOG_WORDS` or 'work order'."""
    inside = path.relative_to(root) if root is not None and path.is_relative_to(root) else Path(path.name)
    if path.suffix.lower() == ".pdf" and "manual" in inside.as_posix().lower():
        return "manual"
    # words split at separators and case changes: 'MaintenanceLog' -> maintenance, log
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", inside.as_posix())
    words = re.findall(r"[a-z]+", spaced.lower())
    named_log = bool(LOG_WORDS & set(words)) or any(a == "work" and b in ("order", "orders")
                                                    for a, b in zip(words, words[1:]))
    if path.suffix.lower() in (".csv", ".jsonl", ".json") and named_log:
        return "log"
    return "other"


class ManufacturingDomain(Domain):
    name = "manufacturing_maintenance"
    description = "Predictive maintenance: telemetry rules + calibrated classifier, cited manual rows and past cases."
    doc_types = ("manual", "log")
    config_model = ManufacturingConfig
    report_by = ()
    tasks = (DiagnoseTask(), AskTask(), SimilarTask(), RemainingLifeTask())

    def build_corpus(self, out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
        from rightsized.domains.manufacturing_maintenance.corpus import build_corpus

        return build_corpus(out_dir, n=n, seed=seed)

    def real_corpus(self, out_dir: Path, config: BaseModel | None = None) -> Corpus:
        from rightsized.domains.manufacturing_maintenance.real import build_real_corpus

        return build_real_corpus(out_dir, config if isinstance(config, ManufacturingConfig) else None)

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        kind = classify_document(path, root)
        return {"doc_type": kind, "machine_model": (model_of_manual(path) or "") if kind == "manual" else ""}

    def sectioner(self, config: BaseModel | None) -> ManualSectioner:
        """Each manual table row its own section, so a row is chunked, stored and cited whole."""
        return ManualSectioner()

    def benchmarks(self) -> list[Benchmark]:
        from rightsized.domains.manufacturing_maintenance.bench import fleet_benchmark

        return [fleet_benchmark()]


domain = ManufacturingDomain()

"""A manufacturing sample corpus ingested once, cases run through the same runner as `rightsized run`."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from rightsized.domains.inputs import build_input
from rightsized.domains.manufacturing_maintenance.models import AskResult, DiagnoseResult
from rightsized.domains.manufacturing_maintenance.rul import SENSORS
from rightsized.domains.registry import get_domain
from rightsized.domains.runner import CaseRun, DocumentIngester, run_case
from rightsized.pipelines.config import load_settings
from rightsized.pipelines.runtime import Workspace


class ManufacturingHarness:
    """Usage::

        harness = ManufacturingHarness(tmp_path, n=6)
        result = harness.diagnose("telemetry/M01.csv")
        harness.close()
    """

    def __init__(self, data_dir: Path, *, n: int, seed: int = 7) -> None:
        self.settings = load_settings(overrides=[f"data_dir={data_dir}"])
        self.domain = get_domain("manufacturing_maintenance")
        self.corpus = self.domain.build_corpus(data_dir / "corpus", n=n, seed=seed)
        self.workspace = Workspace(self.settings, domain=self.domain.name)
        self.ingester = DocumentIngester(self.workspace, self.domain, namespace="mm")

    def case(self, task: str, request: dict, tier: str = "baseline") -> CaseRun:
        spec = self.domain.task(task)
        inputs = build_input(spec.input_model, request=request, base=self.corpus.root)
        return run_case(self.ingester, tier, spec, task, inputs)

    def diagnose(self, telemetry: str, tier: str = "baseline") -> DiagnoseResult:
        done = self.case("diagnose", {"telemetry": telemetry, "library": "library"}, tier)
        assert done.error is None, done.error
        return done.result  # type: ignore[return-value]

    def ask(self, question: str, tier: str = "baseline") -> AskResult:
        done = self.case("ask", {"question": question, "library": "library"}, tier)
        assert done.error is None, done.error
        return done.result  # type: ignore[return-value]

    def close(self) -> None:
        self.workspace.close()


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, rows: list[dict[str, str]], fields: list[str] | None = None) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields or list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def unit_lines(unit: int, life: int, rng: np.random.Generator, upto: int | None = None) -> list[str]:
    """C-MAPSS-format cycles of a unit that fails at cycle `life` (cut at `upto`): every
    informative sensor drifts up, faster near the end, with noise."""
    lines = []
    for cycle in range(1, (upto or life) + 1):
        wear = np.exp((cycle - life) / 40.0)
        values = np.zeros(21)
        for s in SENSORS:
            values[s - 1] = 100.0 + s + 5.0 * wear + rng.normal(0.0, 0.2)
        lines.append(" ".join([str(unit), str(cycle), "0.0", "0.0", "100.0", *(f"{v:.4f}" for v in values)]) + " ")
    return lines


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path

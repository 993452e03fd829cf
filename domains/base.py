"""The domain seam: what a domain declares, and what every shared layer reads from it.

Why declarations instead of code paths: the CLI (`run`, `tasks`), the eval grid, the report,
`compare`, `recommend` and the HTTP API are all derived from a domain's `Task`s — their typed
input and result models and their metric specs — so a new industry touches only its own folder.

A domain is a `Domain` subclass instance exposed as `domain` by its package (or through the
`rightsized.domains` entry-point group, see `rightsized.domains.registry`). Usage::

    class ForecastTask(Task[ForecastInput, ForecastResult]):
        name = "forecast"
        description = "Point forecast and intervals for one series."
        input_model, result_model = ForecastInput, ForecastResult
        metrics = (MetricSpec("wape", kind="ratio", higher_is_better=False, primary=True),)

        def run(self, ctx, inputs): ...
        def outcome(self, result): return {"forecast": result.values}
        def score(self, expected, outcome): return {"wape": (abs_error_sum, actual_sum)}
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from rightsized.domains.bench import Benchmark
from rightsized.domains.privacy import ExternalPolicy, Redactor
from rightsized.domains.results import TaskResult
from rightsized.eval.metrics.corpus import REDUCERS, reducer
from rightsized.pipelines.errors import ConfigError
from rightsized.pipelines.sectioning import Sectioner

if TYPE_CHECKING:
    from rightsized.domains.context import TaskContext

MetricKind = Literal["proportion", "mean", "ratio", "corpus"]
# A per-case score: a float (or None: the metric does not apply to this case), for a
# ratio-of-sums metric the case's (numerator, denominator), for a corpus metric its named parts.
Score = float | tuple[float, float] | Mapping[str, float] | None

InputT = TypeVar("InputT", bound=BaseModel)
ResultT = TypeVar("ResultT", bound=TaskResult)


@dataclass(frozen=True)
class MetricSpec:
    """How one metric is aggregated and read.

    `kind` decides the aggregate and its interval: "proportion" (per-case 0/1; Wilson interval,
    McNemar's exact test between tiers), "mean" (per-case values; bootstrap), "ratio" (per-case
    numerator and denominator, aggregated as a ratio of sums, e.g. WAPE or micro-F1; bootstrap
    over cases), "corpus" (a metric of all cases together, e.g. macro-F1 over labels or the
    four-fifths impact ratio over groups: each case scores named parts and `reduce` names the
    reducer in `rightsized.eval.metrics.corpus` that computes the metric from all of them).
    `higher_is_better` is what the report, worst cases, plots, `compare` and `recommend` rank
    by. One metric per task is `primary`. `threshold`, when set, is the line the report flags a
    value on the wrong side of (an impact ratio below 0.8).
    """

    name: str
    kind: MetricKind = "mean"
    higher_is_better: bool = True
    primary: bool = False
    description: str = ""
    reduce: str | None = None
    threshold: float | None = None

    def __post_init__(self) -> None:
        """A corpus metric without a known reducer could not be aggregated by the report later:
        refuse it when the domain declares it."""
        if self.kind == "corpus":
            if self.reduce is None:
                raise ValueError(f"metric {self.name!r}: kind 'corpus' needs reduce= (one of {', '.join(REDUCERS)})")
            reducer(self.reduce)
        elif self.reduce is not None:
            raise ValueError(f"metric {self.name!r}: reduce= applies to kind 'corpus' only, not {self.kind!r}")

    def flagged(self, value: float | None) -> bool:
        """True when `value` is on the wrong side of the threshold for this metric's direction."""
        if self.threshold is None or value is None:
            return False
        return value < self.threshold if self.higher_is_better else value > self.threshold

    def to_dict(self, task: str) -> dict[str, Any]:
        return {**asdict(self), "task": task}


class Task(ABC, Generic[InputT, ResultT]):
    """One thing a domain does, declared as data.

    `input_model` fields are parameters (str, int, date, ...) or files declared with
    `rightsized.domains.inputs.documents()` (ingested into the vector store; the task gets a
    `DocumentScope`) or `input_file()` (read by the task itself, e.g. a CSV table). `run` gets a
    `TaskContext` (retrieval, generation, capabilities, usage accounting) and returns a
    `result_model`; `outcome` reduces a result to the comparable values of a gold case's
    `expected`, and `score` turns (expected, outcome) into one `Score` per declared metric.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    input_model: ClassVar[type[BaseModel]]
    result_model: ClassVar[type[TaskResult]]
    metrics: ClassVar[tuple[MetricSpec, ...]] = ()

    @abstractmethod
    def run(self, ctx: TaskContext, inputs: InputT) -> ResultT: ...

    def case_name(self, inputs: InputT) -> str:
        """How a case is named in output and errors: the first file input's name by default."""
        for value in inputs.model_dump().values():
            if isinstance(value, Path):
                return value.name
        return self.name

    def case_folders(self, folder: Path) -> list[Path] | None:
        """The case folders of a `batch` folder input, or [] when `folder` is one case.

        None (the default) keeps the generic rule: a folder holding only subfolders is one case
        per subfolder, anything else one case. A domain overrides this when its documents tell
        a case apart better than the layout does (a stray manifest beside applicant folders, or
        one applicant's documents sorted into identity/ and address/ subfolders).
        """
        return None

    def outcome(self, result: ResultT) -> dict[str, Any]:
        """The comparable values of a result (the shape of `GoldCase.expected`)."""
        raise NotImplementedError(f"task '{self.name}' declares no outcome; it cannot be evaluated")

    def score(self, expected: Mapping[str, Any], outcome: Mapping[str, Any] | None) -> dict[str, Score]:
        """One score per declared metric; `outcome` is None when the case failed."""
        raise NotImplementedError(f"task '{self.name}' declares no scoring; it cannot be evaluated")

    @property
    def primary_metric(self) -> MetricSpec | None:
        return next((m for m in self.metrics if m.primary), None)


@dataclass(frozen=True)
class GoldCase:
    """One evaluation case: which task, its input (file inputs relative to the corpus root),
    and the expected comparable values (whatever the task's `outcome` returns)."""

    case_id: str
    domain: str
    task: str
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
    path.write_text("".join(json.dumps(c.to_dict(), sort_keys=True, default=str) + "\n" for c in cases))


def read_gold(path: Path) -> list[GoldCase]:
    if not path.exists():
        raise ConfigError(f"{path}: no gold file; build the sample corpus first")
    return [GoldCase.from_dict(json.loads(line)) for line in path.read_text().splitlines() if line]


@dataclass(frozen=True)
class Corpus:
    """A built suite: documents under `root`, gold cases whose file inputs are relative to it."""

    root: Path
    gold: list[GoldCase] = field(default_factory=list)


class SuiteUnavailable(Exception):
    """A suite cannot be built here (e.g. its real data is absent); the reason is reported."""


@dataclass(frozen=True)
class Resource:
    """Something a domain depends on at run time (a sanctions list, a model file), as
    `rightsized check DOMAIN` shows it: facts (date, size, hash) and warnings (e.g. stale)."""

    name: str
    facts: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


class Domain(ABC):
    """An industry: its tasks, its sample-corpus builder and (optionally) a real-data suite.

    `sensitive` marks domains whose documents hold personal data (KYC, HR, health): shared
    layers use it for safe defaults. `external_policy` says what a sensitive domain may send to
    a tier marked `external` (`rightsized.domains.privacy`); the safe default sends only text
    redacted by the domain's `redactor`, which also redacts every document before it is stored.
    `config_model` validates the domain's own settings (`domains.<name>` in the config file or
    `--set domains.<name>.<field>=...`); its defaults must be the safe ones.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    doc_types: ClassVar[tuple[str, ...]] = ()
    sensitive: ClassVar[bool] = False
    external_policy: ClassVar[ExternalPolicy] = "redacted"
    config_model: ClassVar[type[BaseModel] | None] = None
    # Case tags the report splits every tier's row by (e.g. ("typed", "scanned")): the same
    # cases measured per input variant, so a reader sees where a tier fails.
    report_by: ClassVar[tuple[str, ...]] = ()
    tasks: tuple[Task[Any, Any], ...] = ()

    def configure(self, raw: Mapping[str, Any] | None) -> BaseModel | None:
        """The domain's validated settings; errors name `domains.<name>.<field>`."""
        if self.config_model is None:
            if raw:
                raise ConfigError(f"domains.{self.name}: this domain takes no settings")
            return None
        try:
            return self.config_model.model_validate(dict(raw or {}))
        except ValidationError as exc:
            problems = "; ".join(f"domains.{self.name}.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"invalid configuration: {problems}") from exc

    def resources(self, config: BaseModel | None) -> list[Resource]:
        """What the domain loads at run time, with facts and warnings (none by default)."""
        return []

    def task(self, name: str | None = None) -> Task[Any, Any]:
        """The named task, or the first (default) task when no name is given."""
        if not self.tasks:
            raise ConfigError(f"domain '{self.name}' declares no tasks")
        if name is None:
            return self.tasks[0]
        for task in self.tasks:
            if task.name == name:
                return task
        raise ConfigError(f"domain '{self.name}' has no task '{name}'; tasks: "
                          + ", ".join(t.name for t in self.tasks))

    @property
    def primary_metric(self) -> MetricSpec | None:
        """The domain's headline metric: its default task's primary metric."""
        return self.tasks[0].primary_metric if self.tasks else None

    def metric_specs(self) -> list[dict[str, Any]]:
        """Every task's metric specs, as stored in a run (names unique within the domain)."""
        specs: dict[str, dict[str, Any]] = {}
        for task in self.tasks:
            for metric in task.metrics:
                if metric.name in specs:
                    raise ConfigError(f"domain '{self.name}': metric '{metric.name}' declared twice")
                specs[metric.name] = metric.to_dict(task.name)
        return list(specs.values())

    @abstractmethod
    def build_corpus(self, out_dir: Path, *, n: int, seed: int) -> Corpus:
        """Write a deterministic sample corpus (documents + gold) under `out_dir`."""

    def real_corpus(self, out_dir: Path, config: BaseModel | None = None) -> Corpus:
        """Gold cases from real public data; raise `SuiteUnavailable` with the reason when absent.
        `config` is the domain's validated settings: data that may not be redistributed is read
        from a path configured there, never shipped."""
        raise SuiteUnavailable(f"domain '{self.name}' has no real-data suite")

    def redactor(self, config: BaseModel | None) -> Redactor | None:
        """What removes identifiers from this domain's text before it is chunked, embedded and
        stored, and before a prompt goes to an external tier; None: nothing is removed."""
        return None

    def sectioner(self, config: BaseModel | None) -> Sectioner | None:
        """What splits this domain's loaded text into units a chunk must not cross (a manual's
        table rows, so each is cited whole); None: pages and records are the only units."""
        return None

    def benchmarks(self) -> list[Benchmark]:
        """The domain's own benchmarks (`rightsized bench domain NAME`); none by default."""
        return []

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        """Domain keys for a file at ingest (e.g. doc_type); merged into each chunk's metadata."""
        return {}

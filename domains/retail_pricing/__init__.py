"""Retail pricing: demand forecasts with intervals, prices inside written policy, catalogue answers.

Numbers come from tested statistical code (statsforecast models chosen by a rolling-origin
backtest, log-log elasticity, a recommender that cannot return a price a retrieved clause
forbids); an LLM tier only explains, and its explanation is dropped when it holds a number the
tools did not produce.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rightsized.domains.base import Corpus, Domain
from rightsized.domains.bench import Benchmark
from rightsized.domains.retail_pricing.tasks import AskTask, ForecastTask, PriceTask


class RetailConfig(BaseModel):
    """`domains.retail_pricing.*` settings."""

    external_dir: Path | None = Field(
        None, description="Folder of the real evaluation data (../shared/data/external/retail_pricing): "
                          "UCI weekly sales, Walmart weekly store sales, Iowa liquor catalogue. Read in place; "
                          "only the CC BY 4.0 UCI table is ever copied.")


class RetailDomain(Domain):
    name = "retail_pricing"
    description = "Demand forecasting, price recommendation within policy, catalogue and policy questions."
    doc_types = ("policy", "price_list")
    config_model = RetailConfig
    tasks = (ForecastTask(), PriceTask(), AskTask())

    def build_corpus(self, out_dir: Path, *, n: int = 16, seed: int = 7) -> Corpus:
        from rightsized.domains.retail_pricing.corpus import build_corpus

        return build_corpus(out_dir, n=n, seed=seed)

    def real_corpus(self, out_dir: Path, config: BaseModel | None = None) -> Corpus:
        from rightsized.domains.retail_pricing.real import build_real_corpus

        return build_real_corpus(out_dir, getattr(config, "external_dir", None))

    def benchmarks(self) -> list[Benchmark]:
        from rightsized.domains.retail_pricing.bench import BENCHMARKS

        return list(BENCHMARKS)

    def metadata(self, path: Path, root: Path) -> dict[str, Any]:
        """A price list by its name ("price_list.pdf", "Pricelist 2026.xlsx"); anything else in the
        policy folder is policy. A name that also says policy, rules or promotions is policy:
        "list_price_and_promotions_policy.md" was taken for a price list, and `price`, which reads
        only policy documents, never saw its discount cap."""
        stem = path.stem.lower()
        listed = _PRICE_LIST.search(stem) is not None and _RULES.search(stem) is None
        return {"doc_type": "price_list" if listed else "policy"}


_PRICE_LIST = re.compile(r"price[\s_.-]*list")
_RULES = re.compile(r"polic|rule|guideline|standard|promotion|discount|markdown|terms")


domain = RetailDomain()

"""The `real` suite: public retail data, read from `domains.retail_pricing.external_dir`.

- UCI Sales Transactions Weekly (CC BY 4.0; Tan & San Lau 2014): 811 products x 52 weeks. One
  `forecast` case per product: weeks W0-W43 are the history, W44-W51 the held-out 8 weeks (the
  split the data's SOURCES.md prescribes). The data has no dates: week W0 is dated 2014-01-06
  only so the table has a calendar. Being CC BY 4.0, the converted table may be copied (into
  the suite folder, with its attribution).
- Walmart weekly store sales (45 stores x 143 weeks; licence not stated: read from the
  configured folder, converted into the run's data folder only, never into the repository).
  One case per store with the last 8 weeks held out (tag `walmart`), plus the same stores at the
  two earlier 8-week origins (tag `walmart_rolling`: the three origins together are the rolling
  figure). History shorter than two years plus the backtest would lose the yearly season, so
  these cases choose the model on one backtest origin.
- Iowa liquor sales, one day (state open data): the 1,175 items become a price list (our
  rendering of their catalogue fields); `ask` cases ask the list price, supplier and pack size of
  seeded items, with exact answers from the data.
- Elasticity recovery: `price` cases on the sample corpus, one per SKU (store S01), scored on
  |estimated - true| elasticity (the truth exists only for generated data).
No threshold here was tuned on these sets; the item samples are seeded, not picked.
"""
from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from rightsized.domains.base import Corpus, GoldCase, SuiteUnavailable, write_gold

DOMAIN = "retail_pricing"
UCI = "uci_sales_transactions_weekly/Sales_Transactions_Dataset_Weekly.csv"
WALMART = "walmart_weekly_store_sales/walmart_weekly_store_sales.csv"
IOWA = "iowa_liquor_sales_2012_01_31/IA_liquor_sales_2012-01-31.csv"
UCI_START = date(2014, 1, 6)
HOLDOUT = 8
IOWA_ITEMS = 40
SEED = 2026
UCI_ATTRIBUTION = ("Sales Transactions Dataset Weekly, UCI Machine Learning Repository (Tan, S.C. & San Lau, J.P., "
                   "2014), licensed CC BY 4.0. Converted to long format; weeks W0-W43 only; dates are placeholders.\n")


def _mase_scale(history: list[float], season: int) -> float | None:
    h = np.asarray(history, dtype=float)
    if len(h) <= season:
        return None
    scale = float(np.mean(np.abs(h[season:] - h[:-season])))
    return scale or None


def uci_cases(source: Path, root: Path) -> list[GoldCase]:
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    weeks = [f"W{i}" for i in range(52)]
    table = root / "uci_weekly.csv"
    cases = []
    with table.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["week", "store", "sku", "units"])
        for row in rows:
            values = [float(row[w]) for w in weeks]
            for i, value in enumerate(values[:-HOLDOUT]):
                out.writerow([(UCI_START + timedelta(weeks=i)).isoformat(), "UCI", row["Product_Code"], int(value)])
            cases.append(GoldCase(
                case_id=f"uci_{row['Product_Code']}", domain=DOMAIN, task="forecast",
                input={"sales": table.name, "store": "UCI", "sku": row["Product_Code"], "horizon": HOLDOUT, "origins": 3},
                expected={"actual": values[-HOLDOUT:], "mase_scale": _mase_scale(values[:-HOLDOUT], 1)},
                tags=("real", "uci", "forecast")))
    (root / "UCI_ATTRIBUTION.txt").write_text(UCI_ATTRIBUTION)
    return cases


def walmart_cases(source: Path, root: Path) -> list[GoldCase]:
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_store: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_store.setdefault(row["Store"], []).append(row)
    cases = []
    for origin in range(3):  # 0: the last 8 weeks held out; 1, 2: earlier origins
        cut = HOLDOUT * (origin + 1)
        table = root / f"walmart_origin{origin}.csv"
        with table.open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["week", "store", "sku", "units", "holiday"])
            for store, items in by_store.items():
                items = sorted(items, key=lambda r: r["Date"])
                for row in items[:-cut]:
                    out.writerow([row["Date"], store, "ALL", row["Weekly_Sales"], row["Holiday_Flag"]])
                history = [float(r["Weekly_Sales"]) for r in items[:-cut]]
                actual = [float(r["Weekly_Sales"]) for r in items[len(items) - cut: len(items) - cut + HOLDOUT]]
                cases.append(GoldCase(
                    case_id=f"walmart_s{int(store):02d}_o{origin}", domain=DOMAIN, task="forecast",
                    input={"sales": table.name, "store": store, "sku": "ALL", "horizon": HOLDOUT, "origins": 1},
                    expected={"actual": actual, "mase_scale": _mase_scale(history, 52)},
                    tags=("real", "forecast", "walmart_rolling", *(("walmart",) if origin == 0 else ()))))
    return cases


def iowa_cases(source: Path, root: Path) -> list[GoldCase]:
    with source.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    items: dict[str, dict[str, str]] = {}
    for row in rows:  # the first row of an item with both prices (a few rows leave them empty)
        if row["state_bottle_cost"].strip() and row["state_bottle_retail"].strip():
            items.setdefault(row["item_number"], row)
    folder = root / "iowa_catalogue"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [f"{r['item_number']} {r['item_description']} {r['bottle_volume_ml']} ml | category {r['category_name']} | "
             f"pack size {r['pack']} | supplier {r['vendor_name']} | cost {float(r['state_bottle_cost']):.2f} | "
             f"list price {float(r['state_bottle_retail']):.2f}" for r in sorted(items.values(), key=lambda r: (len(r["item_number"]), r["item_number"]))]
    (folder / "iowa_price_list.md").write_text(
        "# Iowa Alcoholic Beverages Division - state price list, 2012-01-31\n\n" + "\n\n".join(lines) + "\n")
    rng = random.Random(SEED)
    cases = []
    for number in rng.sample(sorted(items), IOWA_ITEMS):
        r = items[number]
        for kind, question, answer in (
                ("price", f"What is the list price of item {number}?", f"{float(r['state_bottle_retail']):.2f}"),
                ("supplier", f"Which vendor supplies item {number}?", r["vendor_name"]),
                ("pack", f"What is the pack size of item {number}?", r["pack"])):
            cases.append(GoldCase(case_id=f"iowa_{number}_{kind}", domain=DOMAIN, task="ask",
                                  input={"documents": folder.name, "question": question},
                                  expected={"answer": answer}, tags=("real", "iowa", "ask", kind)))
    return cases


def elasticity_cases(root: Path) -> list[GoldCase]:
    from rightsized.domains.retail_pricing.corpus import price_case
    from rightsized.domains.retail_pricing.corpus import build_corpus as build_sample
    from rightsized.domains.retail_pricing.simulate import simulate

    build_sample(root / "sample_build", n=0, seed=7)
    sims = [s for s in simulate(7) if s.store == "S01"]
    cases = []
    for i, s in enumerate(sims):
        case = price_case(i, s, date(2026, 1, 5))
        relative = {k: (str(Path("sample_build/documents") / v) if k in ("sales", "catalogue", "policy") else v)
                    for k, v in case.input.items()}
        cases.append(GoldCase(case_id=f"elasticity_{s.product.product.sku}", domain=DOMAIN, task="price",
                              input=relative, expected=case.expected, tags=("real", "elasticity", "sample_corpus")))
    return cases


def build_real_corpus(out_dir: Path, external_dir: Path | None) -> Corpus:
    if external_dir is None:
        raise SuiteUnavailable("set domains.retail_pricing.external_dir to the retail_pricing folder of "
                               "../shared/data/external (UCI, Walmart, Iowa data)")
    external_dir = Path(external_dir).expanduser()
    missing = [name for name in (UCI, WALMART, IOWA) if not (external_dir / name).is_file()]
    if missing:
        raise SuiteUnavailable(f"{external_dir}: missing {', '.join(missing)}")
    root = out_dir / "documents"
    root.mkdir(parents=True, exist_ok=True)
    gold = [*uci_cases(external_dir / UCI, root), *walmart_cases(external_dir / WALMART, root),
            *iowa_cases(external_dir / IOWA, root), *elasticity_cases(root)]
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(root, gold)

"""The deterministic sample corpus: sales tables, catalogue, policy documents and gold cases.

Layout under `documents/`:
    tables/sales_weekly.csv   156 weeks of history per store x SKU (3 stores x 8 SKUs)
    tables/sales_daily.csv    the last 364 days of the same history
    tables/catalogue.csv      the product catalogue
    policy/pricing_policy.md  shelf pricing policy (margins, ceiling, competitor, endings)
    policy/promotion_policy.pdf  promotion policy (discounts, blackout)
    policy/price_list.pdf     the catalogue as a price list (what `ask` reads)
Ground truth (in gold.jsonl): the held-out weeks/days, the true elasticities and the price that
maximises true expected margin under the true policy. Cases cycle forecast, price and ask so any
n has all three (n=16: 6 forecast, 6 price, 4 ask).
"""
from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
from fpdf import FPDF

from rightsized.domains.base import Corpus, GoldCase, write_gold
from rightsized.domains.retail_pricing.catalog import (
    ENDINGS, MAX_DISCOUNT_PERSONAL_CARE, MIN_MARGIN, PRODUCTS, RETAILER, price_list_lines, pricing_policy_markdown,
    promotion_policy_lines, true_rules,
)
from rightsized.domains.retail_pricing.policy import PriceContext
from rightsized.domains.retail_pricing.simulate import (
    DAILY_FUTURE_DAYS, DAILY_HISTORY_DAYS, FUTURE_WEEKS, HISTORY_WEEKS, START, SimulatedSeries, future_rate_at, simulate,
)

DOMAIN = "retail_pricing"
PATTERN = ("forecast", "price", "ask", "forecast", "price", "forecast", "price", "ask")
PRICE_DATES = (date(2026, 1, 5), date(2026, 1, 5), date(2026, 11, 30))  # the third is in the blackout period
WEEKLY, DAILY, CATALOGUE = "tables/sales_weekly.csv", "tables/sales_daily.csv", "tables/catalogue.csv"


def _pdf(title: str, lines: list[str], size: int = 10) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=size)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return pdf


def _write_tables(root: Path, sims: list[SimulatedSeries]) -> None:
    (root / "tables").mkdir(parents=True, exist_ok=True)
    with (root / WEEKLY).open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["week", "store", "sku", "units", "price", "promo", "holiday", "stockout", "competitor_price"])
        for s in sims:
            for i in range(HISTORY_WEEKS):
                out.writerow([s.weeks[i].isoformat(), s.store, s.product.product.sku, int(s.units[i]), f"{s.price[i]:.2f}",
                              int(s.promo[i]), int(s.holiday[i]), int(s.stockout[i]), f"{s.competitor[i]:.2f}"])
    first = HISTORY_WEEKS * 7 - DAILY_HISTORY_DAYS
    with (root / DAILY).open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["date", "store", "sku", "units", "price", "promo", "holiday", "stockout"])
        for s in sims:
            for d in range(first, HISTORY_WEEKS * 7):
                w = d // 7
                out.writerow([date.fromordinal(START.toordinal() + d).isoformat(), s.store, s.product.product.sku,
                              int(s.daily_units[d]), f"{s.daily_price[d]:.2f}", int(s.promo[w]), int(s.holiday[w]),
                              int(s.stockout[w])])
    with (root / CATALOGUE).open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["sku", "name", "category", "cost", "list_price", "pack_size", "supplier"])
        for sample in PRODUCTS:
            p = sample.product
            out.writerow([p.sku, p.name, p.category, f"{p.cost:.2f}", f"{p.list_price:.2f}", p.pack_size, p.supplier])


def write_policy(root: Path) -> None:
    folder = root / "policy"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pricing_policy.md").write_text(pricing_policy_markdown())
    _pdf(f"{RETAILER} - Promotion Policy", promotion_policy_lines()).output(str(folder / "promotion_policy.pdf"))
    _pdf(f"{RETAILER} - Price List 2026", price_list_lines([s.product for s in PRODUCTS]), size=8).output(
        str(folder / "price_list.pdf"))


def _mase_scale(history: np.ndarray, season: int) -> float | None:
    """In-sample mean |y_t - y_{t-season}|: the denominator of MASE (`eval.metrics.mase`)."""
    if len(history) <= season:
        return None
    scale = float(np.mean(np.abs(history[season:] - history[:-season])))
    return scale or None


def _forecast_case(i: int, s: SimulatedSeries, daily: bool) -> GoldCase:
    sku = s.product.product.sku
    if daily:
        span = slice(HISTORY_WEEKS * 7 - DAILY_HISTORY_DAYS, HISTORY_WEEKS * 7)
        actual = s.daily_units[HISTORY_WEEKS * 7: HISTORY_WEEKS * 7 + DAILY_FUTURE_DAYS]
        inputs = {"sales": DAILY, "store": s.store, "sku": sku, "horizon": DAILY_FUTURE_DAYS, "origins": 3}
        scale, tags = _mase_scale(s.daily_units[span], 7), ("synthetic", "forecast", "daily")
    else:
        actual = s.units[HISTORY_WEEKS:]
        inputs = {"sales": WEEKLY, "store": s.store, "sku": sku, "horizon": FUTURE_WEEKS, "origins": 3}
        scale, tags = _mase_scale(s.units[:HISTORY_WEEKS], 52), ("synthetic", "forecast", "weekly")
    return GoldCase(case_id=f"forecast_{i:03d}", domain=DOMAIN, task="forecast", input=inputs,
                    expected={"actual": [float(a) for a in actual], "mase_scale": scale}, tags=tags,
                    notes=f"{s.store}/{sku} held-out {'days' if daily else 'weeks'}")


def oracle_price(s: SimulatedSeries, as_of: date) -> tuple[float | None, dict[str, object]]:
    """The price maximising true expected margin under the true policy (None: no compliant price)."""
    p = s.product.product
    competitor = float(s.competitor[HISTORY_WEEKS - 1])
    ctx = PriceContext(p.category, p.cost, p.list_price, competitor, as_of)
    rules = [r for r in true_rules() if r.applies(ctx)]
    prices = np.arange(int(round((p.cost + 0.01) * 100)), int(round(p.list_price * 3 * 100)) + 1) / 100
    ok = [float(x) for x in prices if all(r.allows(float(x), ctx) for r in rules)]
    reference = float(s.regular_price[HISTORY_WEEKS - 1])
    base = future_rate_at(s, reference)
    context = {"category": p.category, "cost": p.cost, "list_price": p.list_price, "competitor_price": competitor,
               "as_of": as_of.isoformat()}
    if not ok:
        return None, {"context": context, "base_units": base, "reference_price": reference}
    margins = [(x - p.cost) * base * (x / reference) ** s.product.elasticity for x in ok]
    return ok[int(np.argmax(margins))], {"context": context, "base_units": base, "reference_price": reference}


def price_case(i: int, s: SimulatedSeries, as_of: date) -> GoldCase:
    best, extra = oracle_price(s, as_of)
    sku = s.product.product.sku
    inputs = {"sales": WEEKLY, "catalogue": CATALOGUE, "policy": "policy", "store": s.store, "sku": sku,
              "as_of": as_of.isoformat(), "horizon": 4}
    tags = ("synthetic", "price", "blackout" if as_of.month == 11 else "regular", "feasible" if best else "infeasible")
    return GoldCase(case_id=f"price_{i:03d}", domain=DOMAIN, task="price", input=inputs,
                    expected={"optimal_price": best, "true_elasticity": s.product.elasticity, **extra}, tags=tags,
                    notes=f"{s.store}/{sku} as of {as_of}")


def ask_questions() -> list[tuple[str, str, str]]:
    """(question, answer, kind) over the price list and the policy."""
    qs = []
    for sample in PRODUCTS:
        p = sample.product
        qs += [(f"What is the list price of {p.name} ({p.sku})?", f"{p.list_price:.2f}", "catalogue"),
               (f"Who supplies the {p.name}?", p.supplier, "catalogue"),
               (f"What is the pack size of {p.sku}?", p.pack_size, "catalogue")]
    for category, pct in MIN_MARGIN.items():
        qs.append((f"What is the minimum margin for {category} items?", f"{pct}%", "policy"))
    qs.append(("What is the maximum discount for Personal Care items?", f"{MAX_DISCOUNT_PERSONAL_CARE}%", "policy"))
    for category, ends in ENDINGS.items():
        qs.append((f"Which price endings are allowed for {category}?", " or ".join(f".{e:02d}" for e in ends), "policy"))
    return qs


def build_corpus(out_dir: Path, *, n: int, seed: int) -> Corpus:
    root = out_dir / "documents"
    sims = simulate(seed)
    _write_tables(root, sims)
    write_policy(root)
    rng = np.random.default_rng(seed + 1)
    order = rng.permutation(len(sims))
    questions = ask_questions()
    q_order = rng.permutation(len(questions))
    gold: list[GoldCase] = []
    counts = {"forecast": 0, "price": 0, "ask": 0}
    for i in range(n):
        task = PATTERN[i % len(PATTERN)]
        k = counts[task]
        counts[task] += 1
        s = sims[int(order[(k * 5 + (task == "price") * 3) % len(sims)])]
        if task == "forecast":
            gold.append(_forecast_case(i, s, daily=k % 6 == 5))
        elif task == "price":
            gold.append(price_case(i, s, PRICE_DATES[k % len(PRICE_DATES)]))
        else:
            question, answer, kind = questions[int(q_order[k % len(questions)])]
            gold.append(GoldCase(case_id=f"ask_{i:03d}", domain=DOMAIN, task="ask",
                                 input={"documents": "policy", "question": question},
                                 expected={"answer": answer}, tags=("synthetic", "ask", kind)))
    write_gold(gold, out_dir / "gold.jsonl")
    return Corpus(root, gold)

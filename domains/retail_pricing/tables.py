"""Sales and catalogue tables, read as tables and validated row by row.

Why a strict reader of our own instead of `pandas.read_csv`: a forecast built on a silently
coerced table is a silent wrong answer. Text in a numeric column, negative sales, a duplicated
(store, SKU, period) row or a missing week each stop the read with an `IngestError` naming the
file, the line and the column, so the analyst can fix the export instead of trusting a number.

Sales table (one row per store x SKU x period, weekly or daily; oldest first is not required)::

    week,store,sku,units,price,promo,holiday,stockout,competitor_price
    2023-01-02,S01,BEV-001,132,2.99,0,1,0,3.09

`date` may replace `week` (a daily table). `price` (needed by `price`, not by `forecast`),
`promo`, `holiday`, `stockout` (0/1) and `competitor_price` are optional. A `stockout` of 1 marks zero (or low) sales that are not zero
demand: forecasting imputes those periods and elasticity leaves them out.

Column names are read as exports write them: case, spaces, hyphens and underscores aside ("List
Price", "Pack-Size", "IsHoliday"), and under the other names of `SYNONYMS` ("Qty", "Units Sold",
"Item ID", "Vendor", "RRP"). Two columns that both name one field stop the read: which one is
meant is not guessed.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from rightsized.pipelines.errors import IngestError

SALES_REQUIRED = ("store", "sku", "units")
# Other names exports give the fields (compared as lower-case letters and digits only).
SYNONYMS = {
    "week": ("weekstart", "weekstarting", "weekbeginning", "weekof"),
    "date": ("day", "salesdate", "transactiondate"),
    "store": ("storeid", "storeno", "storenumber", "shop", "shopid", "location", "locationid"),
    "sku": ("skuid", "itemid", "itemno", "itemnumber", "itemcode", "productid", "productcode", "article", "articleid"),
    "units": ("unitssold", "quantity", "qty", "qtysold", "quantitysold", "unitsales", "salesunits"),
    "price": ("unitprice", "sellingprice", "shelfprice", "salesprice", "avgprice"),
    "promo": ("promotion", "onpromo", "onpromotion", "promoflag"),
    "holiday": ("isholiday", "holidayflag"),
    "stockout": ("outofstock", "oos", "stockoutflag"),
    "competitor_price": ("competitorprice", "compprice", "competitor"),
    "name": ("productname", "itemname", "description", "itemdescription"),
    "category": ("productcategory", "categoryname", "department"),
    "cost": ("unitcost", "costprice"),
    "list_price": ("listprice", "rrp", "msrp", "retailprice", "list"),
    "pack_size": ("packsize", "pack", "casepack", "size"),
    "supplier": ("vendor", "vendorname", "suppliername", "manufacturer"),
}
_CANONICAL = {alias: name for name, aliases in SYNONYMS.items() for alias in (*aliases, name.replace("_", ""))}
# "Item" is the product's name beside a SKU column (Square's and Shopify's exports: "Item", "SKU") and
# the SKU itself when no other column gives one (Kaggle's "date,store,item,sales").
_ITEM = "item"
SALES_FLAGS = ("promo", "holiday", "stockout")
CATALOGUE_REQUIRED = ("sku", "name", "category", "cost", "list_price", "pack_size", "supplier")


@dataclass
class Series:
    """One store x SKU history, ordered by period, with no gaps (checked on read)."""

    store: str
    sku: str
    periods: list[date]
    units: np.ndarray
    price: np.ndarray  # NaN where the table has no price column
    promo: np.ndarray
    holiday: np.ndarray
    stockout: np.ndarray
    competitor_price: np.ndarray  # NaN where the table has none

    @property
    def key(self) -> str:
        return f"{self.store}/{self.sku}"


@dataclass
class SalesTable:
    path: Path
    step_days: int  # 7 (weekly) or 1 (daily)
    series: dict[tuple[str, str], Series] = field(default_factory=dict)

    @property
    def frequency(self) -> str:
        return "weekly" if self.step_days == 7 else "daily"

    def get(self, store: str, sku: str) -> Series:
        try:
            return self.series[(store, sku)]
        except KeyError:
            known = ", ".join(f"{s}/{k}" for s, k in sorted(self.series)[:12])
            raise IngestError(self.path, f"no rows for store '{store}', SKU '{sku}'; series in the file include: {known}") from None

    def require_prices(self, series: Series) -> None:
        if np.isnan(series.price).any():
            raise IngestError(self.path, f"column 'price' is missing or empty for store {series.store}, SKU {series.sku}: "
                                         "pricing needs the price of every period")

    def for_sku(self, sku: str) -> list[Series]:
        return [s for (_, k), s in sorted(self.series.items()) if k == sku]


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    cost: float
    list_price: float
    pack_size: str
    supplier: str


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for every data row; the header is checked for required columns."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")  # "-sig": Excel starts its UTF-8 CSVs with a BOM
    except OSError as exc:
        raise IngestError(path, f"cannot open: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            written = [h.strip() for h in next(reader)]
        except StopIteration:
            raise IngestError(path, "empty file (no header row)") from None
        except UnicodeDecodeError as exc:
            raise IngestError(path, f"line 1: not valid UTF-8 ({exc.reason})") from exc
        header = _header(path, written)
        missing = [c for c in required if c not in header]
        if missing:
            hint = next((f" (the file looks {name}-separated: save it with commas)" for mark, name in
                         ((";", "semicolon"), ("\t", "tab"), ("|", "pipe")) if len(header) == 1 and mark in written[0]), "")
            raise IngestError(path, f"line 1: missing column(s) {', '.join(missing)}; header is {', '.join(written)}{hint}")
        try:
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    raise IngestError(path, f"line {line}: {len(values)} fields, the header has {len(header)}")
                yield line, {h: v.strip() for h, v in zip(header, values, strict=True)}
        except UnicodeDecodeError as exc:
            raise IngestError(path, f"line {reader.line_num + 1}: not valid UTF-8 ({exc.reason})") from exc
        except csv.Error as exc:
            raise IngestError(path, f"line {reader.line_num}: malformed CSV ({exc})") from exc


def _header(path: Path, written: list[str]) -> list[str]:
    """The header's columns under the names this reader uses ("Units Sold" -> units); a column it
    does not know keeps its own name, lower-cased."""
    header = [_CANONICAL.get(re.sub(r"[^a-z0-9]", "", h.lower()), h.lower()) for h in written]
    header = [_item_field(header) if h == _ITEM else h for h in header]
    for name in dict.fromkeys(header):
        both = [w for w, h in zip(written, header) if h == name]
        if len(both) > 1:
            raise IngestError(path, f"line 1: columns {' and '.join(repr(w) for w in both)} both give '{name}'; "
                                    "keep one of them")
    return header


def _item_field(header: list[str]) -> str:
    """What a column headed "Item" gives: the SKU, unless another column gives it."""
    return "name" if "sku" in header else "sku"


def _number(path: Path, line: int, column: str, text: str, *, minimum: float | None = 0.0) -> float:
    try:
        value = float(text)
    except ValueError:
        raise IngestError(path, f"line {line}, column '{column}': {text!r} is not a number") from None
    if not np.isfinite(value):
        raise IngestError(path, f"line {line}, column '{column}': {text!r} is not a finite number")
    if minimum is not None and value < minimum:
        what = "negative sales" if column == "units" else f"must be at least {minimum:g}"
        raise IngestError(path, f"line {line}, column '{column}': {text} ({what})")
    return value


def _flag(path: Path, line: int, column: str, text: str) -> int:
    if text in ("", "0", "1"):
        return int(text or 0)
    raise IngestError(path, f"line {line}, column '{column}': {text!r} is not 0 or 1")


def _date(path: Path, line: int, column: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise IngestError(path, f"line {line}, column '{column}': {text!r} is not an ISO date (YYYY-MM-DD)") from None


def read_sales(path: Path) -> SalesTable:
    """The whole sales table, validated; see the module docstring for the format and errors."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        header = _header(path, [h.strip() for h in next(csv.reader(handle), [])])
    period_col = "week" if "week" in header else "date"
    rows: dict[tuple[str, str], list[tuple[date, int, dict[str, str]]]] = {}
    for line, row in _rows(path, (period_col, *SALES_REQUIRED)):
        for column in (period_col, "store", "sku"):
            if not row[column]:
                raise IngestError(path, f"line {line}, column '{column}': empty")
        when = _date(path, line, period_col, row[period_col])
        rows.setdefault((row["store"], row["sku"]), []).append((when, line, row))
    if not rows:
        raise IngestError(path, "no data rows")
    step = 7 if period_col == "week" else 1
    table = SalesTable(path, step)
    for key, items in rows.items():
        table.series[key] = _series(path, key, sorted(items, key=lambda item: (item[0], item[1])), step, period_col)
    return table


def _series(path: Path, key: tuple[str, str], items: list[tuple[date, int, dict[str, str]]], step: int,
            period_col: str) -> Series:
    store, sku = key
    for (prev, prev_line, _), (when, line, _) in zip(items, items[1:]):
        if when == prev:
            raise IngestError(path, f"line {line}, column '{period_col}': duplicate row for store {store}, "
                                    f"SKU {sku}, {period_col} {when} (first on line {prev_line})")
        gap = (when - prev).days
        if gap != step:
            if gap % step:
                raise IngestError(path, f"line {line}, column '{period_col}': {when} is not {step} day(s) after "
                                        f"{prev} (line {prev_line}) for store {store}, SKU {sku}")
            missing = prev + timedelta(days=step)
            raise IngestError(path, f"line {line}, column '{period_col}': missing {period_col} {missing} for store "
                                    f"{store}, SKU {sku} (gap between {prev} on line {prev_line} and {when})")
    units, price, competitor = [], [], []
    flags: dict[str, list[int]] = {f: [] for f in SALES_FLAGS}
    for _, line, row in items:
        units.append(_number(path, line, "units", row["units"]))
        text = row.get("price", "")
        price.append(_number(path, line, "price", text, minimum=0.01) if text else np.nan)
        for name in SALES_FLAGS:
            flags[name].append(_flag(path, line, name, row.get(name, "")))
        text = row.get("competitor_price", "")
        competitor.append(_number(path, line, "competitor_price", text, minimum=0.01) if text else np.nan)
    return Series(store, sku, [when for when, _, _ in items], np.array(units), np.array(price),
                  np.array(flags["promo"]), np.array(flags["holiday"]), np.array(flags["stockout"]), np.array(competitor))


def read_catalogue(path: Path) -> dict[str, Product]:
    """The product catalogue (sku, name, category, cost, list_price, pack_size, supplier)."""
    path = Path(path)
    products: dict[str, Product] = {}
    lines: dict[str, int] = {}
    for line, row in _rows(path, CATALOGUE_REQUIRED):
        sku = row["sku"]
        if not sku:
            raise IngestError(path, f"line {line}, column 'sku': empty")
        if sku in products:
            raise IngestError(path, f"line {line}, column 'sku': duplicate SKU {sku} (first on line {lines[sku]})")
        cost = _number(path, line, "cost", row["cost"], minimum=0.0)
        list_price = _number(path, line, "list_price", row["list_price"], minimum=0.01)
        products[sku] = Product(sku, row["name"], row["category"], cost, list_price, row["pack_size"], row["supplier"])
        lines[sku] = line
    if not products:
        raise IngestError(path, "no data rows")
    return products

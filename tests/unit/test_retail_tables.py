"""Malformed sales and catalogue tables: each stops the read naming the file, the line and the column."""
from __future__ import annotations

from pathlib import Path

import pytest

from rightsized.domains.retail_pricing.tables import Product, read_catalogue, read_sales
from rightsized.pipelines.errors import IngestError

HEADER = "week,store,sku,units,price,promo,holiday,stockout,competitor_price\n"
GOOD = [
    "2025-01-06,S01,BEV-001,120,4.99,0,0,0,5.09",
    "2025-01-13,S01,BEV-001,131,4.99,0,0,0,5.09",
    "2025-01-20,S01,BEV-001,0,4.99,0,0,1,5.09",
    "2025-01-06,S02,BEV-001,80,4.49,1,0,0,5.09",
    "2025-01-13,S02,BEV-001,77,4.99,0,0,0,5.09",
]


def _table(tmp_path: Path, rows: list[str], name: str = "sales.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "\n".join(rows) + "\n")
    return path


def test_a_good_table_reads_into_gapless_series(tmp_path: Path) -> None:
    table = read_sales(_table(tmp_path, GOOD))
    assert table.frequency == "weekly" and set(table.series) == {("S01", "BEV-001"), ("S02", "BEV-001")}
    s01 = table.get("S01", "BEV-001")
    assert s01.units.tolist() == [120, 131, 0] and s01.stockout.tolist() == [0, 0, 1]
    assert [s.store for s in table.for_sku("BEV-001")] == ["S01", "S02"]


@pytest.mark.parametrize(("rows", "fragments"), [
    (GOOD[:1] + GOOD[2:], ["line 2", "column 'week'", "missing week 2025-01-13", "store S01, SKU BEV-001"]),
    ([GOOD[0], "2025-01-13,S01,BEV-001,-4,4.99,0,0,0,5.09"], ["line 3", "column 'units'", "negative sales"]),
    ([GOOD[0], GOOD[1], GOOD[1]], ["line 4", "column 'week'", "duplicate row", "first on line 3"]),
    ([GOOD[0], "2025-01-13,S01,BEV-001,12O,4.99,0,0,0,5.09"], ["line 3", "column 'units'", "'12O' is not a number"]),
    ([GOOD[0], "2025-01-13,S01,BEV-001,12,four,0,0,0,5.09"], ["line 3", "column 'price'", "'four' is not a number"]),
    ([GOOD[0], "2025-01-13,S01,BEV-001,12,4.99,yes,0,0,5.09"], ["line 3", "column 'promo'", "not 0 or 1"]),
    ([GOOD[0], "13/01/2025,S01,BEV-001,12,4.99,0,0,0,5.09"], ["line 3", "column 'week'", "not an ISO date"]),
    ([GOOD[0], "2025-01-13,S01,BEV-001,12,4.99"], ["line 3", "5 fields, the header has 9"]),
])
def test_malformed_sales_tables_name_file_line_and_column(tmp_path: Path, rows: list[str], fragments: list[str]) -> None:
    path = _table(tmp_path, rows, "bad_sales.csv")
    with pytest.raises(IngestError) as caught:
        read_sales(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message


def test_missing_columns_and_empty_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "no_units.csv"
    path.write_text("week,store,sku,price\n2025-01-06,S01,A,1.99\n")
    with pytest.raises(IngestError, match=r"no_units.csv: line 1: missing column\(s\) units"):
        read_sales(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(IngestError, match="empty file"):
        read_sales(empty)


def test_an_excel_export_with_a_bom_and_capitalised_header_reads(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfWeek,Store,SKU,Units,Price\r\n2025-01-06,S01,A,3,1.99\r\n2025-01-13,S01,A,4,1.99\r\n")
    assert read_sales(path).get("S01", "A").units.tolist() == [3, 4]
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_bytes(b"\xef\xbb\xbfSKU,Name,Category,Cost,List_Price,Pack_Size,Supplier\r\nA,Cola,beverages,1.0,1.99,6,Acme\r\n")
    assert read_catalogue(catalogue)["A"].list_price == 1.99


def test_a_semicolon_separated_table_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("week;store;sku;units\n2025-01-06;S01;A;3\n")
    with pytest.raises(IngestError, match=r"semi.csv: line 1: missing column\(s\).*semicolon-separated"):
        read_sales(path)


def test_unknown_series_and_missing_prices_are_explained(tmp_path: Path) -> None:
    table = read_sales(_table(tmp_path, GOOD))
    with pytest.raises(IngestError, match="no rows for store 'S09', SKU 'BEV-001'.*S01/BEV-001"):
        table.get("S09", "BEV-001")
    unpriced = tmp_path / "unpriced.csv"
    unpriced.write_text("week,store,sku,units\n2025-01-06,S01,A,3\n2025-01-13,S01,A,4\n")
    plain = read_sales(unpriced)
    with pytest.raises(IngestError, match="column 'price' is missing"):
        plain.require_prices(plain.get("S01", "A"))


def test_daily_tables_need_consecutive_days(tmp_path: Path) -> None:
    path = tmp_path / "daily.csv"
    path.write_text("date,store,sku,units,price\n2025-01-06,S01,A,3,1.99\n2025-01-07,S01,A,4,1.99\n"
                    "2025-01-09,S01,A,5,1.99\n")
    with pytest.raises(IngestError, match="line 4, column 'date': missing date 2025-01-08"):
        read_sales(path)


def test_catalogue_errors_name_line_and_column(tmp_path: Path) -> None:
    head = "sku,name,category,cost,list_price,pack_size,supplier\n"
    path = tmp_path / "catalogue.csv"
    path.write_text(head + "A,Water,Beverages,1.00,2.99,6 x 500 ml,Aqua\nA,Water,Beverages,1.00,2.99,6,Aqua\n")
    with pytest.raises(IngestError, match="line 3, column 'sku': duplicate SKU A"):
        read_catalogue(path)
    path.write_text(head + "A,Water,Beverages,1.00,n/a,6 x 500 ml,Aqua\n")
    with pytest.raises(IngestError, match="line 2, column 'list_price': 'n/a' is not a number"):
        read_catalogue(path)


def test_column_names_as_other_exports_write_them_read(tmp_path: Path) -> None:
    # before: "line 1: missing column(s) week, store, sku, units" for a table that has every one of them
    path = tmp_path / "pos_export.csv"
    path.write_text("Week Start,Store ID,Item ID,Units Sold,Unit Price,IsHoliday,Competitor Price\n"
                    "2025-01-06,S01,A,3,1.99,0,2.09\n2025-01-13,S01,A,4,1.99,1,2.09\n")
    series = read_sales(path).get("S01", "A")
    assert series.units.tolist() == [3, 4] and series.holiday.tolist() == [0, 1] and series.competitor_price[0] == 2.09
    catalogue = tmp_path / "items.csv"
    catalogue.write_text("Item Number,Product Name,Department,Unit Cost,RRP,Case Pack,Vendor\nA,Cola,Beverages,1.0,1.99,6,Acme\n")
    assert read_catalogue(catalogue)["A"] == Product("A", "Cola", "Beverages", 1.0, 1.99, "6", "Acme")
    twice = tmp_path / "twice.csv"
    twice.write_text("week,store,sku,units,qty\n2025-01-06,S01,A,3,3\n")
    with pytest.raises(IngestError, match=r"twice.csv: line 1: columns 'units' and 'qty' both give 'units'"):
        read_sales(twice)

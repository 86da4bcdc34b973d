"""The cross-engine comparison of tests/engines.py finds each kind of difference, and names the
mart, the key and the column; and it accepts what only the drivers spell differently."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from engines import Mart, differences

MART = Mart(
    "fct_example",
    ("month", "segment"),
    {
        "month": "date",
        "segment": "varchar",
        "account_id": "uuid",
        "mrr": "decimal(18,2)",
        "rate": "double",
        "share": "decimal(18,9)",
        "logos": "bigint",
    },
)
COLUMNS = ["month", "segment", "account_id", "mrr", "rate", "share", "logos"]
ACCOUNT = uuid.UUID("6f1c1f4e-3b0e-4d59-9a36-0f2a4b3c2d1e")
ROWS = [
    (dt.date(2025, 1, 1), "smb", ACCOUNT, Decimal("100.10"), 0.25, Decimal("0.333333333"), 3),
    (dt.date(2025, 2, 1), "smb", ACCOUNT, Decimal("90.00"), None, Decimal("0.5"), 2),
]


def replaced(row: tuple, column: str, value: object) -> tuple:
    values = list(row)
    values[COLUMNS.index(column)] = value
    return tuple(values)


def compare(rows):
    return differences(MART, (COLUMNS, ROWS), (COLUMNS, rows), "spark")


def test_the_same_rows_in_another_order_and_spelling_agree() -> None:
    spelled = [
        (dt.date(2025, 2, 1), "smb", str(ACCOUNT), Decimal("90.000"), None, 0.5, 2),
        (dt.date(2025, 1, 1), "smb", str(ACCOUNT), 100.1, 0.25 + 1e-12, 0.333333333, 3),
    ]
    assert compare(spelled) == []


def test_nan_is_not_null() -> None:
    (problem,) = compare([ROWS[0], replaced(ROWS[1], "rate", float("nan"))])
    assert ": rate: duckdb None, spark nan" in problem


def test_a_cent_is_a_difference_named_by_mart_key_and_column() -> None:
    rows = [replaced(ROWS[0], "mrr", Decimal("100.11")), ROWS[1]]
    assert compare(rows) == [
        "fct_example: key {'month': datetime.date(2025, 1, 1), 'segment': 'smb'}: mrr: "
        "duckdb Decimal('100.10'), spark Decimal('100.11')"
    ]


def test_a_rate_off_by_more_than_1e_9_is_a_difference() -> None:
    rows = [replaced(ROWS[0], "rate", 0.25 + 1e-8), ROWS[1]]
    (problem,) = compare(rows)
    assert ": rate: duckdb 0.25, spark 0.25000001" in problem


def test_a_null_against_a_value_and_an_exact_count_are_differences() -> None:
    rows = [replaced(ROWS[0], "logos", 4), replaced(ROWS[1], "rate", 0.0)]
    problems = compare(rows)
    assert len(problems) == 2
    assert any(": logos: duckdb 3, spark 4" in p for p in problems)
    assert any(": rate: duckdb None, spark 0.0" in p for p in problems)


def test_missing_and_extra_keys_and_counts_are_differences() -> None:
    rows = [ROWS[0], replaced(ROWS[0], "segment", "enterprise"), ROWS[1], ROWS[1]]
    problems = compare(rows)
    assert "fct_example: 2 rows on duckdb, 4 on spark" in problems
    extra = "{'month': datetime.date(2025, 1, 1), 'segment': 'enterprise'}"
    assert f"fct_example: key {extra}: spark only" in problems


def test_different_columns_are_one_difference() -> None:
    (problem,) = differences(MART, (COLUMNS, ROWS), (COLUMNS[::-1], ROWS), "postgres")
    assert problem.startswith("fct_example: columns differ")

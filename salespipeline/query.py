"""Ad-hoc, read-only SQL on the warehouse: ``salespipeline query "select ..."``.

The warehouse is opened read-only, so a query can never change what dbt built, and a reader
does not block other readers. DuckDB allows one writer at a time, though: while a dbt build
holds the file, even a reader is refused, and the user is told to retry rather than shown a
stack trace. The report (`salespipeline.report`) opens the warehouse through `open_warehouse`
too, so both commands explain a missing or busy warehouse the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

import duckdb

from salespipeline.warehouse import connect, warehouse_path

# Longest cell printed in the terminal table; longer text is cut with an ellipsis.
MAX_CELL_WIDTH = 60
NULL_TEXT = "NULL"
# Rows fetched from DuckDB at a time while counting the rows left after the printed ones.
FETCH_CHUNK = 10_000

_PID = re.compile(r"PID (\d+)")


class WarehouseError(Exception):
    """The warehouse cannot be read (missing, locked, not built); the message is shown as is."""


class QueryError(Exception):
    """DuckDB rejected the statement; the message is DuckDB's, on one line."""


def one_line(error: BaseException) -> str:
    """DuckDB's message without the caret diagram under it, on one line.

    DuckDB appends ``LINE 1: ...`` and a ``^^^`` pointer after a blank line; useful in a
    console, noise in a one-line error.
    """
    text = str(error).split("\n\nLINE ", 1)[0]
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def open_warehouse(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or a `WarehouseError` that says what to do about it."""
    target = path if path is not None else warehouse_path()
    if not target.is_file():
        raise WarehouseError(
            f"no warehouse at {target}: run `make run` first "
            "(or point --warehouse or SALESPIPELINE_DUCKDB at one)"
        )
    try:
        return connect(target, read_only=True)
    except duckdb.IOException as error:
        message = str(error)
        if "lock" in message.lower():
            pid = _PID.search(message)
            holder = f" (PID {pid.group(1)})" if pid else ""
            raise WarehouseError(
                f"the warehouse {target} is locked by another process{holder}, most likely a "
                "dbt build writing to it: retry when it finishes"
            ) from error
        raise WarehouseError(f"cannot open the warehouse {target}: {one_line(error)}") from error
    except duckdb.Error as error:
        raise WarehouseError(f"cannot open the warehouse {target}: {one_line(error)}") from error


@dataclass(frozen=True)
class QueryResult:
    """The first rows of a result and how many there were in all."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    total_rows: int

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)


def run_query(
    connection: duckdb.DuckDBPyConnection, sql: str, max_rows: int | None = None
) -> QueryResult:
    """Run `sql` and keep at most `max_rows` rows (all when None), counting the rest.

    The rows past the limit are fetched in chunks and only counted, so a large result can be
    previewed without holding it in memory.
    """
    try:
        cursor = connection.execute(sql)
        if cursor.description is None:
            return QueryResult(columns=(), rows=[], total_rows=0)
        columns = tuple(str(column[0]) for column in cursor.description)
        if max_rows is None:
            rows = cursor.fetchall()
            return QueryResult(columns=columns, rows=rows, total_rows=len(rows))
        rows = cursor.fetchmany(max_rows) if max_rows > 0 else []
        total = len(rows)
        while chunk := cursor.fetchmany(FETCH_CHUNK):
            total += len(chunk)
    except duckdb.Error as error:
        message = one_line(error)
        if "read-only mode" in message:
            message = (
                "the warehouse is opened read-only, so statements that change it are refused "
                f"(DuckDB: {message})"
            )
        raise QueryError(message) from error
    return QueryResult(columns=columns, rows=rows, total_rows=total)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell(value: object) -> str:
    """A value as the terminal shows it: NULL spelled out, floats without float noise."""
    if value is None:
        text = NULL_TEXT
    elif isinstance(value, float) and math.isfinite(value):
        text = repr(round(value, 6))
    elif isinstance(value, dt.date | dt.datetime | dt.time):
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    else:
        text = str(value)
    text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(text) > MAX_CELL_WIDTH:
        text = text[: MAX_CELL_WIDTH - 1] + "…"
    return text


def format_table(result: QueryResult) -> str:
    """Aligned columns under a header rule, numbers right-aligned, and a row-count footer."""
    if not result.columns:
        return "OK (the statement returned no result set)"
    cells = [[_cell(value) for value in row] for row in result.rows]
    numeric = [
        any(_is_number(row[index]) for row in result.rows)
        and all(row[index] is None or _is_number(row[index]) for row in result.rows)
        for index in range(len(result.columns))
    ]
    headers = [_cell(name) for name in result.columns]
    widths = [
        max([len(headers[index])] + [len(row[index]) for row in cells])
        for index in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    lines = [line(headers), "  ".join("-" * width for width in widths)]
    lines.extend(line(row) for row in cells)
    lines.append(footer(result))
    return "\n".join(lines)


def footer(result: QueryResult) -> str:
    """``3 rows``, or ``showing 50 of 1,234 rows (--max-rows 0 shows all)`` when cut."""
    noun = "row" if result.total_rows == 1 else "rows"
    if result.truncated:
        return (
            f"showing {len(result.rows):,} of {result.total_rows:,} {noun} "
            "(raise --max-rows, or 0 for all)"
        )
    return f"{result.total_rows:,} {noun}"


def write_csv(result: QueryResult, stream: TextIO) -> None:
    """A header and the rows; NULL is an empty field, dates in ISO format."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if value is None else _plain(value) for value in row])


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def _json_value(value: object) -> object:
    """JSON has no dates, UUIDs or NaN: ISO strings, strings and null. Finite decimals stay
    `Decimal`, for `to_json` to write as exact number tokens."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # ISO 8601 with a "T", as JSON readers expect
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    return value


def _encode(value: object, depth: int) -> str:
    """`value` as JSON text, laid out like ``json.dumps(indent=2)``, with every decimal written
    as a number token from its own digits.

    The json module can only write a decimal through a float (rounding 12345678901234567.89) or
    as a string (so one column would mix numbers and strings); a decimal's `str` is always a
    valid JSON number, so it is written as is and a reader that parses numbers exactly (e.g.
    ``json.loads(text, parse_float=Decimal)``) gets the warehouse's value back.
    """
    if isinstance(value, Decimal):
        return str(value)
    inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (
            f"{json.dumps(str(key), ensure_ascii=False)}: {_encode(item, depth + 1)}"
            for key, item in value.items()
        )
        return "{" + inner + ("," + inner).join(items) + outer + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = (_encode(item, depth + 1) for item in value)
        return "[" + inner + ("," + inner).join(items) + outer + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def to_json(result: QueryResult) -> str:
    """A list of objects, one per row, keyed by column name; decimals as exact numbers."""
    records = [
        {name: _json_value(value) for name, value in zip(result.columns, row, strict=True)}
        for row in result.rows
    ]
    return _encode(records, 0)

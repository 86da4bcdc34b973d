"""Ad-hoc, read-only SQL on the warehouse: ``salespipeline query "select ..."``.

The warehouse is opened read-only, so a query can never change what dbt built, and a reader
does not block other readers. Read-only in DuckDB's sense only protects the database file,
though: `COPY ... TO`, `EXPORT DATABASE`, `INSTALL`, `ATTACH`, URLs and the file readers
(`read_csv`, `read_text`, `glob`, ...) would still write files, read the rest of the machine or
reach the network. `open_warehouse` therefore also turns off DuckDB's external access and
extension autoloading, and locks the configuration so that no statement can turn them back on
(`READ_ONLY_CONFIG`, `SESSION_SETTINGS`); DuckDB then refuses those statements itself, whatever
their spelling, and `QueryError` says so on one line.

DuckDB allows one writer at a time: while a dbt build holds the file, even a reader is refused,
and the user is told to retry rather than shown a stack trace. The report
(`salespipeline.report`) opens the warehouse through `open_warehouse` too, so both commands
explain a missing or busy warehouse the same way and run under the same restrictions.

Results are fetched in chunks (`Rows.chunks`): CSV and JSON are written chunk by chunk, and the
rows a limit leaves out are only counted, so memory does not grow with the size of a result.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from uuid import UUID

import duckdb

from salespipeline.errors import one_line
from salespipeline.warehouse import warehouse_path

# Longest cell printed in the terminal table; longer text is cut with an ellipsis.
MAX_CELL_WIDTH = 60
NULL_TEXT = "NULL"
# Rows fetched from DuckDB at a time: the most a query holds in Python while it streams.
FETCH_CHUNK = 10_000

# What a query may reach besides the warehouse: nothing. With external access off, DuckDB
# refuses every file other than the warehouse's own (COPY, EXPORT, ATTACH, read_csv, read_text,
# glob), every URL, and installing or loading extensions; the extensions built into DuckDB
# (json, parquet, icu) still work. Known extensions are neither installed nor loaded behind a
# statement's back. DuckDB may still spill a result larger than memory into its own scratch
# folder next to the warehouse (`<file>.tmp`), which it deletes when the connection closes.
READ_ONLY_CONFIG: dict[str, str | bool] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}
# Set on the connection before any statement runs; DuckDB takes these per connection, not at
# connect time. The progress bar is off because DuckDB draws it on stdout, in the middle of
# the CSV or JSON of a query that runs for more than two seconds. The lock comes last and makes
# every setting final, so that `SET enable_external_access = true` cannot undo the rest.
SESSION_SETTINGS = (
    "set enable_progress_bar = false",
    "set lock_configuration = true",
)

_PID = re.compile(r"PID (\d+)")


class WarehouseError(Exception):
    """The warehouse cannot be read (missing, locked, not built); the message is shown as is."""


class QueryError(Exception):
    """DuckDB rejected the statement; the message is DuckDB's, on one line."""


def open_warehouse(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection without access to files, extensions or the network, its
    settings locked (`READ_ONLY_CONFIG`, `SESSION_SETTINGS`), or a `WarehouseError` that says
    what to do about it.

    A read-only connection needs no storage options: the file's own format is read as is.
    """
    target = path if path is not None else warehouse_path()
    if not target.is_file():
        raise WarehouseError(
            f"no warehouse at {target}: run `make run` first "
            "(or point --warehouse or SALESPIPELINE_DUCKDB at one)"
        )
    try:
        connection = duckdb.connect(str(target), read_only=True, config=dict(READ_ONLY_CONFIG))
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
    try:
        for setting in SESSION_SETTINGS:
            connection.execute(setting)
    except duckdb.Error as error:
        connection.close()
        raise WarehouseError(f"cannot open the warehouse {target}: {one_line(error)}") from error
    return connection


def _query_error(error: duckdb.Error) -> QueryError:
    """DuckDB's error on one line, with the reason in front when the restrictions refused it."""
    message = one_line(error)
    if isinstance(error, duckdb.PermissionException):
        return QueryError(
            "query refused: the warehouse is opened read-only, without access to files, "
            f"extensions or the network (DuckDB: {message})"
        )
    if "configuration has been locked" in message:
        return QueryError(
            "query refused: the read-only connection's settings are locked, so that files, "
            f"extensions and the network stay out of reach (DuckDB: {message})"
        )
    if "read-only mode" in message:
        return QueryError(
            "the warehouse is opened read-only, so statements that change it are refused "
            f"(DuckDB: {message})"
        )
    return QueryError(message)


@dataclass(frozen=True)
class Rows:
    """The result of a statement that has run, read chunk by chunk as it is consumed.

    `columns` is empty when the statement returns no result set (``checkpoint``, ``use``).
    """

    columns: tuple[str, ...]
    cursor: duckdb.DuckDBPyConnection | None

    def chunks(self, size: int = FETCH_CHUNK) -> Iterator[list[tuple[Any, ...]]]:
        """Up to `size` rows at a time until the result is exhausted."""
        if self.cursor is None:
            return
        while True:
            try:
                chunk = self.cursor.fetchmany(size)
            except duckdb.Error as error:
                raise _query_error(error) from error
            if not chunk:
                return
            yield chunk


def execute(connection: duckdb.DuckDBPyConnection, sql: str) -> Rows:
    """Run `sql` and return its rows unread, or raise a one-line `QueryError`.

    Errors that DuckDB only meets while producing rows surface from `Rows.chunks` instead, as
    a `QueryError` too. SQL with no statement in it (empty, blanks, only comments) is a
    `QueryError` rather than an empty result, so that a mistyped shell argument is noticed.
    """
    try:
        cursor = connection.execute(sql)
    except duckdb.Error as error:
        raise _query_error(error) from error
    if cursor is None:
        raise QueryError("nothing to run: the SQL is empty or only comments")
    if cursor.description is None:
        return Rows(columns=(), cursor=None)
    return Rows(columns=tuple(str(column[0]) for column in cursor.description), cursor=cursor)


@dataclass(frozen=True)
class RowCount:
    """How many rows were written or shown, out of how many the result had."""

    shown: int
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > self.shown


@dataclass(frozen=True)
class QueryResult:
    """The first rows of a result and how many there were in all."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    total_rows: int

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)

    @property
    def count(self) -> RowCount:
        return RowCount(shown=len(self.rows), total=self.total_rows)


def run_query(
    connection: duckdb.DuckDBPyConnection, sql: str, max_rows: int | None = None
) -> QueryResult:
    """Run `sql` and keep at most `max_rows` rows (all when None), counting the rest.

    For the terminal table, which needs every row it prints to size its columns; the rows past
    the limit are fetched in chunks and only counted.
    """
    result = execute(connection, sql)
    rows: list[tuple[Any, ...]] = []
    count = _consume(result, max_rows, rows.extend)
    return QueryResult(columns=result.columns, rows=rows, total_rows=count.total)


def _consume(
    result: Rows, max_rows: int | None, take: Callable[[list[tuple[Any, ...]]], None]
) -> RowCount:
    """Hand the first `max_rows` rows (all when None) to `take`, chunk by chunk; count the rest."""
    shown = total = 0
    for chunk in result.chunks():
        total += len(chunk)
        room = len(chunk) if max_rows is None else max_rows - shown
        if room > 0:
            kept = chunk if room >= len(chunk) else chunk[:room]
            take(kept)
            shown += len(kept)
    return RowCount(shown=shown, total=total)


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
    lines.append(footer(result.count))
    return "\n".join(lines)


def footer(count: RowCount) -> str:
    """``3 rows``, or ``showing 50 of 1,234 rows (raise --max-rows, or 0 for all)`` when cut."""
    noun = "row" if count.total == 1 else "rows"
    if count.truncated:
        return f"showing {count.shown:,} of {count.total:,} {noun} (raise --max-rows, or 0 for all)"
    return f"{count.total:,} {noun}"


def write_csv(result: Rows, stream: TextIO, max_rows: int | None = None) -> RowCount:
    """A header and the first `max_rows` rows (all when None), written chunk by chunk.

    NULL is an empty field and dates are ISO: the csv module writes None as an empty field and
    other values through `str`, which for dates, times and timestamps is their ISO form (with a
    space before the time), so chunks go to the writer as DuckDB returns them.
    """
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(result.columns)
    return _consume(result, max_rows, writer.writerows)


def _json_value(value: object) -> object:
    """JSON has no dates, UUIDs or NaN: ISO strings, strings and null. Finite decimals stay
    `Decimal`, for `write_json` to write as exact number tokens."""
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


_json_text = json.encoder.encode_basestring  # a JSON string, non-ASCII kept as is


def _json_record(keys: list[tuple[str, int]], row: tuple[Any, ...]) -> str:
    """One row as `_encode` writes it one level down, i.e. ``_encode(record, 1)``.

    The common scalars are written directly, as `_json_value` and the json module would write
    them, because a large result is millions of rows; anything else goes through `_json_value`
    and `_encode`. `keys` pairs each column name, already written as JSON and followed by
    ``": "``, with the index of its value in the row.
    """
    fields = []
    for key, index in keys:
        value = row[index]
        kind = type(value)
        if value is None:
            text = "null"
        elif kind is str:
            text = _json_text(value)
        elif kind is int:
            text = int.__repr__(value)
        elif kind is bool:
            text = "true" if value else "false"
        elif kind is float:
            text = float.__repr__(value) if math.isfinite(value) else "null"
        elif kind is Decimal:
            text = str(value) if value.is_finite() else "null"
        elif kind is dt.date or kind is dt.datetime or kind is dt.time:
            text = f'"{value.isoformat()}"'  # digits, signs, colons and T: nothing to escape
        else:
            text = _encode(_json_value(value), 2)
        fields.append(key + text)
    if not fields:
        return "{}"
    return "{\n    " + ",\n    ".join(fields) + "\n  }"


def write_json(result: Rows, stream: TextIO, max_rows: int | None = None) -> RowCount:
    """A list of objects, one per row, keyed by column name; decimals as exact numbers.

    Written chunk by chunk, so memory does not grow with the result, in exactly the layout
    `_encode` gives the whole list (two spaces of indent per level).
    """
    # As when each row was a dict: a repeated name keeps its first place and its last value.
    places = {name: index for index, name in enumerate(result.columns)}
    keys = [(json.dumps(name, ensure_ascii=False) + ": ", index) for name, index in places.items()]
    opened = False

    def write_rows(rows: list[tuple[Any, ...]]) -> None:
        nonlocal opened
        records = ",\n  ".join([_json_record(keys, row) for row in rows])
        stream.write((",\n  " if opened else "\n  ") + records)
        opened = True

    stream.write("[")
    count = _consume(result, max_rows, write_rows)
    stream.write("\n]\n" if opened else "]\n")
    return count

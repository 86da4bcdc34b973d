"""Load the generated CSVs into the raw tables of init_db: checked first, then all or nothing.

How a file is loaded:

1. Its header must name the data model's columns, in order, and every record must have one
   field per column (both checked in Python with the csv module). Optional columns, added to the
   data model later, may be left out of a file's header: they load as nulls. A UTF-8 byte-order
   mark, which spreadsheet programs write, is skipped. A field holds at most
   :data:`MAX_FIELD_BYTES` bytes (2,000,000: the line limit DuckDB's reader has by default).
2. DuckDB reads it as text into a temporary table (``all_varchar``, so a bad value cannot stop
   the reader halfway); a row's line in the file is its position + 2 (line 1 is the header).
   This assumes one record per line: no quoted field of ours holds a line break (the generator
   never writes one), otherwise the line numbers after it would be off.
3. SQL checks, over the whole file at once: required values present, every value has its
   column's type exactly (a cast may not round a decimal or drop a time zone offset) and fits a
   varchar(n), no primary key twice, every foreign key has a parent (in raw.<parent>, or, for
   ``load_all``, in the parent's file being loaded with it). The first failing row is reported
   as ``<file>:<line>: column <col>: <rule> (<value>)`` with the number of rows that break the
   same rule.
4. One transaction replaces the table's rows with the file's (for ``load_all``: every raw and
   reference table at once), so a failure leaves the tables as they were and running a loader
   twice leaves the same rows. A file with a header and no rows would empty its table, which is
   more often a failed export than the intent: it is refused unless ``allow_empty`` is given
   (``--allow-empty`` on the command line).

A quoted empty field (``""``) stays an empty string and a bare empty field is null, as the
generator writes them (docs/decisions.md, "CSV layout").
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from salespipeline.dataset import REFERENCE, SEEDS
from salespipeline.db.ddl import SCHEMA, create_table_sql, table_state
from salespipeline.errors import one_line
from salespipeline.schema import (
    FOREIGN_KEYS,
    TABLES,
    Column,
    column_names,
    primary_key,
    required_column_names,
)
from salespipeline.warehouse import connect, warehouse_path

REFERENCE_SCHEMA = "reference"
REFERENCE_SEEDS = ("opportunity_stages", "fx_rates", "campaigns")
_VALUE_WIDTH = 60
# The most bytes (UTF-8) one field may hold: DuckDB's reader refuses a line longer than this by
# default (max_line_size), and the csv module's own default, 131,072 characters, is less than a
# long note can need. The reader is then given a line limit that no line of such fields reaches.
MAX_FIELD_BYTES = 2_000_000
_LONG_FIELD = f"field longer than {MAX_FIELD_BYTES:,} bytes"
_VARCHAR_LENGTH = re.compile(r"varchar\((\d+)\)")
_NUMERIC = re.compile(r"numeric\((\d+),(\d+)\)")
# What the loaders accept, as SQL regular expressions: the generator's layout, no exponents, no
# time zones (the raw timestamps are UTC without an offset, docs/decisions.md).
_DECIMAL = r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATE_TIME = _DATE + r"([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?)"
_ZONE = r"([+-][0-9].*|[zZ]|[A-Za-z]+/.*|UTC|GMT)"  # what DuckDB's cast reads as a zone, then drops


class LoadError(Exception):
    """The data (or the warehouse) cannot be loaded; the message is shown to the user as is."""


class UsageError(LoadError):
    """The command was asked for something impossible (a file that does not exist)."""


@dataclass(frozen=True)
class TableLoaded:
    """What :func:`load_file` loaded: the file, and the rows the table holds now."""

    path: Path
    rows: int


@dataclass(frozen=True)
class FolderLoaded:
    """What :func:`load_folder` loaded: rows per reference lookup and per raw table."""

    reference_rows: dict[str, int]
    rows: dict[str, int]


@dataclass(frozen=True)
class Violation:
    """The first row of a file that breaks one rule of the data model, and how many do."""

    line: int
    column: str
    rule: str
    value: str | None
    count: int

    def message(self, path: Path) -> str:
        shown = "empty" if self.value is None else repr(_clip(self.value))
        more = f"; {self.count - 1:,} more rows break this rule" if self.count > 1 else ""
        return f"{path}:{self.line}: column {self.column}: {self.rule} ({shown}){more}"


def _clip(value: str) -> str:
    return value if len(value) <= _VALUE_WIDTH else value[: _VALUE_WIDTH - 3] + "..."


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# --- reading and checking a file -----------------------------------------------------------


@contextmanager
def _field_size_limit(limit: int) -> Iterator[None]:
    """The csv module's field limit is global to the process: set it for one read only."""
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def check_layout(table: str, path: Path) -> list[str]:
    """Line 1 must list the data model's columns in order, and every record one field per column;
    returns the header's columns.

    The fields are counted here, with the csv module, rather than left to DuckDB's reader: it
    reports a short or long row without the rule it broke, silently drops a trailing empty
    field (``a,b,c,`` reads as three fields) and skips blank lines, which would shift the line
    numbers of every later error. A field of more than :data:`MAX_FIELD_BYTES` characters stops
    the csv module; one with fewer characters but more bytes is left to the SQL checks.
    """
    try:
        with (
            _field_size_limit(MAX_FIELD_BYTES),
            open(path, newline="", encoding="utf-8-sig") as handle,
        ):
            reader = csv.reader(handle)
            expected = _check_header(table, path, next(reader, None))
            widths = Counter(map(len, reader))  # no Python loop per row: the common case is fast
            if set(widths) <= {len(expected)}:
                return expected
            handle.seek(0)
            reader = csv.reader(handle)
            next(reader)
            line = reader.line_num + 1  # where the next record starts
            for record in reader:
                if len(record) != len(expected):
                    break
                line = reader.line_num + 1
    except csv.Error as error:
        if violation := _first_long_field(table, path):
            raise LoadError(violation.message(path)) from None
        raise LoadError(f"{path}: cannot read the file as CSV: {error}") from error
    except (OSError, UnicodeDecodeError) as error:
        raise LoadError(f"{path}: cannot read the file as CSV: {error}") from error
    count = sum(number for width, number in widths.items() if width != len(expected))
    fields = f"{len(record)} fields" + (" (an empty line)" if not record else "")
    more = f"; {count - 1:,} more rows break this rule" if count > 1 else ""
    raise LoadError(
        f"{path}:{line}: {fields}, expected {len(expected)}: every row needs one field per "
        f"column of the header{more}"
    )


def _first_long_field(table: str, path: Path) -> Violation | None:
    """The first field of more than :data:`MAX_FIELD_BYTES` bytes, found by reading the file
    again without the limit (a Python loop per row: only once the limit has stopped a read).

    A field is named after its column in the header (which :func:`_check_header` has accepted
    by then, unless the long field is in the header itself: then after the data model's).
    """
    names = column_names(table)
    try:
        with (
            _field_size_limit(2**31 - 1),  # the largest every platform's C long holds
            open(path, newline="", encoding="utf-8-sig") as handle,
        ):
            reader = csv.reader(handle)
            line = 1
            for record in reader:
                for position, field in enumerate(record):
                    if len(field) * 4 > MAX_FIELD_BYTES and len(field.encode()) > MAX_FIELD_BYTES:
                        column = (
                            names[position]
                            if position < len(names)
                            else f"{position + 1} (past the header)"
                        )
                        return Violation(line, column, _LONG_FIELD, field, 1)
                if line == 1:
                    names = record
                line = reader.line_num + 1
    except (OSError, UnicodeDecodeError, csv.Error):
        pass
    return None


def _check_header(table: str, path: Path, header: list[str] | None) -> list[str]:
    """The header names the data model's columns in its order (the CSV layout contract), the
    trailing optional ones allowed to be missing; returns the header's columns."""
    expected = column_names(table)
    if header is None:
        raise LoadError(f"{path}:1: empty file: expected a header with {', '.join(expected)}")
    if header == expected[: len(header)] and len(header) >= len(required_column_names(table)):
        return header
    for position, name in enumerate(header):
        if name not in expected:
            raise LoadError(
                f"{path}:1: column {name}: not a column of {table} in the data model "
                f"(expected header: {','.join(expected)})"
            )
        if header.count(name) > 1:
            raise LoadError(f"{path}:1: column {name}: appears twice in the header")
        if position >= len(expected) or expected[position] != name:
            missing = [column for column in required_column_names(table) if column not in header]
            if missing:
                break
            raise LoadError(
                f"{path}:1: column {name}: out of order in the header "
                f"(expected header: {','.join(expected)})"
            )
    missing = [column for column in required_column_names(table) if column not in header]
    raise LoadError(
        f"{path}:1: column {missing[0]}: missing from the header "
        f"(expected header: {','.join(expected)})"
    )


def stage(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> str:
    """Read the file as text into a temporary table; returns its name.

    Columns are declared rather than sniffed, so a header-only file and a column of nulls read
    the same way as any other; the header and the field counts were checked by
    :func:`check_layout`. Optional columns the file leaves out are added as nulls. The reader
    skips a UTF-8 byte-order mark itself. Its line limit allows every field its
    :data:`MAX_FIELD_BYTES` characters at up to 4 bytes each (a doubled quote takes 2), quoted,
    so it never refuses a line the csv module read: what is too long is reported by the checks,
    with its line and column.
    """
    present = check_layout(table, path)
    name = f"_text_{table}"
    columns = ", ".join(f"{_literal(column)}: 'varchar'" for column in present)
    absent = "".join(
        f", cast(null as varchar) as {_quote(column)}"
        for column in column_names(table)
        if column not in present
    )
    try:
        con.execute(
            f"create or replace temp table {name} as select *{absent} from read_csv("
            f"{_literal(str(path))}, header = true, auto_detect = false, delim = ',', "
            f"quote = '\"', escape = '\"', allow_quoted_nulls = false, "
            f"max_line_size = {len(present) * (4 * MAX_FIELD_BYTES + 3)}, "
            f"columns = {{{columns}}})"
        )
    except duckdb.Error as error:
        raise LoadError(f"{path}: not a CSV file of the data model: {one_line(error)}") from error
    return name


def _column_rules(column: Column) -> list[tuple[str, str]]:
    """(rule, SQL condition that breaks it) for one column's values, in reporting order.

    A value must mean exactly what the file says, so the rules refuse what a cast would quietly
    change: try_cast rounds ``12.345`` to 12.35 for numeric(15,2) and drops the offset of
    ``2024-01-01 10:00:00+05`` (and a trailing ``BC`` or zone name). Where one value breaks
    several rules, the most specific comes first.
    """
    value = _quote(column.name)
    text = f"trim({value})"
    rules = []
    if not column.nullable:
        rules.append(("required value missing (NOT NULL)", f"{value} is null"))
    valid = f"try_cast({value} as {column.type}) is not null"
    if column.type == "int":  # a cast would round 1.5 to 2; a count must be a whole number
        valid += f" and regexp_full_match({text}, '[+-]?[0-9]+')"
    elif numeric := _NUMERIC.fullmatch(column.type):
        precision, scale = int(numeric.group(1)), int(numeric.group(2))
        digits = precision - scale
        rules.append(
            (
                f"more than {scale} decimals for {column.type}",
                f"regexp_full_match({text}, '[+-]?[0-9]*[.][0-9]{{{scale + 1},}}')",
            )
        )
        rules.append(
            (
                f"more than {digits} integer digits for {column.type}",
                f"regexp_full_match({text}, '[+-]?0*[1-9][0-9]{{{digits},}}([.][0-9]*)?')",
            )
        )
        # plain decimals only: an exponent (1.2345e2) would hide the digits checked above
        valid += f" and regexp_full_match({text}, '{_DECIMAL}')"
    elif column.type == "date":  # a cast would drop a time of day
        valid += f" and regexp_full_match({text}, '{_DATE}')"
    elif column.type == "timestamp":
        zone = f"{_DATE_TIME}[ ]*{_ZONE}"
        rules.append(
            ("time zone offset not allowed in timestamp", f"regexp_full_match({text}, '{zone}')")
        )
        valid += f" and regexp_full_match({text}, '{_DATE_TIME}?')"
    rules.append((f"not a valid {column.type}", f"{value} is not null and not ({valid})"))
    if length := _VARCHAR_LENGTH.fullmatch(column.type):
        limit = int(length.group(1))
        rules.append((f"longer than {limit} characters", f"length({value}) > {limit}"))
    elif column.type == "text":  # the only unbounded type; strlen counts bytes
        rules.append((_LONG_FIELD, f"strlen({value}) > {MAX_FIELD_BYTES}"))
    return rules


def _first_violation(
    con: duckdb.DuckDBPyConnection, relation: str, checks: list[tuple[str, str, str, str]]
) -> Violation | None:
    """One pass over ``relation`` for many (column, rule, value expression, condition) checks.

    Returns the broken check whose first row comes earliest in the file (ties: check order).
    """
    if not checks:
        return None
    parts = []
    for _column, _rule, value, condition in checks:
        parts.append(
            f"count(*) filter (where {condition}), "
            f"min(_line) filter (where {condition}), "
            f"arg_min({value}, _line) filter (where {condition})"
        )
    row = con.execute(f"select {', '.join(parts)} from {relation}").fetchone()
    found = []
    for index, (column, rule, _value, _condition) in enumerate(checks):
        count, line, value = row[3 * index : 3 * index + 3]
        if count:
            found.append((line, index, Violation(line, column, rule, value, count)))
    return min(found)[2] if found else None


def validate(
    con: duckdb.DuckDBPyConnection, table: str, text: str, parents: Callable[[str], str]
) -> str:
    """Check the staged text of ``table``; returns a temporary table of typed rows with ``_line``.

    ``parents(parent)`` names the relation holding that parent table's keys: raw.<parent> when a
    single table is loaded, the parent's typed file when ``load_all`` loads them together.
    The first broken rule is raised as a :class:`_ViolationError`.
    """
    lined = f"(select *, rowid + 2 as _line from {text})"
    checks = []
    for column in TABLES[table]:
        for rule, condition in _column_rules(column):
            checks.append((column.name, rule, _quote(column.name), condition))
    if violation := _first_violation(con, lined, checks):
        raise _ViolationError(violation)

    typed = f"_typed_{table}"
    casts = ", ".join(
        f"cast({_quote(column.name)} as {column.type}) as {_quote(column.name)}"
        for column in TABLES[table]
    )
    con.execute(
        f"create or replace temp table {typed} as select {casts}, _line from {lined} order by _line"
    )

    key = _quote(primary_key(table))
    count, line, value, first = con.execute(
        f"select count(*), min(_line), arg_min(cast({key} as varchar), _line), "
        f"arg_min(_first, _line) from (select {key}, _line, "
        f"min(_line) over (partition by {key}) as _first from {typed}) where _line > _first"
    ).fetchone()
    if count:
        rule = f"duplicate primary key (first on line {first})"
        raise _ViolationError(Violation(line, primary_key(table), rule, value, count))

    for (child, column), (parent, parent_column) in FOREIGN_KEYS.items():
        if child != table:
            continue
        source = parents(parent)
        orphans = (
            f"(select c.{_quote(column)}, c._line from {typed} as c "
            f"left join {source} as p on p.{_quote(parent_column)} = c.{_quote(column)} "
            f"where c.{_quote(column)} is not null and p.{_quote(parent_column)} is null)"
        )
        hint = (
            f"load {parent} first"
            if source == f"{SCHEMA}.{parent}"
            else f"not in the {parent} file loaded with it"
        )
        if violation := _first_violation(
            con,
            orphans,
            [
                (
                    column,
                    f"foreign key: no {parent}.{parent_column} with this value ({hint})",
                    f"cast({_quote(column)} as varchar)",
                    "true",
                )
            ],
        ):
            raise _ViolationError(violation)
    return typed


class _ViolationError(Exception):
    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.rule)
        self.violation = violation


def read_checked(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    parents: Callable[[str], str],
    allow_empty: bool = False,
) -> str:
    """Stage and validate one file; a broken rule becomes a :class:`LoadError` naming the file.

    A file with a header and no rows is refused unless ``allow_empty``: loading it empties the
    table, which a truncated or failed export would otherwise do without a word.
    """
    text = stage(con, table, path)
    try:
        if not allow_empty and not con.execute(f"select count(*) from {text}").fetchone()[0]:
            raise LoadError(
                f"{path}: a header and no rows: loading it would empty {SCHEMA}.{table}; "
                "pass --allow-empty if that is meant"
            )
        return validate(con, table, text, parents)
    except _ViolationError as error:
        raise LoadError(error.violation.message(path)) from None
    finally:
        con.execute(f"drop table if exists {text}")


# --- writing ------------------------------------------------------------------------------


def _children(table: str) -> list[tuple[str, str, str]]:
    """(child table, child column, this table's column) for every foreign key into ``table``."""
    return [
        (child, column, parent_column)
        for (child, column), (parent, parent_column) in FOREIGN_KEYS.items()
        if parent == table
    ]


def _foreign_key_columns(table: str) -> list[str]:
    return [column for (child, column) in FOREIGN_KEYS if child == table]


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, typed: str, path: Path) -> int:
    """Make raw.<table> hold exactly the file's rows, in one transaction; returns the row count.

    DuckDB refuses to delete a parent row that a child row references, even when the same
    transaction re-inserts it, and it updates a row's foreign key or primary key by deleting and
    re-inserting it. So when child tables hold rows, the rows are synchronised instead of
    replaced: rows whose key is not in the file are deleted, changed rows are updated in place,
    new rows inserted. What that cannot do is refused before anything changes: dropping a key a
    child still references, or changing a foreign key of such a table (reload with load_all).
    """
    target = f"{SCHEMA}.{table}"
    names = ", ".join(_quote(name) for name in column_names(table))
    referencing = []
    for child, column, parent_column in _children(table):
        count, example = con.execute(
            f"select count(distinct c.{_quote(column)}), min(c.{_quote(column)}) "
            f"from {SCHEMA}.{child} as c left join {typed} as f "
            f"on f.{_quote(parent_column)} = c.{_quote(column)} "
            f"where c.{_quote(column)} is not null and f.{_quote(parent_column)} is null"
        ).fetchone()
        if count:
            raise LoadError(
                f"{path}: cannot replace {target}: {SCHEMA}.{child}.{column} references "
                f"{count:,} {table} not in the file (first: {example}); load every table with "
                "load_all, which clears the children first"
            )
        if con.execute(
            f"select count(*) from {SCHEMA}.{child} where {_quote(column)} is not null"
        ).fetchone()[0]:
            referencing.append(f"{SCHEMA}.{child}")
    if referencing:
        statements = _synchronise(con, table, typed, path, referencing)
    else:
        statements = [
            f"delete from {target}",
            f"insert into {target} ({names}) select {names} from {typed} order by _line",
        ]
    con.execute("begin transaction")
    try:
        for statement in statements:
            con.execute(statement)
        con.execute("commit")
    except duckdb.Error as error:
        con.execute("rollback")
        raise LoadError(f"{path}: {target} unchanged: {one_line(error)}") from error
    return con.execute(f"select count(*) from {target}").fetchone()[0]


def _synchronise(
    con: duckdb.DuckDBPyConnection, table: str, typed: str, path: Path, referencing: list[str]
) -> list[str]:
    """The statements that turn a referenced raw table into the file without deleting a key."""
    target = f"{SCHEMA}.{table}"
    key = _quote(primary_key(table))
    names = ", ".join(_quote(name) for name in column_names(table))
    for column in _foreign_key_columns(table):
        count, line, value = con.execute(
            f"select count(*), min(f._line), arg_min(cast(f.{_quote(column)} as varchar), f._line) "
            f"from {typed} as f inner join {target} as t on t.{key} = f.{key} "
            f"where t.{_quote(column)} is distinct from f.{_quote(column)}"
        ).fetchone()
        if count:
            rule = (
                f"changes the foreign key of a row that {', '.join(referencing)} reference(s); "
                "DuckDB cannot update it in place: reload every table with load_all"
            )
            raise LoadError(Violation(line, column, rule, value, count).message(path))
    fixed = {primary_key(table), *_foreign_key_columns(table)}
    values = [name for name in column_names(table) if name not in fixed]
    statements = [f"delete from {target} where {key} not in (select {key} from {typed})"]
    if values:
        assignments = ", ".join(f"{_quote(name)} = f.{_quote(name)}" for name in values)
        changed = " or ".join(
            f"t.{_quote(name)} is distinct from f.{_quote(name)}" for name in values
        )
        statements.append(
            f"update {target} as t set {assignments} from {typed} as f "
            f"where t.{key} = f.{key} and ({changed})"
        )
    statements.append(
        f"insert into {target} ({names}) select {names} from {typed} "
        f"where {key} not in (select {key} from {target}) order by _line"
    )
    return statements


# --- the warehouse, the seed folder and the reference lookups -----------------------------


def check_initialised(con: duckdb.DuckDBPyConnection, tables: Iterable[str]) -> None:
    """The loaders write only into tables with init_db's DDL: its constraints are the contract."""
    state = table_state(con)
    for table in tables:
        if table in state.missing:
            raise LoadError(
                f"{warehouse_path()}: {SCHEMA}.{table} does not exist: "
                "run salespipeline init-db first"
            )
        if table in state.different:
            raise LoadError(
                f"{warehouse_path()}: {SCHEMA}.{table} was not created by init_db (another "
                "definition, e.g. dbt seed's): run salespipeline init-db --force "
                "first (drops the raw rows)"
            )


def _silent(message: str) -> None:
    """An `announce` that says nothing."""


def ensure_seeds(folder: Path, announce: Callable[[str], None] = _silent) -> None:
    """Generate the default dataset into ``folder`` when it holds none of the raw CSVs.

    Only then: if some files exist, regenerating would overwrite them, so a missing one is an
    error instead (see :func:`seed_file`). `announce` is told before the generator starts.
    """
    if any((folder / f"{table}.csv").exists() for table in TABLES):
        return
    announce(
        f"no seed CSVs in {folder}/: generating the default dataset first "
        f"(python -m salespipeline generate --out {folder})"
    )
    from salespipeline.config import ConfigError, GeneratorConfig
    from salespipeline.dataset import GenerateError, generate_dataset

    try:
        generate_dataset(GeneratorConfig(), folder)
    except (ConfigError, GenerateError) as error:
        raise LoadError(f"{folder}: generating the default dataset failed: {error}") from error


def seed_file(folder: Path, table: str) -> Path:
    path = folder / f"{table}.csv"
    if not path.is_file():
        raise LoadError(
            f"{path}: not found (other seed files exist, so nothing is regenerated): run "
            "python -m salespipeline generate, or pass --file"
        )
    return path


def load_reference(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Put the committed lookups into schema reference with the types ``dbt seed`` gives them.

    The models read them with ref(), so a warehouse filled by the loaders needs them too. The
    types come from seeds/reference/_reference__seeds.yml, the file dbt itself reads, so the
    two paths cannot disagree. The tables carry no constraints, like dbt's, so a later
    ``dbt seed`` can replace them.
    """
    config = folder / "_reference__seeds.yml"
    try:
        seeds = {seed["name"]: seed for seed in yaml.safe_load(config.read_text())["seeds"]}
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        raise LoadError(
            f"{config}: cannot read the reference seeds' column types: {error}"
        ) from None
    con.execute(f"create schema if not exists {REFERENCE_SCHEMA}")
    loaded = {}
    for name in REFERENCE_SEEDS:
        path = folder / f"{name}.csv"
        try:
            types = seeds[name]["config"]["column_types"]
            casts = ", ".join(
                f"cast({_quote(column)} as {kind}) as {_quote(column)}"
                for column, kind in types.items()
            )
            con.execute(
                f"create or replace table {REFERENCE_SCHEMA}.{name} as select {casts} "
                f"from read_csv({_literal(str(path))}, header = true, all_varchar = true)"
            )
        except KeyError:
            raise LoadError(f"{config}: no column_types for seed {name}") from None
        except duckdb.Error as error:
            raise LoadError(
                f"{path}: cannot load {REFERENCE_SCHEMA}.{name}: {one_line(error)}"
            ) from error
        loaded[name] = con.execute(f"select count(*) from {REFERENCE_SCHEMA}.{name}").fetchone()[0]
    return loaded


# --- the two operations -------------------------------------------------------------------


def load_table(
    con: duckdb.DuckDBPyConnection, table: str, path: Path, allow_empty: bool = False
) -> int:
    """Load one file into raw.<table>, foreign keys checked against the raw parent tables.

    ``allow_empty`` lets a file with a header and no rows empty the table.
    """
    check_initialised(con, [table])
    typed = read_checked(con, table, path, lambda parent: f"{SCHEMA}.{parent}", allow_empty)
    try:
        return replace_rows(con, table, typed, path)
    finally:
        con.execute(f"drop table if exists {typed}")


def load_all(
    con: duckdb.DuckDBPyConnection, folder: Path, reference: Path, allow_empty: bool = False
) -> tuple[dict[str, int], dict[str, int]]:
    """Load the reference lookups and every raw file; returns rows per table (reference, raw).

    ``allow_empty`` lets files with a header and no rows empty their tables.

    Every file is checked before any table changes, with foreign keys checked against the
    parent files loaded alongside. Then one transaction replaces the reference lookups and the
    raw tables, so a failure past the checks (a full disk, a constraint the checks do not
    know, Ctrl-C) leaves every table as it was. The raw tables are dropped and recreated with
    init_db's DDL rather than emptied: DuckDB refuses to delete a parent row that a child row
    references until the child's delete is committed, even in the same transaction, while
    dropping the child table first and then its parent is allowed.
    """
    check_initialised(con, TABLES)
    paths = {table: seed_file(folder, table) for table in TABLES}
    typed: dict[str, str] = {}
    try:
        for table, path in paths.items():
            typed[table] = read_checked(con, table, path, lambda parent: typed[parent], allow_empty)
        con.execute("begin transaction")
        try:
            reference_rows = load_reference(con, reference)
            for table in reversed(TABLES):  # children first: a parent cannot be dropped before
                con.execute(f"drop table {SCHEMA}.{table}")
            rows = {table: _recreate(con, table, typed[table], paths[table]) for table in TABLES}
            con.execute("commit")
        except LoadError as error:
            con.execute("rollback")
            raise LoadError(f"{error}; no table was changed") from error
        except BaseException:  # Ctrl-C included: nothing may stay half-replaced
            con.execute("rollback")
            raise
    finally:
        for name in typed.values():
            con.execute(f"drop table if exists {name}")
    return reference_rows, rows


def _recreate(con: duckdb.DuckDBPyConnection, table: str, typed: str, path: Path) -> int:
    """Create raw.<table> with init_db's DDL and fill it; returns the row count.

    Runs inside load_all's transaction, so an error here undoes every table, not just this one.
    """
    names = ", ".join(_quote(name) for name in column_names(table))
    try:
        con.execute(create_table_sql(table))
        con.execute(
            f"insert into {SCHEMA}.{table} ({names}) select {names} from {typed} order by _line"
        )
    except duckdb.Error as error:
        raise LoadError(f"{path}: cannot load {SCHEMA}.{table}: {one_line(error)}") from error
    return con.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0]


# --- from the files to the warehouse ------------------------------------------------------


def load_file(
    table: str,
    file: Path | None = None,
    *,
    allow_empty: bool = False,
    announce: Callable[[str], None] = _silent,
) -> TableLoaded:
    """Load ``file`` (by default seeds/<table>.csv) into raw.<table> of the dbt profile's
    warehouse, replacing its rows: ``salespipeline load <table>``.

    Without ``file``, the default dataset is generated into seeds/ first when it holds none of
    the raw CSVs (`announce` says so). Raises UsageError for a file that does not exist and
    LoadError for data or a warehouse that cannot be loaded, DuckDB's errors as one line.
    """
    if file is not None:
        if not file.is_file():
            raise UsageError(f"--file {file}: no such file")
        path = file
    else:
        ensure_seeds(SEEDS, announce)
        path = seed_file(SEEDS, table)
    try:
        with connect() as con:
            return TableLoaded(path, load_table(con, table, path, allow_empty))
    except duckdb.Error as error:
        raise LoadError(f"{warehouse_path()}: {one_line(error)}") from error


def load_folder(
    seeds: Path = SEEDS,
    reference: Path = REFERENCE,
    *,
    allow_empty: bool = False,
    announce: Callable[[str], None] = _silent,
) -> FolderLoaded:
    """Load the reference lookups of ``reference`` and every raw CSV of ``seeds`` into the dbt
    profile's warehouse, all or nothing: ``salespipeline load all``.

    The default dataset is generated into ``seeds`` first when it holds none of the raw CSVs
    (`announce` says so). Raises UsageError for folders that cannot be meant and LoadError for
    data or a warehouse that cannot be loaded, DuckDB's errors as one line.
    """
    if not (reference / "_reference__seeds.yml").is_file():
        raise UsageError(
            f"--reference {reference}: no _reference__seeds.yml there (run from the "
            "project root or name the folder)"
        )
    if seeds.exists() and not seeds.is_dir():
        raise UsageError(f"--seeds {seeds}: not a folder")
    ensure_seeds(seeds, announce)
    try:
        with connect() as con:
            return FolderLoaded(*load_all(con, seeds, reference, allow_empty))
    except duckdb.Error as error:
        raise LoadError(f"{warehouse_path()}: {one_line(error)}") from error

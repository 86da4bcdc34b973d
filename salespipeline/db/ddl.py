"""Schema raw as the data model's DDL: what ``salespipeline init-db`` creates, and the loaders'
contract.

The DDL is derived from salespipeline/schema.py (types, primary keys, NOT NULL, defaults, foreign
keys), so the warehouse enforces the same data model the generator writes and the tests check.
Initialising an initialised warehouse changes nothing; a table that exists with another
definition (for example one ``dbt seed`` created, without constraints) is left alone unless
``force`` is given, because recreating a table drops its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from salespipeline.errors import one_line
from salespipeline.schema import FOREIGN_KEYS, TABLES, primary_key
from salespipeline.warehouse import connect, warehouse_path

SCHEMA = "raw"


class InitError(Exception):
    """The warehouse cannot be initialised as asked; the message is shown to the user as is."""


def create_table_sql(table: str) -> str:
    """The data model's DDL for one raw table."""
    lines = []
    for column in TABLES[table]:
        line = f"{column.name} {column.type}"
        if column.name == primary_key(table):
            line += " primary key"
        elif not column.nullable:
            line += " not null"
        if column.default is not None:
            line += f" default {column.default}"
        lines.append(line)
    for (child, child_column), (parent, parent_column) in FOREIGN_KEYS.items():
        if child == table:
            lines.append(
                f"foreign key ({child_column}) references {SCHEMA}.{parent} ({parent_column})"
            )
    body = ",\n    ".join(lines)
    return f"create table {SCHEMA}.{table} (\n    {body}\n)"


def _expected_definitions() -> dict[str, str]:
    """Each table's definition as DuckDB itself normalises it, to compare with an existing file.

    DuckDB rewrites DDL (upper-case types, defaults in parentheses, varchar lengths dropped), so
    the reliable comparison is catalogue text against catalogue text of the same DuckDB version.
    """
    with duckdb.connect(":memory:") as scratch:
        scratch.execute(f"create schema {SCHEMA}")
        for table in TABLES:
            scratch.execute(create_table_sql(table))
        return _definitions(scratch)


def _definitions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "select table_name, sql from duckdb_tables() "
        "where schema_name = ? and database_name = current_database()",
        [SCHEMA],
    ).fetchall()
    return {name: sql for name, sql in rows if name in TABLES}


@dataclass
class TableState:
    """How the raw tables of a warehouse compare with the data model."""

    matching: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    different: list[str] = field(default_factory=list)


def table_state(con: duckdb.DuckDBPyConnection) -> TableState:
    expected = _expected_definitions()
    existing = _definitions(con)
    state = TableState()
    for table in TABLES:
        if table not in existing:
            state.missing.append(table)
        elif existing[table] == expected[table]:
            state.matching.append(table)
        else:
            state.different.append(table)
    return state


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {SCHEMA}.{table}").fetchone()[0]


def init_db(con: duckdb.DuckDBPyConnection, *, force: bool = False) -> list[str]:
    """Bring schema raw to the data model's DDL; returns what was done, one line per step.

    With ``force`` every raw table is dropped (children before parents: DuckDB refuses to drop a
    table another one references) and recreated. Without it, only missing tables are created,
    and a table with another definition is an error rather than silently replaced.
    """
    con.execute(f"create schema if not exists {SCHEMA}")
    state = table_state(con)
    if state.different and not force:
        raise InitError(
            f"{len(state.different)} raw tables exist with another definition than the data "
            f"model's (first: {SCHEMA}.{state.different[0]}; created by `dbt seed`?): run with "
            "--force to recreate them (drops their rows)"
        )
    done: list[str] = []
    if force:
        done.extend(drop_raw(con))
        to_create = list(TABLES)
    else:
        to_create = state.missing
    con.execute("begin transaction")
    for table in to_create:  # in dependency order: parents exist before their children
        con.execute(create_table_sql(table))
    con.execute("commit")
    if to_create:
        done.append(f"created {len(to_create)} tables in schema {SCHEMA}: " + ", ".join(to_create))
    return done


def drop_raw(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop the raw tables, children first, so that ``dbt seed`` can create its own.

    ``dbt seed`` cannot reload tables that have foreign keys: it empties and fills them one at a
    time, in any order, and DuckDB refuses to empty a parent while a child references it.
    """
    state = table_state(con)
    present = state.matching + state.different
    rows = sum(row_count(con, table) for table in present)
    for table in reversed(TABLES):
        if table in present:
            con.execute(f"drop table {SCHEMA}.{table}")
    if not present:
        return []
    return [f"dropped {len(present)} raw tables and their {rows:,} rows"]


def init_warehouse(
    path: Path | None = None, *, force: bool = False, drop: bool = False
) -> list[str]:
    """Bring the warehouse (by default the dbt profile's) to the data model's DDL, or with
    ``drop`` only drop its raw tables; returns what was done, one line per step (none when
    nothing changed). Raises InitError, with DuckDB's errors as one line."""
    target = path if path is not None else warehouse_path()
    try:
        with connect(target) as con:
            return drop_raw(con) if drop else init_db(con, force=force)
    except duckdb.Error as error:
        raise InitError(f"{target}: {one_line(error)}") from error

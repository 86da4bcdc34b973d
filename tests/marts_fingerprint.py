"""A fingerprint of every mart's rows: row count and a hash of the rows, order-free.

A refactoring of the models must leave the marts' rows as they were. The fingerprint of the marts
built from the default dataset (``make run``: seed 42, scale 1) is kept in
``marts_fingerprint.json`` beside this module, and a test rebuilds them and compares. A change
that alters the numbers on purpose (a new definition) rewrites the file in the same commit::

    .venv/bin/python tests/marts_fingerprint.py salespipeline.duckdb --write

Values are written in one text form before hashing: doubles to 6 decimal places (a parallel sum
may differ in its last bits from one run to the next), everything else as DuckDB prints it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import duckdb

FINGERPRINT = Path(__file__).with_name("marts_fingerprint.json")
MARTS_SCHEMA = "marts"
FLOAT_DIGITS = 6


def _canonical_columns(connection: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Each column as an SQL expression of its text form, doubles rounded."""
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [MARTS_SCHEMA, table],
    ).fetchall()
    expressions = []
    for name, kind in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        if kind in ("DOUBLE", "FLOAT", "REAL"):
            expressions.append(f"coalesce(printf('%.{FLOAT_DIGITS}f', {quoted}), '∅')")
        else:
            expressions.append(f"coalesce(cast({quoted} as varchar), '∅')")
    return [name for name, _ in columns], expressions


def fingerprint(connection: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    """Per mart: its columns, row count and the SHA-256 of its sorted, canonical rows."""
    tables = [
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
    ]
    result: dict[str, dict[str, object]] = {}
    for table in tables:
        names, expressions = _canonical_columns(connection, table)
        row = " || chr(31) || ".join(expressions)
        lines = connection.execute(
            f'select {row} as line from {MARTS_SCHEMA}."{table}" order by line'
        ).fetchall()
        digest = hashlib.sha256()
        for (line,) in lines:
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
        result[table] = {"columns": names, "rows": len(lines), "sha256": digest.hexdigest()}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "warehouse", type=Path, help="a DuckDB warehouse built from the default data"
    )
    parser.add_argument("--write", action="store_true", help=f"rewrite {FINGERPRINT.name}")
    args = parser.parse_args(argv)
    with duckdb.connect(str(args.warehouse), read_only=True) as connection:
        found = fingerprint(connection)
    text = json.dumps(found, indent=2, sort_keys=True) + "\n"
    if args.write:
        FINGERPRINT.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

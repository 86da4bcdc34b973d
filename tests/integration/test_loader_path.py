"""The loader path (`salespipeline init-db`, then `load all`) and the `dbt seed` path build the same
warehouse: every mart, raw table and reference table row by row, from the same small dataset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
from support import REPO_ROOT, Dataset, connect_warehouse, run_dbt

from salespipeline.db.data_loading import loader
from salespipeline.schema import TABLES


def _salespipeline(*args: str, warehouse: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "salespipeline", *args],
        cwd=warehouse.parent,
        env={**os.environ, "SALESPIPELINE_DUCKDB": str(warehouse)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"salespipeline {' '.join(args)}: {result.stderr}"


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = ? order by 1", [schema]
        ).fetchall()
    ]


def _rows(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> tuple[list[str], list]:
    columns = [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? "
            "and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]
    ordered = ", ".join(f'"{column}"' for column in columns)
    rows = con.execute(f"select * from {schema}.{table} order by {ordered}").fetchall()
    return columns, rows


def test_loader_path_builds_the_same_marts_as_dbt_seed(
    built, small_dataset: Dataset, small_project: Path, tmp_path: Path, monkeypatch
) -> None:
    _, seeded = built
    warehouse = tmp_path / "loaded.duckdb"
    _salespipeline("init-db", warehouse=warehouse)
    _salespipeline(
        "load",
        "all",
        "--seeds",
        str(small_dataset.folder),
        "--reference",
        str(REPO_ROOT / "seeds" / "reference"),
        warehouse=warehouse,
    )
    monkeypatch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
    run_dbt(small_project, "build", "--exclude", "resource_type:seed")

    with connect_warehouse(seeded) as by_seed, connect_warehouse(warehouse) as by_loader:
        marts = _tables(by_seed, "marts")
        assert marts, "the dbt seed path built no marts"
        assert _tables(by_loader, "marts") == marts
        compared = [("marts", table) for table in marts]
        compared += [("raw", table) for table in TABLES]
        compared += [("reference", name) for name in loader.REFERENCE_SEEDS]
        for schema, table in compared:
            expected = _rows(by_seed, schema, table)
            assert _rows(by_loader, schema, table) == expected, f"{schema}.{table} differs"

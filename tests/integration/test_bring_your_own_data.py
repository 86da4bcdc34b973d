"""Bring your own data: the marts built from raw data outside `seeds/`, through configuration only
(the vars raw_files, raw_database and raw_schema, and a profile's `attach`), equal the marts of
the seed path row for row.

Each path reads the same small dataset, from where a team would keep it: CSV files read in place
with DuckDB's type detection, Parquet files read in place, and tables of another schema in an
attached DuckDB database. The build runs every model and every data test on that data (the source
tests included); unit tests are left out, as in any production build, since their fixtures
describe the raw tables of the default path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from marts_fingerprint import fingerprint
from support import Dataset, connect_warehouse, run_dbt

from salespipeline.schema import TABLES

BUILD = ("build", "--exclude-resource-type", "seed", "--exclude-resource-type", "unit_test")


@pytest.fixture(scope="module")
def seed_path_marts(built) -> dict:
    _, warehouse = built
    with connect_warehouse(warehouse) as connection:
        return fingerprint(connection)


def _project_without_raw_files(dbt_project, dataset: Dataset, name: str) -> Path:
    """A copy of the project whose seeds/ holds only the committed reference lookups."""
    project = dbt_project(dataset, name)
    for table in TABLES:
        (project / "seeds" / f"{table}.csv").unlink()
    return project


def _build(project: Path, warehouse: Path, variables: str) -> dict:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        run_dbt(project, "seed")
        run_dbt(project, *BUILD, "--vars", variables)
    with connect_warehouse(warehouse) as connection:
        assert connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw'"
        ).fetchone() == (0,), "no raw table may be created: the raw data stays where it is"
        return fingerprint(connection)


def _export(dataset: Dataset, folder: Path, file_format: str) -> Path:
    """The dataset's raw tables as files of one format, outside any project."""
    folder.mkdir()
    with duckdb.connect() as connection:
        for table in TABLES:
            if file_format == "csv":
                shutil.copy(dataset.path(table), folder / f"{table}.csv")
            else:
                connection.execute(
                    f"copy (select * from read_csv('{dataset.path(table)}')) "
                    f"to '{folder / table}.parquet' (format parquet)"
                )
    return folder


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_files_read_in_place_give_the_seed_paths_marts(
    file_format: str, dbt_project, small_dataset: Dataset, seed_path_marts, tmp_path: Path
) -> None:
    files = _export(small_dataset, tmp_path / "export", file_format)
    project = _project_without_raw_files(dbt_project, small_dataset, f"files_{file_format}")

    marts = _build(
        project, tmp_path / "files.duckdb", f"{{raw_files: '{files}/{{name}}.{file_format}'}}"
    )

    assert marts == seed_path_marts


def test_another_schema_of_an_attached_database_gives_the_seed_paths_marts(
    dbt_project, small_dataset: Dataset, seed_path_marts, tmp_path: Path
) -> None:
    theirs = tmp_path / "crm_export.duckdb"
    with duckdb.connect(str(theirs)) as connection:
        connection.execute("create schema exports")
        for table in TABLES:
            connection.execute(
                f"create table exports.{table} as "
                f"select * from read_csv('{small_dataset.path(table)}')"
            )
    project = _project_without_raw_files(dbt_project, small_dataset, "attached")
    profile = (project / "profiles.yml").read_text(encoding="utf-8")
    attach = (
        "      attach:\n"
        f"        - path: {theirs}\n"
        "          alias: crm_export\n"
        "          read_only: true\n"
    )
    anchor = "      path: \"{{ env_var('SALESPIPELINE_DUCKDB', 'salespipeline.duckdb') }}\"\n"
    assert profile.count(anchor) == 1, "profiles.yml's dev output changed: update this test"
    (project / "profiles.yml").write_text(profile.replace(anchor, anchor + attach, 1))

    marts = _build(
        project, tmp_path / "attached.duckdb", "{raw_database: crm_export, raw_schema: exports}"
    )

    assert marts == seed_path_marts

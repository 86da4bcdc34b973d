"""Fixtures of the integration tests: throwaway copies of the dbt project, and the small dataset
built into a temporary warehouse once per session (and once more as of a mid-window date)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import AS_OF_DATE, REPO_ROOT, Dataset, run_dbt

from salespipeline.schema import TABLES


@pytest.fixture(scope="session")
def dbt_project(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway copy of the dbt project, so tests never touch the repository's seeds or
    warehouse. Returns a function that fills its seeds folder with a dataset."""
    root = tmp_path_factory.mktemp("project")

    def copy_with(dataset: Dataset, name: str) -> Path:
        project = root / name
        project.mkdir()
        for item in ("dbt_project.yml", "profiles.yml", "models", "macros", "data-tests", "seeds"):
            source = REPO_ROOT / item
            if source.is_dir():
                shutil.copytree(
                    source,
                    project / item,
                    ignore=shutil.ignore_patterns("*.csv") if item == "seeds" else None,
                )
            else:
                shutil.copy(source, project / item)
        shutil.copytree(
            REPO_ROOT / "seeds" / "reference", project / "seeds" / "reference", dirs_exist_ok=True
        )
        for table in TABLES:
            shutil.copy(dataset.path(table), project / "seeds" / f"{table}.csv")
        return project

    return copy_with


def _build(project, warehouse, *extra: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        run_dbt(project, "seed")
        run_dbt(project, "build", "--exclude", "resource_type:seed", *extra)


@pytest.fixture(scope="session")
def small_project(dbt_project, small_dataset: Dataset):
    return dbt_project(small_dataset, "small")


@pytest.fixture(scope="session")
def built(small_project, small_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory):
    """The small dataset seeded and built (every model and test) into a temporary warehouse."""
    warehouse = tmp_path_factory.mktemp("warehouse") / "test.duckdb"
    _build(small_project, warehouse)
    return small_dataset, warehouse


@pytest.fixture(scope="session")
def built_as_of(small_project, small_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory):
    """The same data built with an as_of_date in the middle of the window."""
    warehouse = tmp_path_factory.mktemp("warehouse_as_of") / "as_of.duckdb"
    _build(small_project, warehouse, "--vars", f"{{as_of_date: '{AS_OF_DATE}'}}")
    return small_dataset, warehouse

"""Shared fixtures: small generated datasets, written once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import REPO_ROOT, SMALL_SCALE, Dataset, make_dataset, run_dbt

from salespipeline.schema import TABLES


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    return make_dataset(tmp_path_factory.mktemp("small"), seed=7, scale=SMALL_SCALE)


@pytest.fixture(scope="session")
def dbt_project(tmp_path_factory: pytest.TempPathFactory):
    """A throwaway copy of the dbt project, so tests never touch the repository's seeds or
    warehouse. Returns a function that fills its seeds folder with a dataset."""
    root = tmp_path_factory.mktemp("project")

    def copy_with(dataset: Dataset, name: str) -> Path:
        project = root / name
        project.mkdir()
        for item in ("dbt_project.yml", "profiles.yml", "models", "macros", "tests", "seeds"):
            source = REPO_ROOT / item
            if source.is_dir():
                shutil.copytree(
                    source,
                    project / item,
                    ignore=shutil.ignore_patterns("*.csv", "python", "__pycache__")
                    if item in ("seeds", "tests")
                    else None,
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


@pytest.fixture(scope="session")
def built(dbt_project, small_dataset: Dataset, tmp_path_factory: pytest.TempPathFactory):
    """The small dataset seeded and built (every model and test) into a temporary warehouse."""
    project = dbt_project(small_dataset, "small")
    warehouse = tmp_path_factory.mktemp("warehouse") / "test.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        run_dbt(project, "seed")
        run_dbt(project, "build", "--exclude", "resource_type:seed")
    return small_dataset, warehouse

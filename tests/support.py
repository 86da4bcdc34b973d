"""Helpers shared by the test modules: generated datasets on disk, read back as text."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from salespipeline.config import GeneratorConfig
from salespipeline.dataset import generate_dataset

REPO_ROOT = Path(__file__).resolve().parents[1]
SMALL_SCALE = 0.1
# A seed whose small dataset has every kind of MRR movement, reactivations included.
SMALL_SEED = 8
# Mid-window, mid-month: the as-of date of the `built_as_of` warehouse, after which everything must
# vanish from the marts.
AS_OF_DATE = "2025-06-15"


class Dataset:
    """A generated dataset on disk (``seeds/`` and the planted ``truth/``), read back as text."""

    def __init__(self, folder: Path, config: GeneratorConfig) -> None:
        self.folder = folder / "seeds"
        self.truth_folder = folder / "truth"
        self.config = config
        self._frames: dict[str, pd.DataFrame] = {}

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.csv"

    def truth(self, table: str) -> pd.DataFrame:
        return pd.read_csv(
            self.truth_folder / f"{table}.csv", dtype=str, keep_default_na=False, na_values=[""]
        )

    def frame(self, table: str) -> pd.DataFrame:
        """The CSV as strings (what a loader sees), empty fields as missing values."""
        if table not in self._frames:
            self._frames[table] = pd.read_csv(
                self.path(table), dtype=str, keep_default_na=False, na_values=[""]
            )
        return self._frames[table]

    def typed(self, table: str, *timestamps: str) -> pd.DataFrame:
        frame = self.frame(table).copy()
        for column in timestamps:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d %H:%M:%S")
        return frame


def make_dataset(folder: Path, **options: object) -> Dataset:
    """The dataset of `options`, written as `salespipeline generate` writes it."""
    config = GeneratorConfig(**options)  # type: ignore[arg-type]
    dataset = Dataset(folder, config)
    generate_dataset(config, dataset.folder, dataset.truth_folder)
    return dataset


def connect_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a warehouse dbt built in this process.

    dbt-duckdb keeps its database instance open after a run, and DuckDB lets a second connection
    to the same file in one process only with the same configuration as profiles.yml's.
    """
    return duckdb.connect(str(path), config={"storage_compatibility_version": "v1.5.0"})


def run_dbt(project: Path, *args: str) -> None:
    """dbt, programmatically (dbtRunner), against a project folder; fails with dbt's messages."""
    from dbt.cli.main import dbtRunner

    result = dbtRunner().invoke(
        [*args, "--project-dir", str(project), "--profiles-dir", str(project), "--quiet"]
    )
    problems = []
    for node in getattr(result.result, "results", None) or []:
        if str(node.status) not in ("success", "pass"):
            problems.append(f"{node.node.name}: {node.status} {node.message}")
    assert result.success, f"dbt {' '.join(args)} failed: {result.exception} {problems}"

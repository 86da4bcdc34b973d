"""Helpers shared by the test modules: generated datasets on disk, read back as text."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from salespipeline.config import GeneratorConfig
from salespipeline.generator import generate
from salespipeline.io import write_tables

REPO_ROOT = Path(__file__).resolve().parents[2]
SMALL_SCALE = 0.1


class Dataset:
    """A generated dataset on disk, with its tables read back from the CSVs as text."""

    def __init__(self, folder: Path, config: GeneratorConfig) -> None:
        self.folder = folder
        self.config = config
        self._frames: dict[str, pd.DataFrame] = {}

    def path(self, table: str) -> Path:
        return self.folder / f"{table}.csv"

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
    config = GeneratorConfig(**options)  # type: ignore[arg-type]
    write_tables(generate(config), folder)
    return Dataset(folder, config)


def connect_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a warehouse dbt built in this process.

    dbt-duckdb keeps its database instance open after a run, and DuckDB lets a second connection
    to the same file in one process only with the same configuration as profiles.yml's.
    """
    return duckdb.connect(str(path), config={"storage_compatibility_version": "v1.5.0"})

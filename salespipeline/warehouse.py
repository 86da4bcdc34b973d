"""Where the warehouse is and how Python opens it, the same way dbt's profile does.

profiles.yml points dbt-duckdb at `SALESPIPELINE_DUCKDB` (default `salespipeline.duckdb`, relative
to the directory dbt runs in: the project root) and writes the file in DuckDB's 1.5 storage
format so that the 1.5 command line opens it. Every Python entry point (the loaders, `query`,
`report`) resolves the path and the storage option here, so they always meet dbt's warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

ENV_VAR = "SALESPIPELINE_DUCKDB"
DEFAULT_PATH = "salespipeline.duckdb"

# Must match profiles.yml's config_options: DuckDB refuses a second connection in one process
# whose configuration differs from the first, and the format keeps the file readable by 1.5.
STORAGE_CONFIG = {"storage_compatibility_version": "v1.5.0"}


def warehouse_path() -> Path:
    """The DuckDB file the dbt profile points at (relative paths are taken from the cwd)."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def connect(path: Path | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse with the profile's storage settings.

    A read-only connection needs an existing file; a writable one creates it if missing.
    """
    target = path if path is not None else warehouse_path()
    if read_only:
        return duckdb.connect(str(target), read_only=True)
    return duckdb.connect(str(target), config=dict(STORAGE_CONFIG))

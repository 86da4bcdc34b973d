"""The visual report: ``salespipeline report`` renders the marts as one self-contained HTML file.

Three steps, one module each: `queries` (the only SQL, on the marts), `figures` (one plotly
figure per chart) and `page` (the HTML around them, with plotly.js inlined so the file opens
offline).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from salespipeline.errors import one_line
from salespipeline.query import WarehouseError, open_warehouse
from salespipeline.report.page import render
from salespipeline.report.queries import MissingMartError, ReportData, load

__all__ = ["ReportData", "build_html", "load", "render", "write_report"]


def build_html(connection: duckdb.DuckDBPyConnection) -> tuple[str, ReportData]:
    """The page for the warehouse behind `connection`, and the data it shows."""
    data = load(connection)
    return render(data), data


def write_report(out: Path, warehouse: Path | None = None) -> ReportData:
    """Read the marts of `warehouse` (the profile's by default) and write the page to `out`.

    The file is written under a temporary name and renamed into place, so an open report is
    never replaced by half a page.
    """
    connection = open_warehouse(warehouse)
    try:
        page, data = build_html(connection)
    except MissingMartError as error:
        raise WarehouseError(
            f"the warehouse has no {error}: build the marts first (`make run`)"
        ) from error
    except duckdb.Error as error:
        raise WarehouseError(f"cannot read the marts: {one_line(error)}") from error
    finally:
        connection.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(page)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from other users
        Path(temporary).replace(out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return data

"""End to end: generated CSVs -> dbt seed -> dbt build, on a temporary DuckDB file."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from support import connect_warehouse, make_dataset, run_dbt

from salespipeline.schema import TABLES

STAGING_MODEL = {
    "users": "stg_crm__users",
    "accounts": "stg_crm__accounts",
    "leads": "stg_crm__leads",
    "contacts": "stg_crm__contacts",
    "opportunities": "stg_crm__opportunities",
    "opportunity_stage_history": "stg_crm__opportunity_stage_history",
    "activities": "stg_crm__activities",
    "marketing_events": "stg_marketing__events",
    "billing_orders": "stg_billing__orders",
}


@pytest.mark.parametrize("table", list(TABLES))
def test_staging_has_every_raw_row(built, table: str) -> None:
    dataset, warehouse = built
    with connect_warehouse(warehouse) as connection:
        raw = connection.execute(f"select count(*) from raw.{table}").fetchone()[0]
        staged = connection.execute(
            f"select count(*) from staging.{STAGING_MODEL[table]}"
        ).fetchone()[0]
    assert raw == staged == len(dataset.frame(table))


def test_staging_cleans_the_mess(built) -> None:
    dataset, warehouse = built
    leads = dataset.frame("leads")
    with connect_warehouse(warehouse) as connection:
        emails = connection.execute("select email from staging.stg_crm__leads").fetchall()
        currencies = connection.execute(
            "select distinct currency from staging.stg_crm__opportunities "
            "union select distinct currency from staging.stg_billing__orders"
        ).fetchall()
        flagged = connection.execute(
            "select count(*) from staging.stg_crm__leads where is_duplicate_submission"
        ).fetchone()[0]
        unconverted = connection.execute(
            "select count(*) from staging.stg_crm__opportunities where amount_usd is null"
        ).fetchone()[0]
    assert all(email == email.strip().lower() for (email,) in emails)
    assert {c for (c,) in currencies} == {"USD", "EUR", "GBP"}
    assert unconverted == 0
    # The planted double-submits, recounted from the CSV: same clean email and source, <= 10 min.
    frame = leads.assign(
        key=leads["email"].str.strip().str.lower(),
        at=lambda f: f["created_at"].astype("datetime64[s]"),
    ).sort_values(["at", "lead_id"])
    gap = frame.groupby(["key", "lead_source"])["at"].diff()
    assert flagged == int((gap.dt.total_seconds() <= 600).sum()) > 0


def test_the_warehouse_opens_in_the_duckdb_1_5_storage_format(built) -> None:
    _, warehouse = built
    with connect_warehouse(warehouse) as connection:
        tags = connection.execute(
            "select tags from duckdb_databases() where database_name = 'test'"
        ).fetchone()[0]
    assert tags.get("storage_version", "").startswith("v1.5"), tags


def test_an_empty_dataset_builds_and_passes(dbt_project, tmp_path: Path, monkeypatch) -> None:
    empty = make_dataset(tmp_path / "csv", seed=1, scale=0)
    project = dbt_project(empty, "empty")
    monkeypatch.setenv("SALESPIPELINE_DUCKDB", str(tmp_path / "empty.duckdb"))
    monkeypatch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    run_dbt(project, "seed")
    run_dbt(project, "build", "--exclude", "resource_type:seed")
    with connect_warehouse(tmp_path / "empty.duckdb") as connection:
        assert connection.execute("select count(*) from staging.stg_crm__leads").fetchone()[0] == 0


def test_billing_orders_without_service_start_date_still_seed_and_stage(
    dbt_project, small_dataset, tmp_path: Path
) -> None:
    """A billing_orders.csv written before service_start_date existed seeds as it is, and
    staging starts each order's service on its order date."""
    project = dbt_project(small_dataset, "old_billing_file")
    path = project / "seeds" / "billing_orders.csv"
    lines = path.read_text().splitlines()
    assert lines[0].endswith(',"service_start_date"')
    path.write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in lines))
    warehouse = tmp_path / "old.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        run_dbt(project, "seed", "--select", "billing_orders", "fx_rates")
        run_dbt(project, "run", "--select", "stg_billing__orders")
    with connect_warehouse(warehouse) as connection:
        rows, same_day = connection.execute(
            "select count(*), count(*) filter (where service_start_date = cast(ordered_at as date))"
            " from staging.stg_billing__orders"
        ).fetchone()
    assert rows == same_day == len(lines) - 1


def test_an_opportunity_closed_before_it_was_created_fails_a_data_test(
    dbt_project, small_dataset, tmp_path: Path
) -> None:
    """A planted close date a day before the deal's creation is caught by its own data test."""
    project = dbt_project(small_dataset, "closed_before_created")
    path = project / "seeds" / "opportunities.csv"
    frame = small_dataset.frame("opportunities").copy()  # the cached frame is shared
    closed = frame.index[frame["is_closed"] == "true"][0]
    created = pd.Timestamp(frame.loc[closed, "created_at"])
    frame.loc[closed, "close_date"] = (created - pd.Timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    frame.to_csv(path, index=False, quoting=csv.QUOTE_NONNUMERIC, na_rep="")
    warehouse = tmp_path / "faulty.duckdb"
    test = "assert_stg_crm__opportunities_closed_after_created"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        run_dbt(project, "seed", "--select", "opportunities", "fx_rates")
        run_dbt(project, "run", "--select", "stg_crm__opportunities")
        with pytest.raises(AssertionError, match=f"{test}: fail Got 1 result"):
            run_dbt(project, "test", "--select", test)

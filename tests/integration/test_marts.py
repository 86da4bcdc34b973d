"""The marts hold up against the ground truth the generator planted and against an independent
recomputation from the raw CSVs (recompute.py), on a freshly generated dataset."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import recompute
from support import AS_OF_DATE, Dataset, connect_warehouse, run_dbt

# Each recomputation runs against the default build (as of the last day with data) and against a
# build with an as_of_date in the middle of the window.
CASES = {"data_end": None, "mid_window": AS_OF_DATE}


@pytest.fixture(params=list(CASES))
def case(request):
    fixture = "built" if CASES[request.param] is None else "built_as_of"
    dataset, warehouse = request.getfixturevalue(fixture)
    return dataset, warehouse, CASES[request.param]


def query(warehouse, sql: str) -> pd.DataFrame:
    with connect_warehouse(warehouse) as connection:
        cursor = connection.execute(sql)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def cents(value) -> int:
    return int(Decimal(value) * 100)


def test_fct_mrr_reproduces_every_planted_movement(built) -> None:
    dataset, warehouse = built
    marts = query(
        warehouse,
        "select account_id, mrr_month, mrr_movement, previous_mrr, mrr from marts.fct_mrr "
        "where mrr_movement in ('new', 'expansion', 'contraction', 'churn', 'reactivation')",
    )
    found = {
        (
            str(r.account_id),
            r.mrr_month.isoformat(),
            r.mrr_movement,
            cents(r.previous_mrr),
            cents(r.mrr),
        )
        for r in marts.itertuples()
    }
    truth = dataset.truth("mrr_movements")
    planted = {
        (r.account_id, r.mrr_month, r.mrr_movement, cents(r.previous_mrr_usd), cents(r.mrr_usd))
        for r in truth.itertuples()
    }
    assert {movement for _, _, movement, _, _ in planted} >= {"new", "expansion", "churn"}
    assert found == planted, (
        f"missing: {sorted(planted - found)[:5]} unexpected: {sorted(found - planted)[:5]}"
    )


def test_fct_opportunities_reproduces_type_outcome_and_amount(built) -> None:
    dataset, warehouse = built
    marts = query(
        warehouse,
        "select opportunity_id, opportunity_type, is_won, is_closed, amount_usd "
        "from marts.fct_opportunities",
    )
    found = {
        str(r.opportunity_id): (
            r.opportunity_type,
            bool(r.is_won),
            not r.is_closed,
            cents(r.amount_usd),
        )
        for r in marts.itertuples()
    }
    truth = dataset.truth("opportunities")
    planted = {
        r.opportunity_id: (
            r.opportunity_type,
            r.is_won == "true",
            r.is_open == "true",
            cents(r.amount_usd),
        )
        for r in truth.itertuples()
    }
    assert set(t for t, *_ in planted.values()) == {"new_business", "win_back", "expansion", "renewal"}
    assert found == planted


BRIDGE_MONEY = [
    "starting_mrr",
    "new_mrr",
    "expansion_mrr",
    "reactivation_mrr",
    "contraction_mrr",
    "churned_mrr",
    "ending_mrr",
]
BRIDGE_COUNTS = ["active_customers", "new_logos", "churned_logos", "reactivated_logos"]


def test_fct_mrr_bridge_matches_an_independent_recomputation(case) -> None:
    dataset, warehouse, as_of = case
    expected = recompute.mrr_bridge(dataset, as_of).set_index("month")
    marts = query(warehouse, "select * from marts.fct_mrr_bridge order by mrr_month")
    marts["month"] = pd.PeriodIndex(pd.to_datetime(marts["mrr_month"]), freq="M")
    marts = marts.set_index("month")
    assert list(marts.index) == list(expected.index)
    for column in BRIDGE_MONEY:
        assert [cents(v) for v in marts[column]] == expected[column].tolist(), column
    for column in BRIDGE_COUNTS:
        assert marts[column].astype(int).tolist() == expected[column].tolist(), column
    assert [cents(v) for v in marts["ending_arr"]] == (expected["ending_mrr"] * 12).tolist()
    for column in ("nrr_trailing_12m", "grr_trailing_12m"):
        pd.testing.assert_series_equal(
            marts[column].astype(float),
            expected[column].astype(float),
            check_names=False,
            rtol=1e-9,
        )
    assert expected["nrr_trailing_12m"].notna().sum() > 0


def test_fct_funnel_cohorts_counts_match_an_independent_recomputation(case) -> None:
    dataset, warehouse, as_of = case
    expected = recompute.funnel_cohorts(dataset, as_of)
    expected["cohort_month"] = expected["cohort_month"].dt.to_timestamp()
    marts = query(
        warehouse,
        "select cohort_month, lead_source, lead_count as leads, mql_count as mqls, "
        "contact_count as contacts, opportunity_count as opportunities, won_count as won "
        "from marts.fct_funnel_cohorts",
    )
    marts["cohort_month"] = pd.to_datetime(marts["cohort_month"])
    key = ["cohort_month", "lead_source"]
    merged = expected.merge(
        marts, on=key, how="outer", suffixes=("_expected", "_mart"), indicator=True
    )
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in ("leads", "mqls", "contacts", "opportunities", "won"):
        assert (merged[f"{column}_expected"] == merged[f"{column}_mart"].astype(int)).all(), column


@pytest.mark.parametrize("model", recompute.MODELS)
def test_attributed_revenue_by_source_matches_an_independent_recomputation(case, model) -> None:
    dataset, warehouse, as_of = case
    expected = recompute.attributed_revenue_by_source(dataset, as_of)[model]
    marts = query(
        warehouse,
        f"select utm_source, sum({model}_revenue_usd) as revenue, "
        "count(case when is_won then 1 end) as touch_rows "
        "from marts.fct_attribution group by utm_source",
    )
    marts["utm_source"] = marts["utm_source"].where(marts["utm_source"].notna(), None)
    by_source = marts.set_index("utm_source")
    expected = expected[expected.abs() > 0]
    assert set(by_source.index[by_source["revenue"].astype(float) != 0]) == set(expected.index)
    for source, revenue in expected.items():
        row = by_source.loc[source]
        # The mart rounds each touch's share of a won deal to the cent (the remainder going to
        # one touch): at most a cent per won touch row apart from the exact shares.
        assert abs(float(row["revenue"]) - revenue) <= 0.01 * int(row["touch_rows"]), source


# The latest moment each mart may mention, by mart and column, when built as of AS_OF_DATE.
DATED_COLUMNS = {
    "fct_mrr": ["mrr_month"],
    "fct_mrr_bridge": ["mrr_month"],
    "fct_leads": ["created_at", "converted_at", "opportunity_created_at", "won_at"],
    "fct_funnel_cohorts": ["cohort_month"],
    "fct_attribution": ["occurred_at", "opportunity_created_at"],
    "fct_campaign_performance": ["touch_month"],
    "fct_opportunities": ["created_at", "closed_at", "first_activity_at", "last_activity_at"],
    "fct_opportunity_stages": ["entered_at", "exited_at"],
}


@pytest.mark.parametrize("mart", list(DATED_COLUMNS))
def test_nothing_after_the_as_of_date_appears(built_as_of, mart: str) -> None:
    _, warehouse = built_as_of
    end = pd.Timestamp(AS_OF_DATE) + pd.Timedelta(days=1)
    for column in DATED_COLUMNS[mart]:
        latest = query(warehouse, f"select max({column}) as latest from marts.{mart}")["latest"][0]
        assert latest is not None, f"{mart}.{column} is empty"
        assert pd.Timestamp(latest) < end, f"{mart}.{column} reaches {latest}"


def test_open_pipeline_as_of_a_past_date(built_as_of) -> None:
    """A deal won after the as-of date is open as of then; one created later does not exist."""
    dataset, warehouse = built_as_of
    deals = dataset.typed("opportunities", "created_at", "close_date")
    end = pd.Timestamp(AS_OF_DATE) + pd.Timedelta(days=1)
    known = deals[deals["created_at"] < end]
    open_then = known[(known["is_closed"] == "false") | (known["close_date"] >= end)]
    marts = query(warehouse, "select opportunity_id, is_closed from marts.fct_opportunities")
    assert len(marts) == len(known)
    assert set(marts.loc[~marts["is_closed"].astype(bool), "opportunity_id"].astype(str)) == set(
        open_then["opportunity_id"]
    )


# As-of dates for the MRR restatement checks: month ends and mid-month days across the window.
MRR_AS_OF_DATES = ("2024-12-31", "2025-03-14", "2025-11-30", "2026-02-17", "2026-08-01")


@pytest.fixture(scope="module")
def mrr_as_of(small_project, tmp_path_factory: pytest.TempPathFactory):
    """fct_mrr of the small dataset built as of each of MRR_AS_OF_DATES (only fct_mrr and its
    parents, each into a warehouse of its own)."""
    results = {}
    for as_of in MRR_AS_OF_DATES:
        warehouse = tmp_path_factory.mktemp("mrr_as_of") / "mrr.duckdb"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
            run_dbt(small_project, "seed")
            run_dbt(
                small_project, "run", "--select", "+fct_mrr", "--vars", f"{{as_of_date: {as_of}}}"
            )
        results[as_of] = query(warehouse, "select * from marts.fct_mrr")
    return results


def _mrr_by_account_month(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[int, str]]:
    """(account, month) -> (MRR in cents, movement), for the months with MRR or a movement; a
    month at 0 without a movement (between a churn and a return) says nothing to compare."""
    return {
        (str(r.account_id), pd.Timestamp(r.mrr_month).strftime("%Y-%m")): (
            cents(r.mrr),
            r.mrr_movement,
        )
        for r in frame.itertuples()
        if isinstance(r.mrr_movement, str)
    }


@pytest.mark.parametrize("as_of", MRR_AS_OF_DATES)
def test_fct_mrr_never_restates_a_month_before_the_as_of_month(built, mrr_as_of, as_of) -> None:
    """Every month before the as-of month has the same MRR and movement per account as in the
    build as of the data's end: later orders never change a month already reported."""
    _, warehouse = built
    as_of_month = pd.Timestamp(as_of).strftime("%Y-%m")
    full = {
        key: value
        for key, value in _mrr_by_account_month(
            query(warehouse, "select * from marts.fct_mrr")
        ).items()
        if key[1] < as_of_month
    }
    then = {
        key: value
        for key, value in _mrr_by_account_month(mrr_as_of[as_of]).items()
        if key[1] < as_of_month
    }
    assert then, f"no MRR before {as_of}"
    differences = {
        key: (then.get(key), full.get(key))
        for key in set(full) | set(then)
        if then.get(key) != full.get(key)
    }
    assert not differences, f"restated as of {as_of}: {sorted(differences.items())[:5]}"


@pytest.mark.parametrize("as_of", MRR_AS_OF_DATES)
def test_no_account_with_a_contract_in_force_on_the_as_of_date_is_churned(
    small_dataset, mrr_as_of, as_of
) -> None:
    """From the raw CSV: an account with an order booked by the as-of date whose service period
    contains it pays in the as-of month, and every account that pays has such an order."""
    day = pd.Timestamp(as_of)
    orders = recompute.known_by(
        small_dataset.typed("billing_orders", "order_date"), "order_date", day
    )
    orders = recompute.with_service_periods(orders)
    in_force = orders[(orders["service_start"] <= day) & (day < orders["service_end"])]
    expected = set(in_force["account_id"])
    assert expected, f"no contract in force on {as_of}"
    marts = mrr_as_of[as_of]
    as_of_month = marts[pd.to_datetime(marts["mrr_month"]) == day.replace(day=1)]
    paying = set(as_of_month.loc[as_of_month["mrr"] > 0, "account_id"].astype(str))
    churned = set(as_of_month.loc[as_of_month["mrr_movement"] == "churn", "account_id"].astype(str))
    assert expected == paying
    assert not expected & churned


def test_the_bridge_balances_when_monthly_values_are_rounded(
    dbt_project, small_dataset, tmp_path: Path
) -> None:
    """Amounts that are not whole monthly prices (a cent added to every third order) give monthly
    values rounded to the cent; the build's bridge tests still pass, and the bridge still matches
    the independent recomputation to the cent."""
    folder = tmp_path / "odd_cents"
    shutil.copytree(small_dataset.folder, folder / "seeds")
    orders = pd.read_csv(folder / "seeds" / "billing_orders.csv", dtype=str, keep_default_na=False)
    odd = (orders.index % 3 == 0) & (orders["term_months"].astype(int) > 1)
    orders.loc[odd, "amount"] = [
        f"{Decimal(a) + Decimal('0.01'):.2f}" for a in orders.loc[odd, "amount"]
    ]
    orders.to_csv(folder / "seeds" / "billing_orders.csv", index=False)
    dataset = Dataset(folder, small_dataset.config)
    project = dbt_project(dataset, "odd_cents")
    warehouse = tmp_path / "odd_cents.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESPIPELINE_DUCKDB", str(warehouse))
        run_dbt(project, "seed")
        run_dbt(
            project,
            "build",
            "--select",
            "+fct_mrr_bridge",
            "--exclude",
            "resource_type:seed",
            "--indirect-selection",
            "cautious",
        )
    monthly = query(
        warehouse, "select monthly_amount_usd from intermediate.int_orders_in_force_monthly"
    )
    assert (monthly["monthly_amount_usd"].map(lambda v: Decimal(v) * 100 % 1 == 0)).all()
    expected = recompute.mrr_bridge(dataset).set_index("month")
    marts = query(warehouse, "select * from marts.fct_mrr_bridge order by mrr_month")
    assert [cents(v) for v in marts["ending_mrr"]] == expected["ending_mrr"].tolist()
    movements = ["new_mrr", "expansion_mrr", "reactivation_mrr"]
    for row in marts.itertuples():
        balance = row.starting_mrr + sum(getattr(row, m) for m in movements)
        assert balance - row.contraction_mrr - row.churned_mrr == row.ending_mrr, row.mrr_month

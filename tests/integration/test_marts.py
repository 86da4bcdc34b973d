"""The marts hold up against the ground truth the generator planted and against an independent
recomputation from the raw CSVs (recompute.py), on a freshly generated dataset."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import engines
import pandas as pd
import pytest
import recompute
from support import AS_OF_DATE, Dataset, connect_warehouse, run_dbt

# Each recomputation runs against the default build (as of the last day with data), against a
# build with an as_of_date in the middle of the window, and against the default build on Spark
# and on PostgreSQL (their relations mirrored into a DuckDB file, so that the same SQL reads
# them): engine and as_of_date by case.
CASES = {
    "data_end": ("duckdb", None),
    "mid_window": ("duckdb", AS_OF_DATE),
    "spark": ("spark", None),
    "postgres": ("postgres", None),
}


def build_of(request, engine: str, as_of: str | None):
    """(dataset, DuckDB file) of the small dataset built on `engine`, as of `as_of`."""
    if engine != "duckdb":
        build = request.getfixturevalue("built_on_engine")(engine)
        return build.dataset, build.warehouse
    return request.getfixturevalue("built" if as_of is None else "built_as_of")


@pytest.fixture(params=list(CASES))
def case(request):
    engine, as_of = CASES[request.param]
    return *build_of(request, engine, as_of), as_of


@pytest.fixture(params=["duckdb", *engines.ENGINES])
def built_on_each_engine(request):
    """The default build on each engine: the ground-truth checks run on all three."""
    return build_of(request, request.param, None)


def query(warehouse, sql: str) -> pd.DataFrame:
    with connect_warehouse(warehouse) as connection:
        cursor = connection.execute(sql)
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)


def cents(value) -> int:
    return int(Decimal(value) * 100)


def test_fct_mrr_reproduces_every_planted_movement(built_on_each_engine) -> None:
    dataset, warehouse = built_on_each_engine
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


def test_fct_opportunities_reproduces_type_outcome_and_amount(built_on_each_engine) -> None:
    dataset, warehouse = built_on_each_engine
    marts = query(
        warehouse,
        "select opportunity_id, opportunity_type, is_won, is_closed, tcv_usd "
        "from marts.fct_opportunities",
    )
    found = {
        str(r.opportunity_id): (
            r.opportunity_type,
            bool(r.is_won),
            not r.is_closed,
            cents(r.tcv_usd),
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
    assert {t for t, *_ in planted.values()} == {"new_business", "win_back", "expansion", "renewal"}
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


def test_fct_unit_economics_ltv_matches_an_independent_recomputation(case) -> None:
    dataset, warehouse, as_of = case
    marts = query(warehouse, "select ltv_usd from marts.fct_unit_economics where is_as_of_month")
    assert len(marts) == 1
    assert float(marts["ltv_usd"].iloc[0]) == pytest.approx(recompute.ltv(dataset, as_of), rel=1e-9)


def test_fct_retention_cohorts_match_an_independent_recomputation(case) -> None:
    dataset, warehouse, as_of = case
    expected = recompute.retention_cohorts(dataset, as_of)
    marts = query(
        warehouse,
        "select cohort_month, months_since_start, cohort_logos, cohort_starting_mrr, "
        "active_logos, active_mrr from marts.fct_retention_cohorts "
        "order by cohort_month, months_since_start",
    )
    marts["cohort_month"] = pd.PeriodIndex(pd.to_datetime(marts["cohort_month"]), freq="M")
    found = {
        (r.cohort_month, int(r.months_since_start)): (
            int(r.cohort_logos),
            cents(r.cohort_starting_mrr),
            int(r.active_logos),
            cents(r.active_mrr),
        )
        for r in marts.itertuples()
    }
    want = {
        (r.cohort_month, r.months_since_start): (
            r.cohort_logos,
            r.cohort_starting_mrr,
            r.active_logos,
            r.active_mrr,
        )
        for r in expected.itertuples()
    }
    assert len(want) > 0
    assert found == want, (
        f"missing: {sorted(set(want) - set(found))[:5]} "
        f"unexpected: {sorted(set(found) - set(want))[:5]} "
        f"different: {[k for k in want if k in found and want[k] != found[k]][:5]}"
    )


def test_fct_funnel_cohorts_counts_match_an_independent_recomputation(case) -> None:
    """Every cohort month and lead source has the leads, flagged MQLs and stage counts of the
    lead's own path, and the leads with an opportunity and the won leads split by deal type,
    recomputed in pandas from the raw CSVs; one row per cohort, so its rates are the cohort's."""
    dataset, warehouse, as_of = case
    expected = recompute.funnel_cohorts(dataset, as_of)
    expected["cohort_month"] = expected["cohort_month"].dt.to_timestamp()
    marts = query(
        warehouse,
        "select cohort_month, lead_source, lead_count as leads, "
        "mql_flagged_count as mqls_flagged, mql_count as mqls, contact_count as contacts, "
        "opportunity_count as opportunities, won_count as won, "
        "new_business_opportunity_count as new_business_opportunities, "
        "win_back_opportunity_count as win_back_opportunities, "
        "new_business_won_count as new_business_won, win_back_won_count as win_back_won, "
        "lead_to_won_rate, opportunity_to_won_rate "
        "from marts.fct_funnel_cohorts",
    )
    marts["cohort_month"] = pd.to_datetime(marts["cohort_month"])
    key = ["cohort_month", "lead_source"]
    assert not marts.duplicated(key).any(), "one row per cohort month and lead source"
    merged = expected.merge(
        marts, on=key, how="outer", suffixes=("_expected", "_mart"), indicator=True
    )
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    counts = ["leads", "mqls_flagged", "mqls", "contacts", "opportunities", "won"]
    by_type = [
        f"{t}_{stage}" for stage in ("opportunities", "won") for t in recompute.NEW_LOGO_TYPES
    ]
    for column in counts + by_type:
        assert (merged[f"{column}_expected"] == merged[f"{column}_mart"].astype(int)).all(), column
    # The rates on a row are the cohort's own: the ratios of its counts.
    assert merged["lead_to_won_rate"].astype(float).to_numpy() == pytest.approx(
        (merged["won_expected"] / merged["leads_expected"]).to_numpy()
    )
    with_opportunities = merged[merged["opportunities_expected"] > 0]
    assert with_opportunities["opportunity_to_won_rate"].astype(float).to_numpy() == pytest.approx(
        (
            with_opportunities["won_expected"] / with_opportunities["opportunities_expected"]
        ).to_numpy()
    )
    assert expected["won"].sum() > 0
    assert expected["new_business_opportunities"].sum() > 0
    assert expected["mqls"].sum() > expected["mqls_flagged"].sum()


@pytest.mark.parametrize("model", recompute.MODELS)
def test_attributed_revenue_by_source_matches_an_independent_recomputation(case, model) -> None:
    dataset, warehouse, as_of = case
    # Attribution covers exactly the conversions (new-logo deals) created by the as-of date.
    types = recompute.opportunity_types(dataset)
    cutoff = recompute.as_of_date(dataset, as_of) + pd.Timedelta(days=1)
    deals = dataset.typed("opportunities", "created_at")
    conversions = {
        d.opportunity_id
        for d in deals.itertuples()
        if d.created_at < cutoff and types[d.opportunity_id] in recompute.NEW_LOGO_TYPES
    }
    attributed = query(warehouse, "select distinct opportunity_id from marts.fct_attribution")
    assert {str(o) for o in attributed["opportunity_id"]} == conversions
    expected = recompute.attributed_revenue_by_source(dataset, as_of)[model]
    marts = query(
        warehouse,
        f"select utm_source, sum({model}_revenue_acv_usd) as revenue, "
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


def test_fct_pipeline_monthly_walk_matches_an_independent_recomputation(case) -> None:
    """The month-end pipeline of fct_pipeline_monthly, and the walk between month ends in
    fct_pipeline_bridge (summed over opportunity types), are those recomputed from the raw stage
    history: each movement's count and USD amount, every month."""
    dataset, warehouse, as_of = case
    expected = recompute.pipeline_bridge(dataset, as_of).set_index("month")
    movements = recompute.BRIDGE_MOVEMENTS
    bridge = query(
        warehouse,
        "select pipeline_month, "
        + ", ".join(
            f"sum({m}_count) as {m}_count, sum({m}_tcv_usd) as {m}_tcv_usd" for m in movements
        )
        + " from marts.fct_pipeline_bridge group by pipeline_month order by pipeline_month",
    )
    monthly = query(
        warehouse,
        "select pipeline_month, sum(opportunity_count) as opportunity_count, "
        "sum(tcv_usd) as tcv_usd from marts.fct_pipeline_monthly "
        "group by pipeline_month order by pipeline_month",
    )
    months = [pd.Period(m, "M") for m in bridge["pipeline_month"]]
    assert months == list(expected.index)
    assert [pd.Period(m, "M") for m in monthly["pipeline_month"]] == months
    for month, row, stock in zip(months, bridge.itertuples(), monthly.itertuples(), strict=True):
        want = expected.loc[month]
        for m in movements:
            got = (int(getattr(row, f"{m}_count")), cents(getattr(row, f"{m}_tcv_usd")))
            assert got == (want[f"{m}_count"], want[f"{m}_cents"]), f"{month}: {m}"
        assert (int(stock.opportunity_count), cents(stock.tcv_usd)) == (
            want["closing_count"],
            want["closing_cents"],
        ), f"{month}: fct_pipeline_monthly"


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

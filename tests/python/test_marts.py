"""The marts hold up against the ground truth the generator planted and against an independent
recomputation from the raw CSVs (recompute.py), on a freshly generated dataset."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
import recompute
from support import connect_warehouse


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
    assert set(t for t, *_ in planted.values()) == {"new_business", "expansion", "renewal"}
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


def test_fct_mrr_bridge_matches_an_independent_recomputation(built) -> None:
    dataset, warehouse = built
    expected = recompute.mrr_bridge(dataset).set_index("month")
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


def test_fct_funnel_cohorts_counts_match_an_independent_recomputation(built) -> None:
    dataset, warehouse = built
    expected = recompute.funnel_cohorts(dataset)
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
def test_attributed_revenue_by_source_matches_an_independent_recomputation(built, model) -> None:
    dataset, warehouse = built
    expected = recompute.attributed_revenue_by_source(dataset)[model]
    marts = query(
        warehouse,
        f"select utm_source, sum({model}_revenue_usd) as revenue, count(*) as touch_rows "
        "from marts.fct_attribution group by utm_source",
    )
    marts["utm_source"] = marts["utm_source"].where(marts["utm_source"].notna(), None)
    by_source = marts.set_index("utm_source")
    expected = expected[expected.abs() > 0]
    assert set(by_source.index[by_source["revenue"].astype(float) != 0]) == set(expected.index)
    for source, revenue in expected.items():
        row = by_source.loc[source]
        # The mart rounds each touch's share to the cent (and gives the remainder to one touch):
        # at most a cent per touch row apart from the exact shares.
        assert abs(float(row["revenue"]) - revenue) <= 0.01 * int(row["touch_rows"]), source

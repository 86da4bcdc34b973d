"""Invariants of the generated data: what every downstream model relies on."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import recompute
from support import REPO_ROOT, Dataset, make_dataset

from salespipeline import reference
from salespipeline.config import GeneratorConfig
from salespipeline.generator import generate
from salespipeline.schema import FOREIGN_KEYS, TABLES, column_names, primary_key

PRECISION = {"numeric(15,2)": 13, "numeric(10,2)": 8, "numeric(5,2)": 3}


def digest(folder: Path) -> dict[str, str]:
    return {t: hashlib.sha256((folder / f"{t}.csv").read_bytes()).hexdigest() for t in TABLES}


@pytest.mark.parametrize("table", list(TABLES))
def test_header_is_the_data_model_in_order(small_dataset: Dataset, table: str) -> None:
    header = small_dataset.path(table).read_text().splitlines()[0]
    assert [name.strip('"') for name in header.split(",")] == column_names(table)


@pytest.mark.parametrize("table", list(TABLES))
def test_values_fit_the_declared_types(small_dataset: Dataset, table: str) -> None:
    frame = small_dataset.frame(table)
    assert len(frame) > 0
    for column in TABLES[table]:
        values = frame[column.name].dropna()
        if not column.nullable:
            assert frame[column.name].notna().all(), f"{table}.{column.name} has nulls"
        if column.type == "uuid":
            assert all(str(uuid.UUID(v)) == v for v in values), f"{table}.{column.name}"
        elif column.type.startswith("numeric"):
            for value in values:
                number = Decimal(value)
                assert number.as_tuple().exponent == -2, f"{table}.{column.name}: {value}"
                assert (
                    len(str(abs(number.to_integral_value(rounding="ROUND_DOWN"))))
                    <= PRECISION[column.type]
                )
        elif column.type == "timestamp":
            parsed = pd.to_datetime(values, format="%Y-%m-%d %H:%M:%S")
            assert parsed.notna().all()
        elif column.type == "date":
            parsed = pd.to_datetime(values, format="%Y-%m-%d")
            assert parsed.notna().all()
        elif column.type == "boolean":
            assert set(values) <= {"true", "false"}
        elif column.type == "int":
            assert all(int(v) == float(v) and abs(int(v)) < 2**31 for v in values)
        elif column.type.startswith("varchar"):
            limit = int(column.type[len("varchar(") : -1])
            assert values.str.len().max() <= limit


@pytest.mark.parametrize("table", list(TABLES))
def test_primary_keys_are_unique(small_dataset: Dataset, table: str) -> None:
    keys = small_dataset.frame(table)[primary_key(table)]
    assert keys.notna().all()
    assert keys.is_unique


@pytest.mark.parametrize(("child", "parent"), list(FOREIGN_KEYS.items()))
def test_every_foreign_key_resolves(small_dataset: Dataset, child, parent) -> None:
    (table, column), (parent_table, parent_column) = child, parent
    values = set(small_dataset.frame(table)[column].dropna())
    assert values, f"{table}.{column} is never filled"
    assert values <= set(small_dataset.frame(parent_table)[parent_column])


def test_children_never_come_before_parents(small_dataset: Dataset) -> None:
    accounts = small_dataset.typed("accounts", "created_at").set_index("account_id")
    leads = small_dataset.typed("leads", "created_at").set_index("lead_id")
    contacts = small_dataset.typed("contacts", "created_at")
    opportunities = small_dataset.typed("opportunities", "created_at", "close_date").set_index(
        "opportunity_id"
    )
    history = small_dataset.typed("opportunity_stage_history", "entered_at")
    activities = small_dataset.typed("activities", "occurred_at")
    orders = small_dataset.typed("billing_orders", "order_date")

    with_account = leads.dropna(subset=["account_id"])
    assert (
        with_account["created_at"] >= accounts.loc[with_account["account_id"], "created_at"].values
    ).all()
    assert (
        contacts["created_at"].values > leads.loc[contacts["lead_id"], "created_at"].values
    ).all()
    assert (
        opportunities["created_at"].values
        >= accounts.loc[opportunities["account_id"], "created_at"].values
    ).all()
    assert (opportunities["close_date"] > opportunities["created_at"]).all()
    assert (
        history["entered_at"].values
        >= opportunities.loc[history["opportunity_id"], "created_at"].values
    ).all()
    deal = opportunities.loc[activities["opportunity_id"]]
    assert (activities["occurred_at"].values >= deal["created_at"].values).all()
    assert (activities["occurred_at"].values <= deal["close_date"].values).all()
    contact_created = contacts.set_index("contact_id").loc[activities["contact_id"], "created_at"]
    assert (activities["occurred_at"].values >= contact_created.values).all()
    assert (
        orders["order_date"].values >= accounts.loc[orders["account_id"], "created_at"].values
    ).all()
    won = orders.dropna(subset=["opportunity_id"])
    assert (
        won["order_date"].values >= opportunities.loc[won["opportunity_id"], "close_date"].values
    ).all()


def test_everything_happens_inside_the_window(small_dataset: Dataset) -> None:
    start = pd.Timestamp(small_dataset.config.start_date)
    end = pd.Timestamp(small_dataset.config.end_date) + pd.Timedelta(days=1)
    for table, column in [
        ("accounts", "created_at"),
        ("leads", "created_at"),
        ("contacts", "created_at"),
        ("opportunities", "created_at"),
        ("opportunity_stage_history", "entered_at"),
        ("activities", "occurred_at"),
        ("marketing_events", "occurred_at"),
        ("billing_orders", "order_date"),
    ]:
        moments = small_dataset.typed(table, column)[column]
        assert moments.min() >= start, table
        assert moments.max() < end, table


def test_stage_history_is_consistent_with_its_opportunity(small_dataset: Dataset) -> None:
    opportunities = small_dataset.typed("opportunities", "created_at", "close_date").set_index(
        "opportunity_id"
    )
    history = small_dataset.typed("opportunity_stage_history", "entered_at")
    stages = {s.name: s for s in reference.STAGES}
    grouped = history.sort_values(["opportunity_id", "entered_at"], kind="stable").groupby(
        "opportunity_id"
    )
    assert set(grouped.groups) == set(opportunities.index)
    first = grouped.first()
    last = grouped.last()
    assert (first["entered_at"] == opportunities.loc[first.index, "created_at"]).all()
    assert (first["stage_name"] == "prospecting").all()
    assert (last["stage_name"] == opportunities.loc[last.index, "stage"]).all()
    for opportunity_id, rows in grouped:
        assert rows["entered_at"].is_monotonic_increasing
        assert rows["entered_at"].is_unique
        closed = [stages[name].is_closed for name in rows["stage_name"]]
        assert not any(closed[:-1]), f"{opportunity_id} enters a stage after closing"
        if closed[-1]:
            assert rows["entered_at"].iloc[-1] == opportunities.loc[opportunity_id, "close_date"]
    orders = history.assign(order=history["stage_name"].map(lambda n: stages[n].order))
    backward = (
        orders.sort_values(["opportunity_id", "entered_at"])
        .groupby("opportunity_id")["order"]
        .apply(lambda o: bool((o.diff() < 0).any()))
    )
    assert 0 < backward.mean() < 0.2, "some but not many deals move backwards"


def test_opportunity_status_fields_agree(small_dataset: Dataset) -> None:
    opportunities = small_dataset.typed("opportunities", "created_at", "close_date")
    stages = {s.name: s for s in reference.STAGES}
    end = pd.Timestamp(small_dataset.config.end_date) + pd.Timedelta(days=1)
    for row in opportunities.itertuples():
        stage = stages[row.stage]
        assert (row.is_closed == "true") == stage.is_closed
        if stage.is_closed:
            assert row.close_outcome == row.stage
            assert Decimal(row.stage_probability) == Decimal(str(stage.default_probability))
            assert row.close_date < end
        else:
            assert pd.isna(row.close_outcome)
            assert Decimal("0") < Decimal(row.stage_probability) < Decimal("1")
            assert row.close_date >= end, "an open deal expects to close after the end date"
    assert (opportunities["is_closed"] == "false").sum() > 0, "some pipeline is open at the end"


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("accounts", "annual_revenue"),
        ("opportunities", "amount"),
        ("billing_orders", "amount"),
        ("marketing_events", "cost"),
    ],
)
def test_amounts_are_positive(small_dataset: Dataset, table: str, column: str) -> None:
    values = small_dataset.frame(table)[column].dropna().map(Decimal)
    assert len(values)
    assert (values > 0).all()


def test_won_deals_are_billed_at_their_amount(small_dataset: Dataset) -> None:
    opportunities = small_dataset.frame("opportunities").set_index("opportunity_id")
    orders = small_dataset.frame("billing_orders").dropna(subset=["opportunity_id"])
    billed = opportunities.loc[orders["opportunity_id"]]
    assert (billed["close_outcome"] == "closed_won").all()
    assert (billed["amount"].values == orders["amount"].values).all()
    assert (billed["currency"].str.upper().values == orders["currency"].str.upper().values).all()
    won = opportunities[opportunities["close_outcome"] == "closed_won"]
    assert set(won.index) == set(orders["opportunity_id"])


def test_billing_has_the_shapes_mrr_needs(small_dataset: Dataset) -> None:
    orders = small_dataset.frame("billing_orders")
    terms = set(orders["term_months"].astype(int))
    assert {1, 12}.issubset(terms)
    assert terms & {24, 36}
    assert orders["opportunity_id"].isna().any(), "monthly plans bill without a new deal"
    assert not (orders["currency"].str.upper() == "USD").all()


def test_contracts_are_timed_like_a_billing_system() -> None:
    """The default dataset plants the contract timing that MRR from contracts in force must get
    right: renewals booked up to 90 days early, renewals signed up to 30 days late (some across
    a month end), service starting on any day of the month and sometimes after the booking,
    co-termed upsells, and monthly plans that change price."""
    orders = generate(GeneratorConfig())["billing_orders"].to_pandas()
    orders["service_start_date"] = pd.to_datetime(orders["service_start_date"]).dt.strftime(
        "%Y-%m-%d"
    )
    periods = recompute.with_service_periods(orders).rename(
        columns={"service_start": "start", "service_end": "end", "term_months": "term"}
    )
    lead_days = (periods["start"] - periods["order_date"].dt.normalize()).dt.days
    assert (lead_days >= 0).all(), "no service starts before its order is booked"
    assert lead_days.max() == 90, "renewals booked up to 90 days early"
    assert (lead_days > 30).sum() > 50, "renewals booked early"
    assert periods["start"].dt.day.nunique() == 31
    # The next contract of an account after one ends: on time, or late by up to 30 days.
    term_contracts = periods[periods["term"] > 1].sort_values(["account_id", "start"])
    gaps = []
    for _, contracts in term_contracts.groupby("account_id"):
        for end in contracts["end"]:
            following = contracts["start"][contracts["start"] >= end]
            if len(following):
                gaps.append(((following.min() - end).days, end, following.min()))
    gap_days = np.array([gap for gap, _, _ in gaps])
    assert (gap_days == 0).sum() > 100, "most renewals start when the old term ends"
    late = [(end, start) for gap, end, start in gaps if 0 < gap <= 30]
    assert len(late) > 10, "some renewals start late"
    assert any(end.month != start.month for end, start in late), "a late start over a month end"
    # Co-termed upsells: a contract that starts after another of the account and ends with it.
    coterm = term_contracts.merge(term_contracts, on="account_id", suffixes=("", "_base"))
    coterm = coterm[
        (coterm["start"] > coterm["start_base"]) & (coterm["end"] == coterm["end_base"])
    ]
    assert len(coterm) > 50
    # Monthly plans: consecutive invoices of an account at different prices.
    monthly = periods[periods["term"] == 1].sort_values(["account_id", "start"])
    changed = monthly.groupby("account_id")["amount"].nunique()
    assert (changed > 1).sum() > 10


def test_the_data_can_end_on_any_day(tmp_path: Path) -> None:
    """--end-date on a day inside a month: nothing happens after it, orders included."""
    config = GeneratorConfig(scale=0.2, end_date=date(2026, 9, 17))
    tables = generate(config)
    ordered = tables["billing_orders"].column("order_date").to_pandas()
    assert ordered.max() < pd.Timestamp("2026-09-18")
    assert ordered.max() >= pd.Timestamp("2026-09-01")


def test_reference_seeds_match_the_generator() -> None:
    folder = REPO_ROOT / "seeds" / "reference"
    stages = pd.read_csv(folder / "opportunity_stages.csv", dtype=str)
    assert [tuple(r) for r in stages.itertuples(index=False)] == [
        (
            s.name,
            str(s.order),
            f"{s.default_probability:.2f}",
            str(s.is_closed).lower(),
            str(s.is_won).lower(),
        )
        for s in reference.STAGES
    ]
    rates = pd.read_csv(folder / "fx_rates.csv")
    assert dict(zip(rates["currency_code"], rates["rate_to_usd"], strict=True)) == (
        reference.FX_RATES_TO_USD
    )
    campaigns = pd.read_csv(folder / "campaigns.csv", dtype=str)
    assert [tuple(r) for r in campaigns.itertuples(index=False)] == [
        (c.campaign_id, c.utm_source, c.utm_campaign, c.event_type, c.channel)
        for c in reference.CAMPAIGNS
    ]


def test_marketing_events_fit_their_campaign(small_dataset: Dataset) -> None:
    events = small_dataset.frame("marketing_events")
    catalogue = {(c.utm_source, c.utm_campaign): c.event_type for c in reference.CAMPAIGNS}
    pairs = list(zip(events["utm_source"], events["utm_campaign"], strict=True))
    assert all(
        catalogue[pair] == kind for pair, kind in zip(pairs, events["event_type"], strict=True)
    )
    paid = events["event_type"].isin(reference.PAID_EVENT_TYPES)
    assert events.loc[paid, "cost"].notna().all()
    assert events.loc[~paid, "cost"].isna().all()


def test_the_planted_mess_is_there_in_small_doses(small_dataset: Dataset) -> None:
    leads = small_dataset.typed("leads", "created_at")
    emails = leads["email"]
    messy = emails != emails.str.strip().str.lower()
    assert 0 < messy.mean() < 0.1
    currencies = pd.concat(
        [
            small_dataset.frame("opportunities")["currency"],
            small_dataset.frame("billing_orders")["currency"],
        ]
    )
    lower = currencies != currencies.str.upper()
    assert 0 < lower.mean() < 0.1
    assert set(currencies.str.upper()) == set(reference.FX_RATES_TO_USD)

    # Double-submits: same (clean) email and source within minutes, identical but for id and time.
    clean = leads.assign(key=emails.str.strip().str.lower()).sort_values(
        "created_at", kind="stable"
    )
    previous = clean.groupby(["key", "lead_source"]).shift(1)
    gap = clean["created_at"] - previous["created_at"]
    doubles = gap <= pd.Timedelta(minutes=10)
    assert 0 < doubles.mean() < 0.05
    assert gap[doubles].between(pd.Timedelta(seconds=20), pd.Timedelta(minutes=5)).all()
    for column in ("email", "owner_id", "account_id", "is_marketing_qualified"):
        same = clean.loc[doubles, column].fillna("") == previous.loc[doubles, column].fillna("")
        assert same.all(), column
    # Repeat leads weeks apart are real: the same person again, at least three weeks later.
    repeats = clean[gap.isna() & clean.duplicated("key", keep="first")]
    assert len(repeats) > 0


def test_same_options_give_byte_identical_files(tmp_path: Path, small_dataset: Dataset) -> None:
    again = make_dataset(tmp_path, seed=small_dataset.config.seed, scale=small_dataset.config.scale)
    assert digest(again.folder) == digest(small_dataset.folder)


def test_a_different_seed_gives_different_data(tmp_path: Path, small_dataset: Dataset) -> None:
    other = make_dataset(
        tmp_path, seed=small_dataset.config.seed + 1, scale=small_dataset.config.scale
    )
    assert all(
        a != b
        for a, b in zip(
            digest(other.folder).values(), digest(small_dataset.folder).values(), strict=True
        )
    )


def test_scale_multiplies_volumes_linearly(tmp_path: Path) -> None:
    small = make_dataset(tmp_path / "a", seed=3, scale=0.2)
    large = make_dataset(tmp_path / "b", seed=3, scale=0.4)
    for table in TABLES:
        ratio = len(large.frame(table)) / len(small.frame(table))
        assert 1.6 < ratio < 2.4, f"{table}: x{ratio:.2f}"


def test_scale_zero_writes_header_only_files(tmp_path: Path) -> None:
    empty = make_dataset(tmp_path, seed=1, scale=0)
    for table in TABLES:
        lines = empty.path(table).read_text().splitlines()
        assert len(lines) == 1
        assert lines[0].replace('"', "").split(",") == column_names(table)


def test_leads_follow_growth_and_seasonality(small_dataset: Dataset) -> None:
    created = small_dataset.typed("leads", "created_at")["created_at"]
    per_year = created.dt.to_period("Y").value_counts().sort_index()
    first_full, second_full = per_year.loc["2024"], per_year.loc["2025"]
    assert second_full > first_full * 1.15
    by_month = created.dt.month.value_counts()
    assert by_month[8] < by_month[10], "summer lull below October's peak"
    weekday_share = (created.dt.day_of_week < 5).mean()
    assert weekday_share > 0.8


def test_mql_rates_differ_by_source(small_dataset: Dataset) -> None:
    leads = small_dataset.frame("leads")
    rates = (leads["is_marketing_qualified"] == "true").groupby(leads["lead_source"]).mean()
    assert rates["referral"] > rates["outbound"] + 0.2
    assert leads["account_id"].isna().mean() > 0.05, "some leads have no known account"


def test_default_scale_volumes_are_as_documented() -> None:
    """At scale 1.0 the volumes are those the README states (about 270k rows)."""
    from salespipeline.config import GeneratorConfig
    from salespipeline.generator import generate

    tables = generate(GeneratorConfig())
    rows = {name: table.num_rows for name, table in tables.items()}
    expected = {
        "accounts": 2_000,
        "leads": 40_000,
        "contacts": 10_000,
        "opportunities": 4_000,
        "opportunity_stage_history": 16_000,
        "activities": 40_000,
        "marketing_events": 160_000,
        "billing_orders": 3_000,
    }
    for table, target in expected.items():
        assert 0.75 * target <= rows[table] <= 1.25 * target, f"{table}: {rows[table]}"
    assert 240_000 <= sum(rows.values()) <= 300_000
    np.testing.assert_equal(sorted(rows), sorted(TABLES))


def test_ground_truth_describes_the_seeds(small_dataset: Dataset) -> None:
    """The planted truth is written beside the seeds and speaks of the same rows."""
    truth = small_dataset.truth("opportunities").set_index("opportunity_id")
    opportunities = small_dataset.frame("opportunities").set_index("opportunity_id")
    assert set(truth.index) == set(opportunities.index)
    won = opportunities["close_outcome"] == "closed_won"
    assert ((truth.loc[opportunities.index, "is_won"] == "true") == won).all()
    assert (
        (truth.loc[opportunities.index, "is_open"] == "true")
        == (opportunities["is_closed"] == "false")
    ).all()
    rates = {code: Decimal(str(rate)) for code, rate in reference.FX_RATES_TO_USD.items()}
    for opportunity_id, row in opportunities.iterrows():
        usd = Decimal(row["amount"]) * rates[row["currency"].strip().upper()]
        assert usd == Decimal(truth.loc[opportunity_id, "amount_usd"]), opportunity_id
    assert (
        {"new_business", "expansion", "renewal"}
        <= set(truth["opportunity_type"])
        <= {"new_business", "win_back", "expansion", "renewal"}
    )

    movements = small_dataset.truth("mrr_movements")
    assert set(movements["mrr_movement"]) == {
        "new",
        "expansion",
        "contraction",
        "churn",
        "reactivation",
    }
    billed = set(small_dataset.frame("billing_orders")["account_id"])
    assert set(movements["account_id"]) == billed
    firsts = movements.sort_values("mrr_month").groupby("account_id")["mrr_movement"].first()
    assert (firsts == "new").all()

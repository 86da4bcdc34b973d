"""Independent recomputation of the key marts from the raw CSVs, in plain pandas.

Written from the metric definitions (models/marts/**/_*__docs.md), not from the SQL, so that a
mistake in a model shows up as a difference here rather than being repeated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from support import REPO_ROOT, Dataset

DUPLICATE_WINDOW = pd.Timedelta(minutes=10)


def fx_rates() -> dict[str, Decimal]:
    rates = pd.read_csv(REPO_ROOT / "seeds" / "reference" / "fx_rates.csv", dtype=str)
    return {
        code: Decimal(rate)
        for code, rate in zip(rates["currency_code"], rates["rate_to_usd"], strict=True)
    }


def to_usd_cents(amount: str, currency: str, rates: dict[str, Decimal]) -> int:
    usd = (Decimal(amount) * rates[currency.strip().upper()]).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    return int(usd * 100)


def as_of_date(data: Dataset, as_of: str | None = None) -> pd.Timestamp:
    """The as_of_date var when given, else the last day on which anything happened."""
    if as_of is not None:
        return pd.Timestamp(as_of)
    moments = [
        data.typed("leads", "created_at")["created_at"],
        data.typed("contacts", "created_at")["created_at"],
        data.typed("opportunity_stage_history", "entered_at")["entered_at"],
        data.typed("activities", "occurred_at")["occurred_at"],
        data.typed("marketing_events", "occurred_at")["occurred_at"],
        data.typed("billing_orders", "order_date")["order_date"],
    ]
    opportunities = data.typed("opportunities", "created_at", "close_date")
    moments.append(opportunities["created_at"])
    moments.append(opportunities.loc[opportunities["is_closed"] == "true", "close_date"])
    return max(m.max() for m in moments).normalize()


# --- MRR -------------------------------------------------------------------------------------


def known_by(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Rows whose ``column`` falls on or before the as-of date (to its last second)."""
    return frame[frame[column] < as_of + pd.Timedelta(days=1)]


def snapshot_day(month: pd.Period, as_of: pd.Timestamp) -> pd.Timestamp:
    """The day a month is measured on: its last day, or the as-of date in the as-of month."""
    return min(month.end_time.normalize(), as_of)


def with_service_periods(orders: pd.DataFrame) -> pd.DataFrame:
    """Billing orders (``order_date`` parsed) with their service period: ``service_start`` (the
    service start date, or the order's day when empty) and ``service_end``, ``term_months``
    calendar months later (excluded; pandas clips to the month's last day too)."""
    start = pd.to_datetime(orders["service_start_date"], format="%Y-%m-%d").fillna(
        orders["order_date"].dt.normalize()
    )
    end = [
        s + pd.DateOffset(months=int(t)) for s, t in zip(start, orders["term_months"], strict=True)
    ]
    return orders.assign(service_start=start, service_end=pd.Series(end, index=orders.index))


def monthly_pieces(data: Dataset, as_of: pd.Timestamp) -> pd.DataFrame:
    """The monthly value of each known order in each month whose snapshot its service covers."""
    rates = fx_rates()
    rows = []
    orders = known_by(data.typed("billing_orders", "order_date"), "order_date", as_of)
    last_month = as_of.to_period("M")
    for order in with_service_periods(orders).itertuples():
        cents = to_usd_cents(order.amount, order.currency, rates)
        term = int(order.term_months)
        monthly = int((Decimal(cents) / term).quantize(Decimal(1), ROUND_HALF_UP))
        month = order.service_start.to_period("M")
        while month <= last_month:
            if order.service_start <= snapshot_day(month, as_of) < order.service_end:
                rows.append((order.account_id, month, monthly, order.order_id))
            month += 1
    return pd.DataFrame(rows, columns=["account_id", "month", "cents", "order_id"])


def mrr_by_account_month(data: Dataset, as_of: str | None = None) -> pd.DataFrame:
    """One row per account and month from its first paying month to the month after its last,
    never past the as-of month, with the movement of each month."""
    last_month = as_of_date(data, as_of).to_period("M")
    pieces = monthly_pieces(data, as_of_date(data, as_of))
    paid = pieces.groupby(["account_id", "month"])["cents"].sum()
    rows = []
    for account_id, series in paid.groupby(level=0):
        by_month = series.droplevel(0)
        first, last = by_month.index.min(), by_month.index.max()
        previous, paid_before = 0, False
        month = first
        while month <= min(last + 1, last_month):
            mrr = int(by_month.get(month, 0))
            if mrr > 0 and previous == 0:
                movement = "reactivation" if paid_before else "new"
            elif mrr == 0 and previous > 0:
                movement = "churn"
            elif mrr > previous > 0:
                movement = "expansion"
            elif 0 < mrr < previous:
                movement = "contraction"
            elif mrr == previous > 0:
                movement = "retained"
            else:
                movement = None
            rows.append((account_id, month, mrr, previous, movement))
            paid_before = paid_before or mrr > 0
            previous = mrr
            month += 1
    return pd.DataFrame(rows, columns=["account_id", "month", "mrr", "previous_mrr", "movement"])


def mrr_bridge(data: Dataset, as_of: str | None = None) -> pd.DataFrame:
    """One row per month: the MRR bridge, logo counts, NRR and GRR (all money in cents)."""
    mrr = mrr_by_account_month(data, as_of)
    last_month = as_of_date(data, as_of).to_period("M")
    months = pd.period_range(mrr["month"].min(), last_month, freq="M")
    wide = (
        mrr.pivot(index="account_id", columns="month", values="mrr")
        .reindex(columns=months)
        .fillna(0)
    )
    rows = []
    for month in months:
        this = mrr[mrr["month"] == month]
        change = this["mrr"] - this["previous_mrr"]

        def total(movement: str, values: pd.Series, rows: pd.DataFrame = this) -> int:
            return int(values[rows["movement"] == movement].sum())

        ending = int(this["mrr"].sum())
        starting = int(this["previous_mrr"].sum())
        year_ago = month - 12
        nrr = grr = np.nan
        if year_ago in wide.columns:
            base = wide[year_ago]
            cohort = base[base > 0].index
            if len(cohort):
                now = wide.loc[cohort, month]
                nrr = now.sum() / base[cohort].sum()
                grr = np.minimum(now, base[cohort]).sum() / base[cohort].sum()
        rows.append(
            {
                "month": month,
                "starting_mrr": starting,
                "new_mrr": total("new", this["mrr"]),
                "expansion_mrr": total("expansion", change),
                "reactivation_mrr": total("reactivation", this["mrr"]),
                "contraction_mrr": -total("contraction", change),
                "churned_mrr": total("churn", this["previous_mrr"]),
                "ending_mrr": ending,
                "active_customers": int((this["mrr"] > 0).sum()),
                "new_logos": int((this["movement"] == "new").sum()),
                "churned_logos": int((this["movement"] == "churn").sum()),
                "reactivated_logos": int((this["movement"] == "reactivation").sum()),
                "nrr_trailing_12m": nrr,
                "grr_trailing_12m": grr,
            }
        )
    return pd.DataFrame(rows)


# --- Funnel ----------------------------------------------------------------------------------


def funnel_cohorts(data: Dataset, as_of: str | None = None, window_days: int = 180) -> pd.DataFrame:
    """Counts per cohort month and lead source of leads reaching each funnel stage, counting only
    what had happened by the as-of date."""
    cutoff = as_of_date(data, as_of)
    leads = known_by(data.typed("leads", "created_at"), "created_at", cutoff)
    leads["clean_email"] = leads["email"].str.strip().str.lower()
    leads = leads.sort_values(["created_at", "lead_id"], kind="stable")
    gap = leads.groupby(["clean_email", "lead_source"])["created_at"].diff()
    leads = leads[~(gap <= DUPLICATE_WINDOW)]  # a form double-submit is the same lead

    converted = set(known_by(data.typed("contacts", "created_at"), "created_at", cutoff)["lead_id"])
    opportunities = known_by(
        data.typed("opportunities", "created_at", "close_date"), "created_at", cutoff
    )
    # A deal counts as won only when it was won by the as-of date.
    won_by_then = (opportunities["close_outcome"] == "closed_won") & (
        opportunities["close_date"] < cutoff + pd.Timedelta(days=1)
    )
    opportunities = opportunities.assign(
        close_outcome=opportunities["close_outcome"].where(won_by_then, None)
    ).rename(columns={"created_at": "opportunity_created_at"})
    # For each lead, the account's first opportunity created at or after the lead.
    matched = pd.merge_asof(
        leads.dropna(subset=["account_id"]).sort_values("created_at"),
        opportunities.sort_values("opportunity_created_at")[
            ["account_id", "opportunity_created_at", "close_outcome"]
        ],
        left_on="created_at",
        right_on="opportunity_created_at",
        by="account_id",
        direction="forward",
        allow_exact_matches=True,
    )
    in_window = matched["opportunity_created_at"] <= matched["created_at"] + pd.Timedelta(
        days=window_days
    )
    opportunity_leads = set(matched.loc[in_window, "lead_id"])
    won_leads = set(matched.loc[in_window & (matched["close_outcome"] == "closed_won"), "lead_id"])

    frame = pd.DataFrame(
        {"cohort_month": leads["created_at"].dt.to_period("M"), "lead_source": leads["lead_source"]}
    )
    frame["won"] = leads["lead_id"].isin(won_leads)
    frame["opportunities"] = leads["lead_id"].isin(opportunity_leads) | frame["won"]
    frame["contacts"] = leads["lead_id"].isin(converted) | frame["opportunities"]
    frame["mqls"] = (leads["is_marketing_qualified"] == "true") | frame["contacts"]
    frame["leads"] = True
    columns = ["leads", "mqls", "contacts", "opportunities", "won"]
    return frame.groupby(["cohort_month", "lead_source"])[columns].sum().reset_index()


# --- Attribution -----------------------------------------------------------------------------

MODELS = ("first_touch", "last_touch", "linear", "position_based", "time_decay")


def credits(days_before: list[int], half_life: float) -> dict[str, list[float]]:
    n = len(days_before)
    if n == 1:
        position = [1.0]
    elif n == 2:
        position = [0.5, 0.5]
    else:
        position = [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
    weights = [2 ** (-d / half_life) for d in days_before]
    return {
        "first_touch": [1.0] + [0.0] * (n - 1),
        "last_touch": [0.0] * (n - 1) + [1.0],
        "linear": [1.0 / n] * n,
        "position_based": position,
        "time_decay": [w / sum(weights) for w in weights],
    }


def attributed_revenue_by_source(
    data: Dataset, as_of: str | None = None, lookback_days: int = 90, half_life: float = 7.0
) -> pd.DataFrame:
    """Won revenue (USD) credited to each utm_source under each model; None = no touch. Only
    deals won by the as-of date count."""
    cutoff = as_of_date(data, as_of) + pd.Timedelta(days=1)
    rates = fx_rates()
    leads = data.frame("leads")[["lead_id", "account_id"]]
    events = data.typed("marketing_events", "occurred_at").merge(leads, on="lead_id")
    events = events.sort_values(["occurred_at", "event_id"], kind="stable")
    by_account = {a: g for a, g in events.groupby("account_id")}
    totals: dict[tuple[str | None, str], float] = {}
    for deal in data.typed("opportunities", "created_at", "close_date").itertuples():
        if deal.close_outcome != "closed_won" or deal.close_date >= cutoff:
            continue
        revenue = to_usd_cents(deal.amount, deal.currency, rates) / 100
        touches = by_account.get(deal.account_id)
        if touches is not None:
            touches = touches[
                (touches["occurred_at"] <= deal.created_at)
                & (touches["occurred_at"] >= deal.created_at - pd.Timedelta(days=lookback_days))
            ]
        if touches is None or touches.empty:
            for model in MODELS:
                totals[(None, model)] = totals.get((None, model), 0.0) + revenue
            continue
        days_before = [
            (deal.created_at.normalize() - t.normalize()).days for t in touches["occurred_at"]
        ]
        for model, shares in credits(days_before, half_life).items():
            for source, share in zip(touches["utm_source"], shares, strict=True):
                totals[(source, model)] = totals.get((source, model), 0.0) + share * revenue
    frame = pd.Series(totals).rename_axis(["utm_source", "model"]).rename("revenue").reset_index()
    return frame.pivot(index="utm_source", columns="model", values="revenue").fillna(0.0)

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


def ltv(data: Dataset, as_of: str | None = None, gross_margin: float = 0.8) -> float:
    """LTV as of the as-of month, from the bridge's last 12 months: the window's ARPA (ending MRR
    summed over its months / paying accounts summed) × gross margin / the window's monthly logo
    churn rate (churned logos / accounts paying at each month's start, summed), in USD."""
    bridge = mrr_bridge(data, as_of)
    bridge["starting_customers"] = bridge["active_customers"].shift(1, fill_value=0)
    window = bridge.tail(12)
    arpa = window["ending_mrr"].sum() / 100 / window["active_customers"].sum()
    churn_rate = window["churned_logos"].sum() / window["starting_customers"].sum()
    return float(arpa * gross_margin / churn_rate)


def retention_cohorts(data: Dataset, as_of: str | None = None) -> pd.DataFrame:
    """One row per cohort (the month an account first paid) and month since, to the as-of month:
    the cohort's accounts and starting MRR, and how many of them pay, and how much, in the month
    (money in cents). An account that comes back counts again in its first cohort."""
    last_month = as_of_date(data, as_of).to_period("M")
    pieces = monthly_pieces(data, as_of_date(data, as_of))
    paid = pieces.groupby(["account_id", "month"])["cents"].sum()
    paid = paid[paid > 0]
    first_month = paid.reset_index().groupby("account_id")["month"].min()
    rows = []
    for cohort, accounts in first_month.groupby(first_month):
        members = set(accounts.index)
        by_month = paid[paid.index.get_level_values(0).isin(members)]
        starting = int(by_month.xs(cohort, level=1).sum())
        month = cohort
        while month <= last_month:
            now = by_month[by_month.index.get_level_values(1) == month]
            rows.append(
                {
                    "cohort_month": cohort,
                    "months_since_start": (month - cohort).n,
                    "cohort_logos": len(members),
                    "cohort_starting_mrr": starting,
                    "active_logos": len(now),
                    "active_mrr": int(now.sum()),
                }
            )
            month += 1
    return pd.DataFrame(rows)


# --- Funnel ----------------------------------------------------------------------------------


def funnel_cohorts(data: Dataset, as_of: str | None = None, window_days: int = 180) -> pd.DataFrame:
    """Per cohort month and lead source, the leads, the leads flagged MQL and the leads that
    reached each funnel stage along their own path (doc block marketing__funnel_stages), counting
    only what had happened by the as-of date: the MQL flag; a contact converted from the lead; a
    new-logo deal on that contact's account created after the conversion, at most `window_days`
    after the lead; that deal won. The leads with an opportunity and the won leads are also
    counted per deal type of that opportunity (`new_business_opportunities`, ...): counts of
    leads, not of deals, since several leads of one account can reach one deal."""
    cutoff = as_of_date(data, as_of)
    end = cutoff + pd.Timedelta(days=1)

    # A form double-submit (same email and source, within the window of the submission before
    # it) is the same lead: its MQL flag and its contact are the original's.
    submissions = known_by(data.typed("leads", "created_at"), "created_at", cutoff)
    submissions["clean_email"] = submissions["email"].str.strip().str.lower()
    submissions = submissions.sort_values(["created_at", "lead_id"], kind="stable")
    gap = submissions.groupby(["clean_email", "lead_source"])["created_at"].diff()
    submissions["is_original"] = ~(gap <= DUPLICATE_WINDOW)
    submissions["original_lead_id"] = (
        submissions["lead_id"]
        .where(submissions["is_original"])
        .groupby([submissions["clean_email"], submissions["lead_source"]], dropna=False)
        .ffill()
    )
    leads = submissions[submissions["is_original"]].set_index("lead_id")
    leads["is_mql"] = (
        (submissions["is_marketing_qualified"] == "true")
        .groupby(submissions["original_lead_id"])
        .any()
    )

    # The lead's contact: the first one converted from any of its submissions.
    contacts = known_by(data.typed("contacts", "created_at"), "created_at", cutoff)
    contacts = contacts.merge(
        submissions[["lead_id", "original_lead_id"]], on="lead_id", how="inner"
    ).sort_values(["created_at", "contact_id"], kind="stable")
    contacts = contacts.drop_duplicates("original_lead_id").set_index("original_lead_id")
    leads["contact_id"] = contacts["contact_id"]
    leads["converted_at"] = contacts["created_at"]
    leads["contact_account_id"] = contacts["account_id"]

    # The new-logo deals known by the as-of date, won only when won by then.
    deals = known_by(data.typed("opportunities", "created_at", "close_date"), "created_at", cutoff)
    deals = deals.assign(opportunity_type=deals["opportunity_id"].map(opportunity_types(data)))
    deals = deals[deals["opportunity_type"].isin(NEW_LOGO_TYPES)]
    deals = deals.assign(
        won=(deals["close_outcome"] == "closed_won") & (deals["close_date"] < end)
    ).rename(columns={"created_at": "deal_created_at", "account_id": "contact_account_id"})

    # Each converted lead's qualifying deals; the first won one, else the first one.
    converted = leads.dropna(subset=["contact_id"]).reset_index()
    candidates = converted.merge(
        deals[
            ["opportunity_id", "contact_account_id", "deal_created_at", "won", "opportunity_type"]
        ],
        on="contact_account_id",
    )
    candidates = candidates[
        (candidates["deal_created_at"] >= candidates["converted_at"])
        & (candidates["deal_created_at"] >= candidates["created_at"])
        & (
            candidates["deal_created_at"]
            <= candidates["created_at"] + pd.Timedelta(days=window_days)
        )
    ]
    chosen = (
        candidates.assign(not_won=~candidates["won"])
        .sort_values(["not_won", "deal_created_at", "opportunity_id"], kind="stable")
        .drop_duplicates("lead_id")
        .set_index("lead_id")
    )
    leads["opportunity_type"] = chosen["opportunity_type"]
    leads["reached_won"] = chosen["won"].reindex(leads.index, fill_value=False).astype(bool)

    frame = pd.DataFrame(
        {
            "cohort_month": leads["created_at"].dt.to_period("M"),
            "lead_source": leads["lead_source"],
            "leads": True,
            "mqls_flagged": leads["is_mql"],
            "mqls": leads["is_mql"] | leads["contact_id"].notna(),
            "contacts": leads["contact_id"].notna(),
            "opportunities": leads["opportunity_type"].notna(),
            "won": leads["reached_won"],
        }
    )
    for deal_type in NEW_LOGO_TYPES:
        of_type = leads["opportunity_type"] == deal_type
        frame[f"{deal_type}_opportunities"] = of_type
        frame[f"{deal_type}_won"] = of_type & leads["reached_won"]
    key = ["cohort_month", "lead_source"]
    return frame.groupby(key).sum().reset_index()


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


NEW_LOGO_TYPES = ("new_business", "win_back")


def opportunity_types(
    data: Dataset, renewal_window_days: int = 120, grace_days: int = 0
) -> dict[str, str]:
    """The deal type of every opportunity, from its account's billing orders at its creation
    (doc block sales__opportunity_type): new business when no order was booked by then; win-back
    when none of those is still running (its service end plus the grace is after the creation);
    renewal when the creation is at most the renewal window before the end of the latest-ending
    running order; expansion otherwise."""
    orders = with_service_periods(data.typed("billing_orders", "order_date"))
    orders = orders.assign(ends_with_grace=orders["service_end"] + pd.Timedelta(days=grace_days))
    by_account = {a: g for a, g in orders.groupby("account_id")}
    empty = orders.iloc[0:0]
    types = {}
    for deal in data.typed("opportunities", "created_at").itertuples():
        account_orders = by_account.get(deal.account_id, empty)
        known = account_orders[account_orders["order_date"] <= deal.created_at]
        running = known[deal.created_at < known["ends_with_grace"]]
        if known.empty:
            types[deal.opportunity_id] = "new_business"
        elif running.empty:
            types[deal.opportunity_id] = "win_back"
        elif deal.created_at >= running["service_end"].max() - pd.Timedelta(
            days=renewal_window_days
        ):
            types[deal.opportunity_id] = "renewal"
        else:
            types[deal.opportunity_id] = "expansion"
    return types


def acv_cents(tcv_cents: int, term_months: int) -> int:
    """TCV x 12 / term in whole cents, rounded half up (doc block sales__acv_usd)."""
    return int((Decimal(tcv_cents) * 12 / term_months).quantize(Decimal(1), ROUND_HALF_UP))


def attributed_revenue_by_source(
    data: Dataset,
    as_of: str | None = None,
    lookback_days: int = 90,
    half_life: float = 7.0,
    deal_types: tuple[str, ...] = NEW_LOGO_TYPES,
) -> pd.DataFrame:
    """Won ACV (USD) credited to each utm_source under each model; None = no touch. Only the
    conversions (deals of `deal_types`, by default the new-logo ones) won by the as-of date count,
    each for its ACV: TCV x 12 / the term of the billing order it was booked as by then (the
    longest when several; 12 months when none). Only leads created by the as-of date map their
    events to accounts."""
    cutoff = as_of_date(data, as_of) + pd.Timedelta(days=1)
    rates = fx_rates()
    types = opportunity_types(data)
    leads = data.typed("leads", "created_at")
    leads = leads.loc[leads["created_at"] < cutoff, ["lead_id", "account_id"]]
    events = data.typed("marketing_events", "occurred_at")
    events = events[events["occurred_at"] < cutoff].merge(leads, on="lead_id")
    events = events.sort_values(["occurred_at", "event_id"], kind="stable")
    by_account = {a: g for a, g in events.groupby("account_id")}
    orders = data.typed("billing_orders", "order_date")
    booked = orders[orders["order_date"] < cutoff].dropna(subset=["opportunity_id"])
    booked_terms = booked["term_months"].astype(int).groupby(booked["opportunity_id"]).max()
    totals: dict[tuple[str | None, str], float] = {}
    for deal in data.typed("opportunities", "created_at", "close_date").itertuples():
        if deal.created_at >= cutoff or types[deal.opportunity_id] not in deal_types:
            continue
        if deal.close_outcome != "closed_won" or deal.close_date >= cutoff:
            continue
        term = int(booked_terms.get(deal.opportunity_id, 12))
        revenue = acv_cents(to_usd_cents(deal.amount, deal.currency, rates), term) / 100
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


# --- Pipeline bridge -------------------------------------------------------------------------


BRIDGE_MOVEMENTS = ("opening", "created", "won", "lost", "disqualified", "reopened", "closing")


def pipeline_bridge(data: Dataset, as_of: str | None = None) -> pd.DataFrame:
    """One row per month from the first month of the data to the as-of month: how many deals (and
    their USD amount, in cents) were open at the previous month's snapshot (opening), were created
    in the month, were won, lost or disqualified at this snapshot having been open at the previous
    one or created since, were closed at the previous snapshot and open again at this one
    (reopened), and are open at this snapshot (closing). A deal's stage at a snapshot (the end of
    the month's last day, or of the as-of date) is the last stage-history row entered before it,
    in the order entered_at, stage order, id; every deal in the test data has one."""
    stages = pd.read_csv(REPO_ROOT / "seeds" / "reference" / "opportunity_stages.csv", dtype=str)
    order = dict(zip(stages["stage_name"], stages["stage_order"].astype(int), strict=True))
    closed = set(stages.loc[stages["is_closed"] == "true", "stage_name"])
    outcome = {"closed_won": "won", "closed_lost": "lost", "disqualified": "disqualified"}
    end = as_of_date(data, as_of)
    rates = fx_rates()
    deals = data.typed("opportunities", "created_at", "close_date")
    amount = {
        deal: to_usd_cents(a, c, rates)
        for deal, a, c in zip(
            deals["opportunity_id"], deals["amount"], deals["currency"], strict=True
        )
    }
    history = data.typed("opportunity_stage_history", "entered_at")
    history = history.assign(stage_order=history["stage_name"].map(order)).sort_values(
        ["entered_at", "stage_order", "stage_history_id"], kind="stable"
    )
    rows = []
    previous: dict[str, str] = {}
    for month in pd.period_range(pd.Timestamp(data.config.start_date), end, freq="M"):
        moment = snapshot_day(month, end) + pd.Timedelta(days=1)
        created = deals.loc[deals["created_at"] < moment, "opportunity_id"]
        stage_then = (
            history[history["entered_at"] < moment].groupby("opportunity_id")["stage_name"].last()
        )
        missing = set(created) - set(stage_then.index)
        assert not missing, f"{month}: deals with no stage history by then: {sorted(missing)[:3]}"
        counts = dict.fromkeys(BRIDGE_MOVEMENTS, 0)
        totals = dict.fromkeys(BRIDGE_MOVEMENTS, 0)
        current = {deal: stage_then[deal] for deal in created}
        for deal, stage in current.items():
            before = previous.get(deal)
            moves = []
            if before is not None and before not in closed:
                moves.append("opening")
            if before is None:
                moves.append("created")
            if stage in closed and (before is None or before not in closed):
                moves.append(outcome[stage])
            if stage not in closed:
                moves.append("closing")
                if before in closed:
                    moves.append("reopened")
            for move in moves:
                counts[move] += 1
                totals[move] += amount[deal]
        rows.append(
            {"month": month}
            | {f"{m}_count": counts[m] for m in BRIDGE_MOVEMENTS}
            | {f"{m}_cents": totals[m] for m in BRIDGE_MOVEMENTS}
        )
        previous = current
    return pd.DataFrame(rows)

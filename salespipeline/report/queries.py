"""Every query the report runs, in one place, and the data they return.

The report reads only the marts (schema `marts`): the numbers it shows are the ones the docs
define, computed once by dbt, never re-derived from staging or raw tables. Aggregations here are
sums over a mart's rows (or ratios of such sums), so a chart's figure can be checked against a
direct query on the same mart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import duckdb

# The marts the report reads; a warehouse without one of them has not been built.
MARTS = (
    "fct_funnel_cohorts",
    "fct_mrr_bridge",
    "fct_retention_cohorts",
    "fct_attribution",
    "fct_pipeline_monthly",
    "fct_pipeline_bridge",
    "fct_sales_performance",
)

# The as-of date itself: the point-in-time pipeline's last snapshot is taken at the end of it
# (the as-of month's snapshot_date is the as-of date when it comes before the month's end).
AS_OF_SQL = "select max(snapshot_date) as as_of_date from marts.fct_pipeline_monthly"

# Leads that reached each funnel stage, all cohorts together, per lead source.
FUNNEL_SQL = """
select
    lead_source,
    sum(lead_count) as lead_count,
    sum(mql_count) as mql_count,
    sum(contact_count) as contact_count,
    sum(opportunity_count) as opportunity_count,
    sum(won_count) as won_count
from marts.fct_funnel_cohorts
group by lead_source
order by lead_count desc, lead_source
"""

# The monthly MRR bridge with ARR and trailing-12-month retention, oldest month first.
BRIDGE_SQL = """
select
    mrr_month,
    starting_mrr,
    new_mrr,
    expansion_mrr,
    reactivation_mrr,
    contraction_mrr,
    churned_mrr,
    ending_mrr,
    ending_arr,
    active_customers,
    nrr_trailing_12m,
    grr_trailing_12m
from marts.fct_mrr_bridge
order by mrr_month
"""

# Net revenue retention of each first-MRR cohort at each month since its start (month 0 is 1),
# with the cohort's size, oldest cohort first.
COHORTS_SQL = """
select
    cohort_month,
    months_since_start,
    cohort_logos,
    active_logos,
    cohort_starting_mrr,
    active_mrr,
    net_revenue_retention
from marts.fct_retention_cohorts
order by cohort_month, months_since_start
"""

# Attributed revenue (won ACV of the new-logo deals attribution counts) per channel under each
# attribution model: the touch's utm_source, "no touch"
# for the mart's no-touch rows (opportunities without a touchpoint in the lookback window) and
# "(no utm_source)" for real touches that carry no utm_source, so those are never passed off as
# "no touch".
ATTRIBUTION_SQL = """
with labelled as (
    select
        case
            when is_no_touch then 'no touch'
            when utm_source is null then '(no utm_source)'
            else utm_source
        end as channel,
        first_touch_revenue_acv_usd,
        last_touch_revenue_acv_usd,
        linear_revenue_acv_usd,
        position_based_revenue_acv_usd,
        time_decay_revenue_acv_usd
    from marts.fct_attribution
)

select
    channel,
    sum(first_touch_revenue_acv_usd) as first_touch_revenue_acv_usd,
    sum(last_touch_revenue_acv_usd) as last_touch_revenue_acv_usd,
    sum(linear_revenue_acv_usd) as linear_revenue_acv_usd,
    sum(position_based_revenue_acv_usd) as position_based_revenue_acv_usd,
    sum(time_decay_revenue_acv_usd) as time_decay_revenue_acv_usd
from labelled
group by channel
order by linear_revenue_acv_usd desc, channel
"""

# The open pipeline at each month end, per open stage (all deal types together), in pipeline
# order, in TCV: an open deal has no booked term, so no ACV of its own.
PIPELINE_SQL = """
select
    pipeline_month,
    stage_name,
    stage_order,
    sum(opportunity_count) as opportunity_count,
    sum(tcv_usd) as tcv_usd,
    sum(stage_weighted_tcv_usd) as stage_weighted_tcv_usd
from marts.fct_pipeline_monthly
group by pipeline_month, stage_name, stage_order
order by pipeline_month, stage_order
"""

# The pipeline bridge per month, for new-logo deals and for the other deals apart (the chart adds
# the two for "all deals"), oldest month first.
PIPELINE_BRIDGE_SQL = """
select
    pipeline_month,
    is_new_logo,
    sum(opening_tcv_usd) as opening_tcv_usd,
    sum(created_tcv_usd) as created_tcv_usd,
    sum(won_tcv_usd) as won_tcv_usd,
    sum(lost_tcv_usd) as lost_tcv_usd,
    sum(disqualified_tcv_usd) as disqualified_tcv_usd,
    sum(reopened_tcv_usd) as reopened_tcv_usd,
    sum(closing_tcv_usd) as closing_tcv_usd
from marts.fct_pipeline_bridge
group by pipeline_month, is_new_logo
order by pipeline_month, is_new_logo
"""

# Per rep over the last four quarters (the as-of quarter included): win rate by count over the
# deals won or lost then (disqualified deals are left out), for new-logo deals and for all deals,
# and the mean sales cycle of all the deals won then (total cycle days over deals won).
REPS_SQL = """
with recent_quarters as (
    select *
    from marts.fct_sales_performance
    where quarter_start_date > (
        select max(quarter_start_date) - interval 12 month
        from marts.fct_sales_performance
    )
)

select
    recent_quarters.owner_id,
    owners.owner_name,
    min(recent_quarters.quarter_start_date) as first_quarter_start_date,
    sum(case when recent_quarters.is_new_logo then recent_quarters.opportunities_won else 0 end)
        as new_logo_won,
    sum(case when recent_quarters.is_new_logo then recent_quarters.opportunities_lost else 0 end)
        as new_logo_lost,
    sum(recent_quarters.opportunities_won) as opportunities_won,
    sum(recent_quarters.opportunities_lost) as opportunities_lost,
    sum(recent_quarters.opportunities_disqualified) as opportunities_disqualified,
    sum(case when recent_quarters.is_new_logo then recent_quarters.opportunities_won else 0 end)
    * 1.0
    / nullif(
        sum(
            case
                when recent_quarters.is_new_logo
                    then recent_quarters.opportunities_won + recent_quarters.opportunities_lost
                else 0
            end
        ),
        0
    ) as new_logo_win_rate_by_count,
    sum(recent_quarters.opportunities_won) * 1.0
    / nullif(sum(recent_quarters.opportunities_won) + sum(recent_quarters.opportunities_lost), 0)
        as win_rate_by_count,
    sum(recent_quarters.won_sales_cycle_days) * 1.0
    / nullif(sum(recent_quarters.opportunities_won), 0) as average_sales_cycle_days
from recent_quarters
inner join marts.dim_owners as owners
    on recent_quarters.owner_id = owners.owner_id
group by recent_quarters.owner_id, owners.owner_name
order by
    new_logo_win_rate_by_count desc nulls last,
    win_rate_by_count desc nulls last,
    owners.owner_name,
    recent_quarters.owner_id
"""

Row = dict[str, Any]


@dataclass(frozen=True)
class ReportData:
    """What the report shows, as rows of plain Python values (numbers as float or int)."""

    as_of_date: dt.date | None
    funnel: list[Row]
    bridge: list[Row]
    cohorts: list[Row]
    attribution: list[Row]
    pipeline: list[Row]
    pipeline_bridge: list[Row]
    reps: list[Row]


class MissingMartError(Exception):
    """A mart the report reads is not in the warehouse (dbt has not built it)."""


def _plain(value: object) -> object:
    # Decimals become floats: plotly serialises floats, and cents are safe in a double.
    return float(value) if isinstance(value, Decimal) else value


def records(connection: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    """Rows as dicts keyed by column name."""
    cursor = connection.execute(sql)
    names = [column[0] for column in cursor.description]
    return [
        {name: _plain(value) for name, value in zip(names, row, strict=True)}
        for row in cursor.fetchall()
    ]


def check_marts(connection: duckdb.DuckDBPyConnection) -> None:
    """Fail with the names of the missing marts before running any query."""
    present = {
        name
        for (name,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = [name for name in MARTS if name not in present]
    if missing:
        raise MissingMartError(", ".join(f"marts.{name}" for name in missing))


def load(connection: duckdb.DuckDBPyConnection) -> ReportData:
    """Run every query of the report."""
    check_marts(connection)
    (as_of,) = connection.execute(AS_OF_SQL).fetchone() or (None,)
    return ReportData(
        as_of_date=as_of,
        funnel=records(connection, FUNNEL_SQL),
        bridge=records(connection, BRIDGE_SQL),
        cohorts=records(connection, COHORTS_SQL),
        attribution=records(connection, ATTRIBUTION_SQL),
        pipeline=records(connection, PIPELINE_SQL),
        pipeline_bridge=records(connection, PIPELINE_BRIDGE_SQL),
        reps=records(connection, REPS_SQL),
    )

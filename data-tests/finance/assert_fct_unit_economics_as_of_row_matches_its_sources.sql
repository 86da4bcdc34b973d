-- The unit economics' last row is the as-of month, the only one flagged so, and its window's
-- sums (new customers, churn, and the ending MRR and paying accounts behind the window's ARPA)
-- are those of the last 12 months of the MRR bridge and of the marketing events' cost.
-- Returns the rows that break this.

with

unit_economics as (

    select * from {{ ref('fct_unit_economics') }}

),

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

marketing_events as (

    select * from {{ ref('int_marketing_events_as_of') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

window_bounds as (

    select
        as_of_month,
        cast({{ dbt.dateadd('month', -11, 'as_of_month') }} as date) as window_start_month
    from reporting_dates

),

bridge_totals as (

    select
        sum(mrr_bridge.new_logos + mrr_bridge.reactivated_logos) as new_customers,
        sum(mrr_bridge.churned_logos) as churned_logos,
        sum(mrr_bridge.starting_customers) as starting_customers,
        sum(mrr_bridge.ending_mrr) as account_months_mrr,
        sum(mrr_bridge.active_customers) as account_months
    from mrr_bridge
    inner join window_bounds
        on
            mrr_bridge.mrr_month >= window_bounds.window_start_month
            and mrr_bridge.mrr_month <= window_bounds.as_of_month

),

spend_totals as (

    select coalesce(sum(marketing_events.cost_usd), 0) as marketing_spend_usd
    from marketing_events
    cross join window_bounds
    where marketing_events.occurred_at >= window_bounds.window_start_month

),

last_rows as (

    select
        unit_economics.window_end_month,
        unit_economics.is_as_of_month,
        unit_economics.new_customers,
        unit_economics.churned_logos,
        unit_economics.starting_customers,
        unit_economics.account_months_mrr,
        unit_economics.account_months,
        unit_economics.marketing_spend_usd,
        row_number() over (order by unit_economics.window_end_month desc) as row_from_last
    from unit_economics

),

final as (

    select
        last_rows.*,
        window_bounds.as_of_month,
        bridge_totals.new_customers as expected_new_customers,
        spend_totals.marketing_spend_usd as expected_marketing_spend_usd
    from last_rows
    cross join window_bounds
    cross join bridge_totals
    cross join spend_totals
    where
        last_rows.is_as_of_month != (last_rows.window_end_month = window_bounds.as_of_month)
        or (
            last_rows.row_from_last = 1
            and (
                last_rows.window_end_month != window_bounds.as_of_month
                or last_rows.new_customers != bridge_totals.new_customers
                or last_rows.churned_logos != bridge_totals.churned_logos
                or last_rows.starting_customers != bridge_totals.starting_customers
                or last_rows.account_months_mrr != bridge_totals.account_months_mrr
                or last_rows.account_months != bridge_totals.account_months
                or last_rows.marketing_spend_usd != spend_totals.marketing_spend_usd
            )
        )

)

select * from final

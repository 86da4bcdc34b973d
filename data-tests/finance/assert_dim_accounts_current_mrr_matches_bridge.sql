-- The accounts' current MRR and active count add up to the MRR bridge of the as-of month.
-- Returns the bridge's figures of the as-of month beside the accounts' when they do not.

with

accounts as (

    select * from {{ ref('dim_accounts') }}

),

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

account_totals as (

    select
        sum(current_mrr) as current_mrr,
        sum(case when customer_status = 'active' then 1 else 0 end) as active_accounts
    from accounts

),

bridge_totals as (

    select
        mrr_bridge.ending_mrr as current_mrr,
        mrr_bridge.active_customers as active_accounts
    from mrr_bridge
    inner join reporting_dates
        on mrr_bridge.mrr_month = reporting_dates.as_of_month

),

final as (

    {{ totals_that_differ('bridge_totals', 'account_totals', ['current_mrr', 'active_accounts']) }}

)

select * from final

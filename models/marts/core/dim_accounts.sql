{#- Every CRM account, prospects included, with its customer status and revenue as of the
    as-of date. Orders, opportunities and wins after the as-of date are not known yet (they are
    read from their int_<entities>_as_of models). -#}
with

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

-- Orders and opportunities known at the as-of date; an opportunity's win is its outcome then.
orders as (

    select * from {{ ref('int_orders_as_of') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

account_orders as (

    select
        account_id,
        min(cast(ordered_at as date)) as first_order_date,
        sum(amount_usd) as lifetime_billed_usd
    from orders
    group by account_id

),

account_opportunities as (

    {{ opportunity_counts('opportunities', 'account_id') }}

),

-- fct_mrr has a row for an account in the as-of month when it paid then or churned then; an
-- account has rows at all once it has had MRR.
account_mrr_history as (

    select
        account_mrr.account_id,
        max(
            case
                when account_mrr.mrr_month = reporting_dates.as_of_month then account_mrr.mrr
            end
        ) as current_mrr,
        min(
            case when account_mrr.mrr > 0 then account_mrr.mrr_month end
        ) as first_mrr_month
    from account_mrr
    cross join reporting_dates
    group by account_mrr.account_id

),

final as (

    select
        -- ids
        accounts.account_id,

        -- strings
        accounts.account_name,
        accounts.industry,
        accounts.region,
        accounts.size_band,
        case
            when account_mrr_history.account_id is null then 'prospect'
            when account_mrr_history.current_mrr > 0 then 'active'
            else 'churned'
        end as customer_status,

        -- numerics
        cast(accounts.annual_revenue_usd as decimal(18, 2)) as annual_revenue_usd,
        cast(coalesce(account_mrr_history.current_mrr, 0) as decimal(18, 2)) as current_mrr,
        cast(
            12 * coalesce(account_mrr_history.current_mrr, 0) as decimal(18, 2)
        ) as current_arr,
        cast(
            coalesce(account_orders.lifetime_billed_usd, 0) as decimal(18, 2)
        ) as lifetime_billed_usd,
        coalesce(account_opportunities.opportunities_count, 0) as opportunities_count,
        coalesce(account_opportunities.won_deals_count, 0) as won_deals_count,

        -- dates and timestamps
        account_orders.first_order_date,
        account_mrr_history.first_mrr_month,
        accounts.created_at

    from accounts
    left join account_orders
        on accounts.account_id = account_orders.account_id
    left join account_opportunities
        on accounts.account_id = account_opportunities.account_id
    left join account_mrr_history
        on accounts.account_id = account_mrr_history.account_id

)

select * from final

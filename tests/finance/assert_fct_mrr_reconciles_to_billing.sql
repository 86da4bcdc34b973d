-- Total MRR reconciles with billing: in every month up to the as-of month, fct_mrr's total MRR is
-- the sum of the monthly pieces of the orders booked up to the as-of date, and over all months it
-- never exceeds what those orders billed (pieces after the as-of month are still to come).
-- Returns the months, or the overall total, that break this.

with

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

order_months as (

    select * from {{ ref('int_orders_spread_to_months') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

known_order_months as (

    select order_months.*
    from order_months
    inner join reporting_dates
        on
            cast(order_months.ordered_at as date) <= reporting_dates.as_of_date
            and order_months.mrr_month <= reporting_dates.as_of_month

),

billed_by_month as (

    select
        mrr_month,
        sum(monthly_amount_usd) as billed_mrr
    from known_order_months
    group by mrr_month

),

mrr_by_month as (

    select
        mrr_month,
        sum(mrr) as total_mrr
    from account_mrr
    group by mrr_month

),

monthly_differences as (

    select
        coalesce(billed_by_month.mrr_month, mrr_by_month.mrr_month) as mrr_month,
        coalesce(billed_by_month.billed_mrr, 0) as expected_amount_usd,
        coalesce(mrr_by_month.total_mrr, 0) as actual_amount_usd
    from billed_by_month
    full outer join mrr_by_month
        on billed_by_month.mrr_month = mrr_by_month.mrr_month
    where coalesce(billed_by_month.billed_mrr, 0) != coalesce(mrr_by_month.total_mrr, 0)

),

total_billed as (

    select sum(orders.amount_usd) as billed_amount_usd
    from orders
    inner join reporting_dates
        on cast(orders.ordered_at as date) <= reporting_dates.as_of_date

),

total_mrr as (

    select sum(mrr) as mrr_amount_usd
    from account_mrr

),

total_differences as (

    select
        cast(null as date) as mrr_month,
        total_billed.billed_amount_usd as expected_amount_usd,
        total_mrr.mrr_amount_usd as actual_amount_usd
    from total_billed
    cross join total_mrr
    where total_mrr.mrr_amount_usd > total_billed.billed_amount_usd

),

final as (

    select * from monthly_differences
    union all
    select * from total_differences

)

select * from final

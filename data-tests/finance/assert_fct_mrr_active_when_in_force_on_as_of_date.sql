-- An account with an order in force on the as-of date (booked by then, service start on or before
-- it, service end after it) is paying in the as-of month: never churned, never at 0. Read from
-- staging, independently of how the marts find the orders in force.
-- Returns the accounts that break this.

with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

accounts_in_force_on_as_of_date as (

    select distinct
        orders.account_id,
        reporting_dates.as_of_month
    from orders
    inner join reporting_dates
        on
            orders.ordered_at < reporting_dates.as_of_end_at
            and orders.service_start_date <= reporting_dates.as_of_date
            and orders.service_end_date > reporting_dates.as_of_date
    where
        orders.amount_usd > 0
        and orders.term_months >= 1

),

final as (

    select
        accounts_in_force_on_as_of_date.account_id,
        account_mrr.mrr,
        account_mrr.mrr_movement
    from accounts_in_force_on_as_of_date
    left join account_mrr
        on
            accounts_in_force_on_as_of_date.account_id = account_mrr.account_id
            and accounts_in_force_on_as_of_date.as_of_month = account_mrr.mrr_month
    where
        account_mrr.account_id is null
        or account_mrr.mrr <= 0
        or account_mrr.mrr_movement = 'churn'

)

select * from final

-- Total MRR reconciles with billing: in every month up to the as-of month, fct_mrr's total MRR
-- is the sum of the monthly values of the orders in force at the month's snapshot, and no account
-- has MRR in a month in which none of its orders is in force (nothing is lost or made up between
-- the orders and the account-month series). Returns the months or account-months that break it.

with

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

orders_in_force as (

    select * from {{ ref('int_orders_in_force_monthly') }}

),

billed_by_month as (

    select
        mrr_month,
        sum(monthly_amount_usd) as billed_mrr
    from orders_in_force
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
        cast(null as {{ dbt.type_string() }}) as account_id,
        coalesce(billed_by_month.billed_mrr, 0) as expected_amount_usd,
        coalesce(mrr_by_month.total_mrr, 0) as actual_amount_usd
    from billed_by_month
    full outer join mrr_by_month
        on billed_by_month.mrr_month = mrr_by_month.mrr_month
    where coalesce(billed_by_month.billed_mrr, 0) != coalesce(mrr_by_month.total_mrr, 0)

),

accounts_in_force as (

    select distinct
        account_id,
        mrr_month
    from orders_in_force

),

mrr_without_contract as (

    select
        account_mrr.mrr_month,
        cast(account_mrr.account_id as {{ dbt.type_string() }}) as account_id,
        0 as expected_amount_usd,
        account_mrr.mrr as actual_amount_usd
    from account_mrr
    left join accounts_in_force
        on
            account_mrr.account_id = accounts_in_force.account_id
            and account_mrr.mrr_month = accounts_in_force.mrr_month
    where
        account_mrr.mrr > 0
        and accounts_in_force.account_id is null

),

final as (

    select * from monthly_differences
    union all
    select * from mrr_without_contract

)

select * from final

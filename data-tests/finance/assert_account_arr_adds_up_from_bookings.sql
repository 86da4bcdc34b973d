-- Each account's ARR in the as-of month (fct_mrr) is the sum of what changed it: the new ARR of
-- its won deals that landed (fct_bookings: a renewal net of the contracts it replaced), plus the
-- ARR changes no deal explains, order by order: the orders no won deal booked that started
-- counting, less the orders that stopped counting without a renewal replacing them (continued
-- by an invoice, or ended). The monthly reconciliation with the bridge sums over accounts; this
-- one sums over months, so a deal's new ARR put on the wrong account, or a contract replaced
-- twice or never, shows here. Returns the accounts whose ARR does not add up.

with

bookings as (

    select * from {{ ref('fct_bookings') }}

),

matched_orders as (

    select * from {{ ref('int_orders_matched_to_renewals') }}

),

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

deal_changes as (

    select
        account_id,
        new_arr_usd as arr_change_usd
    from bookings
    where is_live

),

order_starts_without_deal as (

    select
        account_id,
        contract_arr_usd as arr_change_usd
    from matched_orders
    where
        not is_deal_order
        and arr_start_month is not null

),

order_ends_without_renewal as (

    select
        account_id,
        -contract_arr_usd as arr_change_usd
    from matched_orders
    where arr_end_reason in ('continued', 'ended')

),

all_changes as (

    select * from deal_changes
    union all
    select * from order_starts_without_deal
    union all
    select * from order_ends_without_renewal

),

account_changes as (

    select
        account_id,
        sum(arr_change_usd) as arr_from_changes_usd
    from all_changes
    group by account_id

),

as_of_arr as (

    select
        account_mrr.account_id,
        account_mrr.arr
    from account_mrr
    inner join reporting_dates
        on account_mrr.mrr_month = reporting_dates.as_of_month

),

final as (

    select
        coalesce(account_changes.account_id, as_of_arr.account_id) as account_id,
        account_changes.arr_from_changes_usd,
        as_of_arr.arr as as_of_arr_usd
    from account_changes
    full outer join as_of_arr
        on account_changes.account_id = as_of_arr.account_id
    where
        coalesce(account_changes.arr_from_changes_usd, 0) != coalesce(as_of_arr.arr, 0)

)

select * from final

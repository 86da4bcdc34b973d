-- The renewal grace only fills gaps: a contract kept in force past its service end (snapshot on
-- or after its end) never counts in a month in which another contract of the account is in
-- force on its own. Otherwise an account would pay twice for the same month.
-- Returns the account-months that break this (none when renewal_grace_days is 0).

with

orders_in_force as (

    select * from {{ ref('int_orders_in_force_monthly') }}

),

extended as (

    select
        order_id,
        account_id,
        mrr_month
    from orders_in_force
    where snapshot_date >= service_end_date

),

final as (

    select
        extended.account_id,
        extended.mrr_month,
        extended.order_id as extended_order_id,
        running.order_id as running_order_id
    from extended
    inner join orders_in_force as running
        on
            extended.account_id = running.account_id
            and extended.mrr_month = running.mrr_month
            and extended.order_id != running.order_id
    where running.snapshot_date < running.service_end_date

)

select * from final

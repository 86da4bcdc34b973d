-- Bookings reconcile to the MRR bridge, exactly, every month: 12 × (ending − starting MRR) of
-- fct_mrr_bridge = net new ARR of the deals landing in the month + the ARR changes no deal
-- explains (continuation invoices, the invoices they continue, contracts ended without renewal)
-- = the month's arr_change_usd, and the month's net new ARR is the sum of fct_bookings' new ARR
-- over the deals landing in it. Every month of the bridge is there; a month before the bridge's
-- first is there only from the first month a deal was booked, and changes nothing. Returns the
-- months that break this.

with

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

bookings_monthly as (

    select * from {{ ref('fct_bookings_monthly') }}

),

bookings as (

    select * from {{ ref('fct_bookings') }}

),

first_booked_month as (

    select min(booked_month) as first_booked_month
    from bookings

),

landed_by_month as (

    select
        arr_start_month,
        sum(new_arr_usd) as net_new_arr_usd
    from bookings
    where is_live
    group by arr_start_month

),

final as (

    select
        coalesce(mrr_bridge.mrr_month, bookings_monthly.arr_month) as month_start_date,
        12 * (
            coalesce(mrr_bridge.ending_mrr, 0) - coalesce(mrr_bridge.starting_mrr, 0)
        ) as bridge_arr_change_usd,
        bookings_monthly.net_new_arr_usd,
        bookings_monthly.continuation_arr_usd,
        bookings_monthly.continued_arr_usd,
        bookings_monthly.ended_without_renewal_arr_usd,
        bookings_monthly.arr_change_usd,
        landed_by_month.net_new_arr_usd as deals_net_new_arr_usd
    from mrr_bridge
    full outer join bookings_monthly
        on mrr_bridge.mrr_month = bookings_monthly.arr_month
    left join landed_by_month
        on bookings_monthly.arr_month = landed_by_month.arr_start_month
    cross join first_booked_month
    where
        bookings_monthly.arr_month is null
        or (
            mrr_bridge.mrr_month is null
            and bookings_monthly.arr_month < first_booked_month.first_booked_month
        )
        or 12 * (coalesce(mrr_bridge.ending_mrr, 0) - coalesce(mrr_bridge.starting_mrr, 0))
        != bookings_monthly.arr_change_usd
        or 12 * (coalesce(mrr_bridge.ending_mrr, 0) - coalesce(mrr_bridge.starting_mrr, 0))
        != bookings_monthly.net_new_arr_usd
        + bookings_monthly.continuation_arr_usd
        + bookings_monthly.continued_arr_usd
        + bookings_monthly.ended_without_renewal_arr_usd
        or bookings_monthly.net_new_arr_usd != coalesce(landed_by_month.net_new_arr_usd, 0)

)

select * from final

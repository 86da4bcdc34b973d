-- Booked and landed new ARR differ only by timing: over all months, the new ARR booked by close
-- month = the net new ARR landed by ARR start month + the new ARR of the deals booked but not
-- live at the as-of date; that last total is the sum over fct_bookings' deals not live, and each
-- of them starts its service after the as-of date. Returns the totals, or the deals, that break
-- this.

with

bookings_monthly as (

    select * from {{ ref('fct_bookings_monthly') }}

),

bookings as (

    select * from {{ ref('fct_bookings') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

monthly_totals as (

    select
        sum(booked_new_arr_usd) as booked_new_arr_usd,
        sum(net_new_arr_usd) as net_new_arr_usd,
        sum(booked_not_live_new_arr_usd) as booked_not_live_new_arr_usd
    from bookings_monthly

),

deal_totals as (

    select coalesce(sum(new_arr_usd), 0) as booked_not_live_new_arr_usd
    from bookings
    where not is_live

),

totals_that_differ as (

    select
        cast(null as {{ dbt.type_string() }}) as opportunity_id,
        monthly_totals.booked_new_arr_usd,
        monthly_totals.net_new_arr_usd,
        monthly_totals.booked_not_live_new_arr_usd,
        deal_totals.booked_not_live_new_arr_usd as deals_not_live_new_arr_usd
    from monthly_totals
    cross join deal_totals
    where
        monthly_totals.booked_new_arr_usd
        != monthly_totals.net_new_arr_usd + monthly_totals.booked_not_live_new_arr_usd
        or monthly_totals.booked_not_live_new_arr_usd != deal_totals.booked_not_live_new_arr_usd

),

deals_not_live_too_early as (

    select
        cast(bookings.opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
        cast(null as {{ dbt.type_numeric() }}) as booked_new_arr_usd,
        cast(null as {{ dbt.type_numeric() }}) as net_new_arr_usd,
        cast(null as {{ dbt.type_numeric() }}) as booked_not_live_new_arr_usd,
        bookings.new_arr_usd as deals_not_live_new_arr_usd
    from bookings
    cross join reporting_dates
    where
        not bookings.is_live
        and bookings.order_id is not null
        and bookings.service_start_date <= reporting_dates.as_of_date

),

final as (

    select * from totals_that_differ
    union all
    select * from deals_not_live_too_early

)

select * from final

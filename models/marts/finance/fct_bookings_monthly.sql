{#- One row per month, from the first month in which a deal is booked or an order's ARR lands
    (the MRR bridge's first month, or earlier when a deal was booked before any service started)
    to the as-of month: net new ARR of the deals whose ARR lands that month, by deal type, with
    renewals split into the net uplift of those that replace contracts and the whole ARR of late
    renewals, and the ARR changes no deal explains, which together make the month's change in ARR
    (doc block finance__bookings_reconciliation); beside them, what was booked (closed) that
    month. -#}
with

bookings as (

    select * from {{ ref('fct_bookings') }}

),

-- One row per month, from the first month with data to the as-of month, with the ARR changes
-- of the orders that no deal explains.
monthly_orders as (

    select * from {{ ref('int_orders_aggregated_to_months') }}

),

landed_bookings as (

    select
        arr_start_month as arr_month,
        count(*) as landed_deals,
        sum(
            case when opportunity_type = 'new_business' then new_arr_usd else 0 end
        ) as new_business_arr_usd,
        sum(
            case when opportunity_type = 'win_back' then new_arr_usd else 0 end
        ) as win_back_arr_usd,
        sum(
            case when opportunity_type = 'expansion' then new_arr_usd else 0 end
        ) as expansion_arr_usd,
        sum(
            case
                when opportunity_type = 'renewal' and not is_late_renewal then contract_arr_usd
                else 0
            end
        ) as renewal_contract_arr_usd,
        sum(
            case
                when opportunity_type = 'renewal' and not is_late_renewal then replaced_arr_usd
                else 0
            end
        ) as renewal_replaced_arr_usd,
        sum(
            case
                when opportunity_type = 'renewal' and not is_late_renewal then new_arr_usd
                else 0
            end
        ) as renewal_arr_usd,
        sum(case when is_late_renewal then new_arr_usd else 0 end) as late_renewal_arr_usd,
        sum(new_arr_usd) as net_new_arr_usd
    from bookings
    where arr_start_month is not null
    group by arr_start_month

),

booked_bookings as (

    select
        booked_month,
        count(*) as booked_deals,
        sum(contract_arr_usd) as booked_contract_arr_usd,
        sum(new_arr_usd) as booked_new_arr_usd,
        sum(case when not is_live then new_arr_usd else 0 end) as booked_not_live_new_arr_usd
    from bookings
    group by booked_month

),

-- The months start with the first in which a deal is booked or, when earlier, the first in
-- which an order's ARR lands (is_arr_started: the MRR bridge's first month); the months before
-- hold nothing.
first_booked_month as (

    select min(booked_month) as first_booked_month
    from bookings

),

months_joined as (

    select
        monthly_orders.month_start_date as arr_month,
        coalesce(landed_bookings.landed_deals, 0) as landed_deals,
        coalesce(landed_bookings.new_business_arr_usd, 0) as new_business_arr_usd,
        coalesce(landed_bookings.win_back_arr_usd, 0) as win_back_arr_usd,
        coalesce(landed_bookings.expansion_arr_usd, 0) as expansion_arr_usd,
        coalesce(landed_bookings.renewal_contract_arr_usd, 0) as renewal_contract_arr_usd,
        coalesce(landed_bookings.renewal_replaced_arr_usd, 0) as renewal_replaced_arr_usd,
        coalesce(landed_bookings.renewal_arr_usd, 0) as renewal_arr_usd,
        coalesce(landed_bookings.late_renewal_arr_usd, 0) as late_renewal_arr_usd,
        coalesce(landed_bookings.net_new_arr_usd, 0) as net_new_arr_usd,
        monthly_orders.continuation_arr_usd,
        monthly_orders.continued_arr_usd,
        monthly_orders.ended_without_renewal_arr_usd,
        coalesce(booked_bookings.booked_deals, 0) as booked_deals,
        coalesce(booked_bookings.booked_contract_arr_usd, 0) as booked_contract_arr_usd,
        coalesce(booked_bookings.booked_new_arr_usd, 0) as booked_new_arr_usd,
        coalesce(
            booked_bookings.booked_not_live_new_arr_usd, 0
        ) as booked_not_live_new_arr_usd
    from monthly_orders
    cross join first_booked_month
    left join landed_bookings
        on monthly_orders.month_start_date = landed_bookings.arr_month
    left join booked_bookings
        on monthly_orders.month_start_date = booked_bookings.booked_month
    where
        monthly_orders.is_arr_started
        or monthly_orders.month_start_date >= first_booked_month.first_booked_month

),

final as (

    select
        -- dates
        arr_month,

        -- numerics: net new ARR of the deals landing in the month
        cast(landed_deals as {{ dbt.type_int() }}) as landed_deals,
        cast(new_business_arr_usd as decimal(18, 2)) as new_business_arr_usd,
        cast(win_back_arr_usd as decimal(18, 2)) as win_back_arr_usd,
        cast(expansion_arr_usd as decimal(18, 2)) as expansion_arr_usd,
        cast(renewal_contract_arr_usd as decimal(18, 2)) as renewal_contract_arr_usd,
        cast(renewal_replaced_arr_usd as decimal(18, 2)) as renewal_replaced_arr_usd,
        cast(renewal_arr_usd as decimal(18, 2)) as renewal_arr_usd,
        cast(late_renewal_arr_usd as decimal(18, 2)) as late_renewal_arr_usd,
        cast(net_new_arr_usd as decimal(18, 2)) as net_new_arr_usd,

        -- numerics: ARR changes no deal explains
        cast(continuation_arr_usd as decimal(18, 2)) as continuation_arr_usd,
        cast(continued_arr_usd as decimal(18, 2)) as continued_arr_usd,
        cast(ended_without_renewal_arr_usd as decimal(18, 2)) as ended_without_renewal_arr_usd,
        cast(
            continuation_arr_usd + continued_arr_usd + ended_without_renewal_arr_usd
            as decimal(18, 2)
        ) as arr_change_without_deal_usd,
        cast(
            net_new_arr_usd
            + continuation_arr_usd
            + continued_arr_usd
            + ended_without_renewal_arr_usd
            as decimal(18, 2)
        ) as arr_change_usd,

        -- numerics: deals booked (closed) in the month
        cast(booked_deals as {{ dbt.type_int() }}) as booked_deals,
        cast(booked_contract_arr_usd as decimal(18, 2)) as booked_contract_arr_usd,
        cast(booked_new_arr_usd as decimal(18, 2)) as booked_new_arr_usd,
        cast(booked_not_live_new_arr_usd as decimal(18, 2)) as booked_not_live_new_arr_usd

    from months_joined

)

select * from final

{#- What the billing orders did in each month, from the first month with data to the as-of
    month, apart from the deals' new ARR: the ARR of the orders that no won deal booked starting
    to count, and of the orders that stopped counting without a renewal replacing them (doc block
    finance__bookings_reconciliation); and the term contracts up for renewal, by the month their
    service ended, with those renewed (doc block finance__renewal_rate). Flags the months from the
    first in which an order's ARR lands (the MRR bridge's first month). -#}
with

matched_orders as (

    select * from {{ ref('int_orders_matched_to_renewals') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

-- The first month in which an order of positive value counts: the first with MRR above 0.
first_arr_month as (

    select min(arr_start_month) as first_arr_month
    from matched_orders
    where contract_arr_usd > 0

),

-- Orders that no won deal booked (a monthly plan's next invoice) starting to count.
continuation_starts as (

    select
        arr_start_month,
        sum(contract_arr_usd) as continuation_arr_usd
    from matched_orders
    where
        not is_deal_order
        and arr_start_month is not null
    group by arr_start_month

),

-- Orders that stopped counting and were not replaced by a renewal: continued by an invoice, or
-- ended (churn or contraction), as negative ARR.
order_ends as (

    select
        arr_end_month,
        -sum(
            case when arr_end_reason = 'continued' then contract_arr_usd else 0 end
        ) as continued_arr_usd,
        -sum(
            case when arr_end_reason = 'ended' then contract_arr_usd else 0 end
        ) as ended_without_renewal_arr_usd
    from matched_orders
    where arr_end_month is not null
    group by arr_end_month

),

-- Term contracts (more than one month) that were live and whose service ended by the as-of date.
contracts_up_for_renewal as (

    select
        cast(
            {{ dbt.date_trunc('month', 'matched_orders.service_end_date') }} as date
        ) as renewal_month,
        matched_orders.contract_arr_usd,
        matched_orders.replaced_by_opportunity_id is not null as is_renewed_on_time,
        matched_orders.renewed_late_by_opportunity_id is not null as is_renewed_late
    from matched_orders
    cross join reporting_dates
    where
        matched_orders.term_months > 1
        and matched_orders.arr_start_month is not null
        and matched_orders.service_end_date <= reporting_dates.as_of_date

),

monthly_renewals as (

    select
        renewal_month,
        count(*) as contracts_up_for_renewal,
        sum(case when is_renewed_on_time then 1 else 0 end) as contracts_renewed_on_time,
        sum(case when is_renewed_late then 1 else 0 end) as contracts_renewed_late,
        sum(contract_arr_usd) as arr_up_for_renewal_usd,
        sum(
            case when is_renewed_on_time then contract_arr_usd else 0 end
        ) as arr_renewed_on_time_usd,
        sum(case when is_renewed_late then contract_arr_usd else 0 end) as arr_renewed_late_usd
    from contracts_up_for_renewal
    group by renewal_month

),

final as (

    select
        -- dates
        month_spine.month_start_date,

        -- booleans
        coalesce(
            month_spine.month_start_date >= first_arr_month.first_arr_month, false
        ) as is_arr_started,

        -- numerics: ARR changes no deal explains
        cast(
            coalesce(continuation_starts.continuation_arr_usd, 0) as decimal(18, 2)
        ) as continuation_arr_usd,
        cast(coalesce(order_ends.continued_arr_usd, 0) as decimal(18, 2)) as continued_arr_usd,
        cast(
            coalesce(order_ends.ended_without_renewal_arr_usd, 0) as decimal(18, 2)
        ) as ended_without_renewal_arr_usd,

        -- numerics: renewals
        cast(
            coalesce(monthly_renewals.contracts_up_for_renewal, 0) as {{ dbt.type_int() }}
        ) as contracts_up_for_renewal,
        cast(
            coalesce(monthly_renewals.contracts_renewed_on_time, 0) as {{ dbt.type_int() }}
        ) as contracts_renewed_on_time,
        cast(
            coalesce(monthly_renewals.contracts_renewed_late, 0) as {{ dbt.type_int() }}
        ) as contracts_renewed_late,
        cast(
            coalesce(monthly_renewals.arr_up_for_renewal_usd, 0) as decimal(18, 2)
        ) as arr_up_for_renewal_usd,
        cast(
            coalesce(monthly_renewals.arr_renewed_on_time_usd, 0) as decimal(18, 2)
        ) as arr_renewed_on_time_usd,
        cast(
            coalesce(monthly_renewals.arr_renewed_late_usd, 0) as decimal(18, 2)
        ) as arr_renewed_late_usd

    from month_spine
    cross join first_arr_month
    left join continuation_starts
        on month_spine.month_start_date = continuation_starts.arr_start_month
    left join order_ends
        on month_spine.month_start_date = order_ends.arr_end_month
    left join monthly_renewals
        on month_spine.month_start_date = monthly_renewals.renewal_month

)

select * from final

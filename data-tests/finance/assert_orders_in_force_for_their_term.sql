-- Every known billing order is in force at exactly the month-end snapshots of its term: from its
-- service start's month to the month before its service end's, as far as those months lie in the
-- window before the as-of month (a grace period may only add months); and in the as-of month
-- exactly when the as-of date lies in its service period (or later, within a grace period).
-- Counted from staging, independently of how int_orders_in_force_monthly finds the months.
-- Returns the orders that break this.

with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

orders_in_force as (

    select * from {{ ref('int_orders_in_force_monthly') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

known_orders as (

    select
        orders.order_id,
        orders.service_start_date,
        orders.service_end_date,
        reporting_dates.as_of_date,
        reporting_dates.as_of_month,
        case
            when
                cast({{ dbt.date_trunc('month', 'orders.service_start_date') }} as date)
                > reporting_dates.data_start_month
                then cast({{ dbt.date_trunc('month', 'orders.service_start_date') }} as date)
            else reporting_dates.data_start_month
        end as first_counted_month,
        case
            when
                cast({{ dbt.date_trunc('month', 'orders.service_end_date') }} as date)
                < reporting_dates.as_of_month
                then cast({{ dbt.date_trunc('month', 'orders.service_end_date') }} as date)
            else reporting_dates.as_of_month
        end as counted_until_month
    from orders
    inner join reporting_dates
        on orders.ordered_at < reporting_dates.as_of_end_at
    where
        orders.amount_usd is not null
        and orders.term_months >= 1

),

expected as (

    select
        order_id,
        case
            when counted_until_month > first_counted_month
                then {{ dbt.datediff('first_counted_month', 'counted_until_month', 'month') }}
            else 0
        end as month_end_count,
        case
            when service_start_date <= as_of_date and as_of_date < service_end_date then 1
            else 0
        end as as_of_month_count
    from known_orders

),

actual as (

    select
        orders_in_force.order_id,
        sum(
            case when orders_in_force.mrr_month < reporting_dates.as_of_month then 1 else 0 end
        ) as month_end_count,
        sum(
            case when orders_in_force.mrr_month = reporting_dates.as_of_month then 1 else 0 end
        ) as as_of_month_count
    from orders_in_force
    cross join reporting_dates
    group by orders_in_force.order_id

),

final as (

    select
        expected.order_id,
        expected.month_end_count as expected_month_end_count,
        coalesce(actual.month_end_count, 0) as actual_month_end_count,
        expected.as_of_month_count as expected_as_of_month_count,
        coalesce(actual.as_of_month_count, 0) as actual_as_of_month_count
    from expected
    left join actual
        on expected.order_id = actual.order_id
    where
        {% if var('renewal_grace_days') == 0 -%}
            coalesce(actual.month_end_count, 0) != expected.month_end_count
            or coalesce(actual.as_of_month_count, 0) != expected.as_of_month_count
        {%- else -%}
            coalesce(actual.month_end_count, 0) < expected.month_end_count
            or coalesce(actual.as_of_month_count, 0) < expected.as_of_month_count
        {%- endif %}

)

select * from final

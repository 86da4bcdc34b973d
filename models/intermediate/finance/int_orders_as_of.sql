{#- The billing orders known at the end of the as-of date: those booked before the midnight that
    ends it, whenever their service starts (a renewal booked early is known at once). -#}
with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

orders_by_as_of as (

    select orders.*
    from orders
    cross join reporting_dates
    where orders.ordered_at < reporting_dates.as_of_end_at

),

final as (

    select
        -- ids
        order_id,
        account_id,
        opportunity_id,

        -- strings
        currency,

        -- numerics
        amount,
        amount_usd,
        term_months,

        -- dates and timestamps
        ordered_at,
        service_start_date,
        service_end_date

    from orders_by_as_of

)

select * from final

-- Billing reconciles: every billing order with a USD amount is spread over exactly term_months
-- months, and its monthly pieces add up to its amount_usd to the cent.
-- Returns the orders that break this.

with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

order_months as (

    select * from {{ ref('int_orders_spread_to_months') }}

),

spread_totals as (

    select
        order_id,
        count(*) as months_count,
        sum(monthly_amount_usd) as spread_amount_usd
    from order_months
    group by order_id

),

final as (

    select
        orders.order_id,
        orders.amount_usd,
        orders.term_months,
        spread_totals.spread_amount_usd,
        spread_totals.months_count
    from orders
    left join spread_totals
        on orders.order_id = spread_totals.order_id
    where
        orders.amount_usd is not null
        and (
            spread_totals.order_id is null
            or spread_totals.spread_amount_usd != orders.amount_usd
            or spread_totals.months_count != orders.term_months
        )

)

select * from final

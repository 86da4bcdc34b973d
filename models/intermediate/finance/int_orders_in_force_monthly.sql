{#- Billing orders in force at each month's snapshot: the rule is the doc block
    finance__contracts_in_force; keep the two in step. -#}
{%- set grace_days = whole_days_var('renewal_grace_days') -%}

with

-- Only the orders booked by the as-of date are known (int_orders_as_of).
orders as (

    select * from {{ ref('int_orders_as_of') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

-- Orders without a USD amount or a term cannot be measured (the staging tests flag them).
known_orders as (

    select
        order_id,
        account_id,
        opportunity_id,
        ordered_at,
        term_months,
        amount_usd,
        service_start_date,
        service_end_date
    from orders
    where
        amount_usd is not null
        and term_months >= 1

),

-- Contracts whose end leaves the account without any contract in force on that day: a gap in
-- its service starts there (two contracts ending together, a base and its co-termed upsell,
-- both open it).
contracts_opening_a_gap as (

    select
        ending_contracts.order_id,
        ending_contracts.account_id,
        ending_contracts.service_end_date
    from known_orders as ending_contracts
    left join known_orders as running_contracts
        on
            ending_contracts.account_id = running_contracts.account_id
            and ending_contracts.order_id != running_contracts.order_id
            and ending_contracts.service_end_date >= running_contracts.service_start_date
            and ending_contracts.service_end_date < running_contracts.service_end_date
    where running_contracts.order_id is null

),

-- When the gap closes: the first start of another known contract of the account after it opened.
gap_ends as (

    select
        contracts_opening_a_gap.order_id,
        contracts_opening_a_gap.service_end_date,
        min(next_contracts.service_start_date) as next_service_start_date
    from contracts_opening_a_gap
    inner join known_orders as next_contracts
        on
            contracts_opening_a_gap.account_id = next_contracts.account_id
            and contracts_opening_a_gap.service_end_date < next_contracts.service_start_date
    group by
        contracts_opening_a_gap.order_id,
        contracts_opening_a_gap.service_end_date

),

-- With a grace period, a gap of at most that many days is bridged: the contracts that opened it
-- stay in force until the next one starts.
bridged_gaps as (

    select
        order_id,
        next_service_start_date
    from gap_ends
    where
        next_service_start_date
        <= {{ dbt.dateadd('day', grace_days, 'service_end_date') }}

),

-- The monthly value, rounded half up to the cent (macro usd_scaled).
orders_in_force as (

    select
        known_orders.*,
        coalesce(
            bridged_gaps.next_service_start_date, known_orders.service_end_date
        ) as in_force_until_date,
        {{ usd_scaled('known_orders.amount_usd', 1, 'known_orders.term_months') }}
            as monthly_amount_usd
    from known_orders
    left join bridged_gaps
        on known_orders.order_id = bridged_gaps.order_id

),

order_snapshots as (

    select
        orders_in_force.*,
        month_spine.month_start_date,
        month_spine.snapshot_date
    from orders_in_force
    inner join month_spine
        on
            orders_in_force.service_start_date <= month_spine.snapshot_date
            and orders_in_force.in_force_until_date > month_spine.snapshot_date

),

final as (

    select
        -- ids
        order_id,
        account_id,
        opportunity_id,

        -- numerics
        term_months,
        amount_usd,
        monthly_amount_usd,

        -- dates and timestamps
        month_start_date as mrr_month,
        snapshot_date,
        service_start_date,
        service_end_date,
        in_force_until_date,
        ordered_at

    from order_snapshots

)

select * from final

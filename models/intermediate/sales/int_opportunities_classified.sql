{#- The opportunities of staging, each with its type from the account's billing history at its
    creation. The rule is the doc block sales__opportunity_type; keep the two in step. Carries
    every staging column so that fct_opportunities reads opportunities from here only. -#}
{%- set renewal_window_days = whole_days_var('renewal_window_days') -%}

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

-- A contract counts from its booking (a renewal booked early is already known) to the end of
-- its service period.
orders_with_end as (

    select
        order_id,
        account_id,
        ordered_at,
        cast(service_end_date as {{ dbt.type_timestamp() }}) as ends_at
    from orders

),

-- Orders of the same account running at the moment the opportunity was created:
-- ordered_at <= created_at < ends_at.
active_orders_at_creation as (

    select
        opportunities.opportunity_id,
        count(orders_with_end.order_id) as active_order_count,
        max(orders_with_end.ends_at) as latest_active_order_ends_at
    from opportunities
    left join orders_with_end
        on
            opportunities.account_id = orders_with_end.account_id
            and opportunities.created_at >= orders_with_end.ordered_at
            and opportunities.created_at < orders_with_end.ends_at
    group by opportunities.opportunity_id

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.campaign_id,
        opportunities.stage,
        opportunities.lead_source,
        opportunities.close_outcome,
        opportunities.product_line,
        opportunities.currency,
        opportunities.amount,
        opportunities.amount_usd,
        opportunities.stage_probability,
        opportunities.is_closed,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.expected_close_at,
        cast(active_orders_at_creation.active_order_count as {{ dbt.type_int() }})
            as active_order_count,
        cast(active_orders_at_creation.latest_active_order_ends_at as {{ dbt.type_timestamp() }})
            as latest_active_order_ends_at,
        case
            when active_orders_at_creation.active_order_count = 0 then 'new_business'
            when
                opportunities.created_at >= {{ dbt.dateadd(
                    'day',
                    -renewal_window_days,
                    'active_orders_at_creation.latest_active_order_ends_at'
                ) }}
                then 'renewal'
            else 'expansion'
        end as opportunity_type
    from opportunities
    inner join active_orders_at_creation
        on opportunities.opportunity_id = active_orders_at_creation.opportunity_id

)

select * from final

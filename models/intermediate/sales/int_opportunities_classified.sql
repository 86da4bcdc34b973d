{#- The opportunities of staging, each with its type from the account's billing history at its
    creation. The rule is the doc block sales__opportunity_type; keep the two in step. Carries
    every staging column so that fct_opportunities reads opportunities from here only. -#}
{%- set renewal_window_days = whole_days_var('renewal_window_days') -%}
{%- set grace_days = whole_days_var('renewal_grace_days') -%}

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

-- A contract counts from its booking (a renewal booked early is already known) to the end of
-- its service period, plus the renewal grace period: a gap that short is not churn in fct_mrr,
-- so a deal created in it renews the contract rather than winning the account back.
orders_with_end as (

    select
        order_id,
        account_id,
        ordered_at,
        cast(service_end_date as {{ dbt.type_timestamp() }}) as ends_at,
        cast(
            {{ dbt.dateadd('day', grace_days, 'service_end_date') }} as {{ dbt.type_timestamp() }}
        ) as ends_with_grace_at
    from orders

),

-- The account's orders booked by the moment the opportunity was created
-- (ordered_at <= created_at), and those of them still running then (created_at before their end
-- plus grace).
orders_at_creation as (

    select
        opportunities.opportunity_id,
        count(orders_with_end.order_id) as earlier_order_count,
        sum(
            case
                when opportunities.created_at < orders_with_end.ends_with_grace_at then 1 else 0
            end
        ) as active_order_count,
        max(
            case
                when opportunities.created_at < orders_with_end.ends_with_grace_at
                    then orders_with_end.ends_at
            end
        ) as latest_active_order_ends_at
    from opportunities
    left join orders_with_end
        on
            opportunities.account_id = orders_with_end.account_id
            and opportunities.created_at >= orders_with_end.ordered_at
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
        cast(coalesce(orders_at_creation.active_order_count, 0) as {{ dbt.type_int() }})
            as active_order_count,
        cast(orders_at_creation.latest_active_order_ends_at as {{ dbt.type_timestamp() }})
            as latest_active_order_ends_at,
        case
            when orders_at_creation.earlier_order_count = 0 then 'new_business'
            when coalesce(orders_at_creation.active_order_count, 0) = 0 then 'win_back'
            when
                opportunities.created_at >= {{ dbt.dateadd(
                    'day',
                    -renewal_window_days,
                    'orders_at_creation.latest_active_order_ends_at'
                ) }}
                then 'renewal'
            else 'expansion'
        end as opportunity_type
    from opportunities
    inner join orders_at_creation
        on opportunities.opportunity_id = orders_at_creation.opportunity_id

)

select * from final

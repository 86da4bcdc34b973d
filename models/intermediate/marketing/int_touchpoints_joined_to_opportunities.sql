{#- Account-based touchpoints: the marketing events of any lead of an opportunity's account that
    happened in the lookback window before the opportunity was created (both ends included),
    numbered in time order. Only opportunities created, events that occurred and leads created by
    the end of the as-of date count: all three are read from their int_<entities>_as_of models, so
    a lead created later does not bring its (earlier) events to its account. -#}
{%- set lookback_days = var('attribution_lookback_days') -%}

with

-- Opportunities created and marketing events that occurred by the end of the as-of date.
opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

marketing_events as (

    select * from {{ ref('int_marketing_events_as_of') }}

),

-- The leads created by the end of the as-of date, for the account their events belong to (a
-- lead's events may precede its creation, but not the as-of date's knowledge of the lead).
leads as (

    select * from {{ ref('int_leads_as_of') }}

),

account_events as (

    select
        marketing_events.event_id,
        marketing_events.lead_id,
        leads.account_id,
        marketing_events.event_type,
        marketing_events.utm_source,
        marketing_events.utm_campaign,
        marketing_events.occurred_at
    from marketing_events
    inner join leads
        on marketing_events.lead_id = leads.lead_id
    where leads.account_id is not null

),

touchpoints_in_window as (

    select
        opportunities.opportunity_id,
        opportunities.created_at as opportunity_created_at,
        account_events.*
    from opportunities
    inner join account_events
        on
            opportunities.account_id = account_events.account_id
            and {{ dbt.dateadd('day', -1 * lookback_days, 'opportunities.created_at') }}
            <= account_events.occurred_at
            and opportunities.created_at >= account_events.occurred_at

),

final as (

    select
        -- ids
        opportunity_id,
        event_id,
        lead_id,
        account_id,

        -- strings
        event_type,
        utm_source,
        utm_campaign,

        -- numerics
        cast(
            row_number() over (
                partition by opportunity_id
                order by occurred_at, event_id
            ) as {{ dbt.type_bigint() }}
        ) as touch_position,
        cast(count(*) over (partition by opportunity_id) as {{ dbt.type_bigint() }}) as touch_count,
        cast(
            {{ dbt.datediff(
                'cast(occurred_at as date)', 'cast(opportunity_created_at as date)', 'day'
            ) }} as {{ dbt.type_bigint() }}
        ) as days_before_opportunity,

        -- timestamps
        occurred_at,
        opportunity_created_at

    from touchpoints_in_window

)

select * from final

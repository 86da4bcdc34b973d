{#- Account-based touchpoints: the marketing events of any lead of an opportunity's account that
    happened in the lookback window before the opportunity was created (both ends included),
    numbered in time order. Only opportunities created and events that occurred by the end of the
    as-of date count. -#}
{%- set lookback_days = var('attribution_lookback_days') -%}

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

marketing_events as (

    select * from {{ ref('stg_marketing__events') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

opportunities_by_as_of as (

    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.created_at
    from opportunities
    cross join reporting_dates
    where opportunities.created_at < reporting_dates.as_of_end_at

),

events_by_as_of as (

    select
        marketing_events.event_id,
        marketing_events.lead_id,
        marketing_events.event_type,
        marketing_events.utm_source,
        marketing_events.utm_campaign,
        marketing_events.occurred_at
    from marketing_events
    cross join reporting_dates
    where marketing_events.occurred_at < reporting_dates.as_of_end_at

),

account_events as (

    select
        events_by_as_of.event_id,
        events_by_as_of.lead_id,
        leads.account_id,
        events_by_as_of.event_type,
        events_by_as_of.utm_source,
        events_by_as_of.utm_campaign,
        events_by_as_of.occurred_at
    from events_by_as_of
    inner join leads
        on events_by_as_of.lead_id = leads.lead_id
    where leads.account_id is not null

),

touchpoints_in_window as (

    select
        opportunities_by_as_of.opportunity_id,
        opportunities_by_as_of.created_at as opportunity_created_at,
        account_events.event_id,
        account_events.lead_id,
        account_events.account_id,
        account_events.event_type,
        account_events.utm_source,
        account_events.utm_campaign,
        account_events.occurred_at
    from opportunities_by_as_of
    inner join account_events
        on
            opportunities_by_as_of.account_id = account_events.account_id
            and {{ dbt.dateadd('day', -1 * lookback_days, 'opportunities_by_as_of.created_at') }}
            <= account_events.occurred_at
            and opportunities_by_as_of.created_at >= account_events.occurred_at

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

{#- The marketing events known at the end of the as-of date: those that occurred before the
    midnight that ends it. Every model that counts touches, spend or touchpoints reads them
    from here. -#}
with

marketing_events as (

    select * from {{ ref('stg_marketing__events') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

events_by_as_of as (

    select marketing_events.*
    from marketing_events
    cross join reporting_dates
    where marketing_events.occurred_at < reporting_dates.as_of_end_at

),

final as (

    select
        -- ids
        event_id,
        lead_id,

        -- strings
        event_type,
        utm_source,
        utm_campaign,

        -- numerics
        cost_usd,

        -- booleans
        is_paid,

        -- timestamps
        occurred_at

    from events_by_as_of

)

select * from final

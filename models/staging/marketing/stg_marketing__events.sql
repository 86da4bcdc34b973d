with

marketing_events as (

    {{ typed_source('marketing', 'marketing_events') }}

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
        cost as cost_usd,

        -- booleans
        cost is not null as is_paid,

        -- timestamps
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at

    from marketing_events

)

select * from final

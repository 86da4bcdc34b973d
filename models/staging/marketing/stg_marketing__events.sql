with

marketing_events as (

    select * from {{ source('marketing', 'marketing_events') }}

),

final as (

    select
        -- ids
        cast(event_id as {{ type_uuid() }}) as event_id,
        cast(lead_id as {{ type_uuid() }}) as lead_id,

        -- strings
        cast(event_type as {{ dbt.type_string() }}) as event_type,
        cast(utm_source as {{ dbt.type_string() }}) as utm_source,
        cast(utm_campaign as {{ dbt.type_string() }}) as utm_campaign,

        -- numerics
        cast(cost as decimal(10, 2)) as cost_usd,

        -- booleans
        cost is not null as is_paid,

        -- timestamps
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at

    from marketing_events

)

select * from final

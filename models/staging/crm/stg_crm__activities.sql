with

activities as (

    {{ typed_source('crm', 'activities') }}

),

final as (

    select
        -- ids
        activity_id,
        opportunity_id,
        contact_id,

        -- strings
        activity_type,
        direction,
        outcome,

        -- numerics
        cast(duration_seconds as {{ dbt.type_int() }}) as duration_seconds,

        -- timestamps
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at

    from activities

)

select * from final

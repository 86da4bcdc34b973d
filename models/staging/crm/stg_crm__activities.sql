with

activities as (

    select * from {{ source('crm', 'activities') }}

),

final as (

    select
        -- ids
        cast(activity_id as {{ type_uuid() }}) as activity_id,
        cast(opportunity_id as {{ type_uuid() }}) as opportunity_id,
        cast(contact_id as {{ type_uuid() }}) as contact_id,

        -- strings
        cast(activity_type as {{ dbt.type_string() }}) as activity_type,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(outcome as {{ dbt.type_string() }}) as outcome,

        -- numerics
        cast(duration_seconds as {{ dbt.type_int() }}) as duration_seconds,

        -- timestamps
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at

    from activities

)

select * from final

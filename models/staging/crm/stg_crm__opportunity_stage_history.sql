with

stage_history as (

    select * from {{ source('crm', 'opportunity_stage_history') }}

),

final as (

    select
        -- ids
        cast(stage_history_id as {{ type_uuid() }}) as stage_history_id,
        cast(opportunity_id as {{ type_uuid() }}) as opportunity_id,
        cast(changed_by as {{ type_uuid() }}) as changed_by_user_id,

        -- strings
        cast(stage_name as {{ dbt.type_string() }}) as stage_name,
        cast(notes as {{ dbt.type_string() }}) as notes,

        -- timestamps
        cast(entered_at as {{ dbt.type_timestamp() }}) as entered_at

    from stage_history

)

select * from final

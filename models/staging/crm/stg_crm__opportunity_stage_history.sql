with

stage_history as (

    {{ typed_source('crm', 'opportunity_stage_history') }}

),

final as (

    select
        -- ids
        stage_history_id,
        opportunity_id,
        changed_by as changed_by_user_id,

        -- strings
        stage_name,
        notes,

        -- timestamps
        cast(entered_at as {{ dbt.type_timestamp() }}) as entered_at

    from stage_history

)

select * from final

{#- Stage history as of the as-of date (doc block sales__as_of) with stage durations (doc block
    sales__days_in_stage), both stated in int_opportunity_stages_as_of. -#}
with

stages_as_of as (

    select * from {{ ref('int_opportunity_stages_as_of') }}

),

final as (

    select
        stage_history_id,
        opportunity_id,
        stage_name,
        stage_order,
        stage_sequence,
        entered_at,
        exited_at,
        days_in_stage,
        is_current,
        is_backward_move
    from stages_as_of

)

select * from final

{#- The stage history put in order: each row knows its position, the moment the next stage was
    entered, whether it went back in the pipeline and whether it is the latest. No as-of logic
    here; durations are measured in int_opportunity_stages_as_of. -#}
with

stage_history as (

    select * from {{ ref('stg_crm__opportunity_stage_history') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

stage_history_with_order as (

    select
        stage_history.stage_history_id,
        stage_history.opportunity_id,
        stage_history.stage_name,
        opportunity_stages.stage_order,
        opportunity_stages.is_closed as is_closed_stage,
        stage_history.entered_at
    from stage_history
    left join opportunity_stages
        on stage_history.stage_name = opportunity_stages.stage_name

),

-- Ties on entered_at (none in the generated data) are broken by the pipeline order of the stage,
-- then by stage_history_id, so that the order is deterministic and a deal entering two stages at
-- once ends in the later one.
sequenced as (

    select
        stage_history_id,
        opportunity_id,
        stage_name,
        stage_order,
        is_closed_stage,
        entered_at,
        row_number() over (
            partition by opportunity_id
            order by entered_at, stage_order, stage_history_id
        ) as stage_sequence,
        count(*) over (partition by opportunity_id) as stage_row_count,
        lead(entered_at) over (
            partition by opportunity_id
            order by entered_at, stage_order, stage_history_id
        ) as exited_at,
        lag(stage_order) over (
            partition by opportunity_id
            order by entered_at, stage_order, stage_history_id
        ) as previous_stage_order,
        lag(is_closed_stage) over (
            partition by opportunity_id
            order by entered_at, stage_order, stage_history_id
        ) as is_previous_stage_closed
    from stage_history_with_order

),

final as (

    select
        stage_history_id,
        opportunity_id,
        stage_name,
        stage_order,
        cast(stage_sequence as {{ dbt.type_int() }}) as stage_sequence,
        is_closed_stage,
        entered_at,
        exited_at,
        stage_sequence = stage_row_count as is_current,
        -- Only moves between open stages compare: closed stages are outcomes, not positions in
        -- the pipeline (closed_lost -> closed_won is not a step back).
        coalesce(
            not is_closed_stage
            and not is_previous_stage_closed
            and stage_order < previous_stage_order,
            false
        ) as is_backward_move
    from sequenced

)

select * from final

-- The current stage of an opportunity is the stage it entered last in its stage history.
-- Returns the opportunities with history whose stage is not among the stages entered at their
-- latest entered_at (ties are allowed: any of them may match).

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

stage_history as (

    select * from {{ ref('stg_crm__opportunity_stage_history') }}

),

last_stage_change as (

    select
        opportunity_id,
        max(entered_at) as last_entered_at
    from stage_history
    group by opportunity_id

),

last_stages as (

    select
        stage_history.opportunity_id,
        stage_history.stage_name
    from stage_history
    inner join last_stage_change
        on
            stage_history.opportunity_id = last_stage_change.opportunity_id
            and stage_history.entered_at = last_stage_change.last_entered_at

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.stage,
        last_stage_change.last_entered_at
    from opportunities
    inner join last_stage_change
        on opportunities.opportunity_id = last_stage_change.opportunity_id
    left join last_stages
        on
            opportunities.opportunity_id = last_stages.opportunity_id
            and opportunities.stage = last_stages.stage_name
    where last_stages.opportunity_id is null

)

select * from final

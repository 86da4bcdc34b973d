-- fct_opportunities summarises the raw stage history (stg_crm__opportunity_stage_history, not the
-- intermediate the mart is built from) up to the end of the as-of date: stage_changes is the
-- number of rows entered by then minus one (0 without rows); the stage is one of those entered at
-- the latest entered_at by then (any of them when several tie); a closed opportunity closed at
-- that moment; and has_moved_backwards is true exactly when an open stage was followed, later, by
-- an open stage earlier in the pipeline (the same thing as a step back between consecutive rows
-- as long as closed stages only end a history, as they do in the CRM).
-- Returns the opportunities that disagree.

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

stage_history as (

    select * from {{ ref('stg_crm__opportunity_stage_history') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

history_as_of as (

    select
        stage_history.opportunity_id,
        stage_history.stage_name,
        stage_history.entered_at,
        opportunity_stages.stage_order,
        opportunity_stages.is_closed
    from stage_history
    cross join reporting_dates
    left join opportunity_stages
        on stage_history.stage_name = opportunity_stages.stage_name
    where stage_history.entered_at < reporting_dates.as_of_end_at

),

history_summary as (

    select
        opportunity_id,
        count(*) as stage_row_count,
        max(entered_at) as last_entered_at
    from history_as_of
    group by opportunity_id

),

last_stages as (

    select
        history_as_of.opportunity_id,
        history_as_of.stage_name
    from history_as_of
    inner join history_summary
        on
            history_as_of.opportunity_id = history_summary.opportunity_id
            and history_as_of.entered_at = history_summary.last_entered_at
    group by
        history_as_of.opportunity_id,
        history_as_of.stage_name

),

backward_moves as (

    select earlier.opportunity_id
    from history_as_of as earlier
    inner join history_as_of as later
        on
            earlier.opportunity_id = later.opportunity_id
            and earlier.entered_at < later.entered_at
            and earlier.stage_order > later.stage_order
    where
        not earlier.is_closed
        and not later.is_closed
    group by earlier.opportunity_id

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.stage,
        opportunities.stage_changes,
        opportunities.has_moved_backwards,
        opportunities.closed_at,
        history_summary.stage_row_count,
        history_summary.last_entered_at
    from opportunities
    left join history_summary
        on opportunities.opportunity_id = history_summary.opportunity_id
    left join last_stages
        on
            opportunities.opportunity_id = last_stages.opportunity_id
            and opportunities.stage = last_stages.stage_name
    left join backward_moves
        on opportunities.opportunity_id = backward_moves.opportunity_id
    where
        opportunities.stage_changes != coalesce(history_summary.stage_row_count - 1, 0)
        or opportunities.has_moved_backwards != (backward_moves.opportunity_id is not null)
        or (history_summary.opportunity_id is not null and last_stages.opportunity_id is null)
        or (
            history_summary.opportunity_id is not null
            and opportunities.is_closed
            and opportunities.closed_at != history_summary.last_entered_at
        )

)

select * from final

-- fct_opportunities summarises fct_opportunity_stages: stage_changes is the number of stage rows
-- minus one (0 without rows) and has_moved_backwards is true exactly when a row is a backward
-- move. Returns the opportunities that disagree.

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

stage_summary as (

    select
        opportunity_id,
        count(*) as stage_row_count,
        sum(case when is_backward_move then 1 else 0 end) as backward_move_count
    from opportunity_stages
    group by opportunity_id

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.stage_changes,
        opportunities.has_moved_backwards,
        stage_summary.stage_row_count,
        stage_summary.backward_move_count
    from opportunities
    left join stage_summary
        on opportunities.opportunity_id = stage_summary.opportunity_id
    where
        opportunities.stage_changes != coalesce(stage_summary.stage_row_count - 1, 0)
        or opportunities.has_moved_backwards
        != (coalesce(stage_summary.backward_move_count, 0) > 0)

)

select * from final

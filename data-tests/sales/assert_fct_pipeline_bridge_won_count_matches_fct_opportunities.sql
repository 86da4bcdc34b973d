-- The won movement of fct_pipeline_bridge, recounted from the deal-level marts instead of the
-- snapshot rows the bridge walks: per month and opportunity type, the deals of fct_opportunities
-- (their type, creation and TCV) whose stage in fct_opportunity_stages at the month's snapshot is
-- closed_won and that were open at the previous month's snapshot or created in the month (or
-- existed by the first snapshot, which has no previous one). Without reopened deals these are the
-- deals of fct_opportunities closed as won with `closed_at` in the month that were open at the
-- previous snapshot or created since; the stage rows also place a deal won, reopened and won again
-- where the bridge does. Same count and the same TCV. Returns the months and types that disagree.

with

pipeline_bridge as (

    select * from {{ ref('fct_pipeline_bridge') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

opportunity_stage_rows as (

    select * from {{ ref('fct_opportunity_stages') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

snapshots as (

    select
        month_start_date as pipeline_month,
        snapshot_end_at,
        lag(snapshot_end_at) over (order by month_start_date) as previous_snapshot_end_at
    from month_spine

),

-- The stage row each opportunity was in at each snapshot: the last one entered before it.
stage_rows_at_snapshots as (

    select
        snapshots.pipeline_month,
        snapshots.snapshot_end_at,
        snapshots.previous_snapshot_end_at,
        opportunity_stage_rows.opportunity_id,
        opportunity_stage_rows.stage_name,
        opportunity_stages.is_closed
    from snapshots
    inner join opportunity_stage_rows
        on {{ is_open_at(
            'snapshots.snapshot_end_at',
            'opportunity_stage_rows.entered_at',
            'opportunity_stage_rows.exited_at'
        ) }}
    inner join opportunity_stages
        on opportunity_stage_rows.stage_name = opportunity_stages.stage_name

),

won_at_snapshots as (

    select
        pipeline_month,
        previous_snapshot_end_at,
        opportunity_id
    from stage_rows_at_snapshots
    where stage_name = 'closed_won'

),

open_at_snapshots as (

    select
        snapshot_end_at,
        opportunity_id
    from stage_rows_at_snapshots
    where not is_closed

),

won_out_of_pipeline as (

    select
        won_at_snapshots.pipeline_month,
        opportunities.opportunity_type,
        count(*) as won_count,
        sum(opportunities.tcv_usd) as won_tcv_usd
    from won_at_snapshots
    inner join opportunities
        on won_at_snapshots.opportunity_id = opportunities.opportunity_id
    left join open_at_snapshots as open_at_previous_snapshot
        on
            won_at_snapshots.opportunity_id = open_at_previous_snapshot.opportunity_id
            and won_at_snapshots.previous_snapshot_end_at
            = open_at_previous_snapshot.snapshot_end_at
    where
        won_at_snapshots.previous_snapshot_end_at is null
        or opportunities.created_at >= won_at_snapshots.previous_snapshot_end_at
        or open_at_previous_snapshot.opportunity_id is not null
    group by
        won_at_snapshots.pipeline_month,
        opportunities.opportunity_type

),

final as (

    select
        coalesce(pipeline_bridge.pipeline_month, won_out_of_pipeline.pipeline_month)
            as pipeline_month,
        coalesce(pipeline_bridge.opportunity_type, won_out_of_pipeline.opportunity_type)
            as opportunity_type,
        pipeline_bridge.won_count,
        won_out_of_pipeline.won_count as expected_won_count,
        pipeline_bridge.won_tcv_usd,
        won_out_of_pipeline.won_tcv_usd as expected_won_tcv_usd
    from pipeline_bridge
    full outer join won_out_of_pipeline
        on
            pipeline_bridge.pipeline_month = won_out_of_pipeline.pipeline_month
            and pipeline_bridge.opportunity_type = won_out_of_pipeline.opportunity_type
    where
        pipeline_bridge.pipeline_month is null
        or coalesce(pipeline_bridge.won_count, 0) != coalesce(won_out_of_pipeline.won_count, 0)
        or coalesce(pipeline_bridge.won_tcv_usd, 0) != coalesce(won_out_of_pipeline.won_tcv_usd, 0)

)

select * from final

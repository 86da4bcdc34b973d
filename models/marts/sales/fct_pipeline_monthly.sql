{#- Point-in-time open pipeline: the rule is the doc block sales__pipeline_snapshot; the stage at
    a snapshot follows sales__stage_at_moment, the same rule as fct_opportunities at the as-of
    date. -#}
with

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

stages_sequenced as (

    select * from {{ ref('int_opportunity_stages_sequenced') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

open_stages as (

    select
        stage_name,
        stage_order,
        default_probability
    from opportunity_stages
    where not is_closed

),

-- The first open stage of the pipeline, the last resort of the stage fallback (always one row).
open_stages_ranked as (

    select
        stage_name,
        row_number() over (order by stage_order, stage_name) as open_stage_rank
    from open_stages

),

first_open_stage as (

    select max(case when open_stage_rank = 1 then stage_name end) as stage_name
    from open_stages_ranked

),

-- The stage each opportunity was created in, for the fallback.
first_stages as (

    select
        opportunity_id,
        stage_name,
        is_closed_stage
    from stages_sequenced
    where stage_sequence = 1

),

-- The day of each snapshot: the end of the month, or the as-of date in the as-of month.
snapshots as (

    select
        month_start_date as pipeline_month,
        month_end_date,
        snapshot_date
    from month_spine

),

snapshot_moments as (

    select
        pipeline_month,
        month_end_date,
        snapshot_date,
        cast({{ dbt.dateadd('day', 1, 'snapshot_date') }} as {{ dbt.type_timestamp() }})
            as snapshot_end_at
    from snapshots

),

-- Opportunities created by each snapshot.
created_by_snapshot as (

    select
        snapshot_moments.pipeline_month,
        snapshot_moments.snapshot_end_at,
        opportunities.opportunity_id,
        opportunities.stage,
        opportunities.is_closed,
        opportunities.closed_at,
        opportunities.amount_usd
    from snapshot_moments
    inner join opportunities
        on snapshot_moments.snapshot_end_at > opportunities.created_at

),

-- The stage each of them was in: the stage row whose [entered_at, exited_at) interval holds the
-- snapshot moment (the last one entered before it), else the fallback of sales__stage_at_moment,
-- so that an opportunity without history then is not lost.
stage_at_snapshot as (

    select
        created_by_snapshot.pipeline_month,
        created_by_snapshot.opportunity_id,
        created_by_snapshot.amount_usd,
        coalesce(
            stages_sequenced.stage_name,
            {{ stage_at_moment_fallback(
                opportunity='created_by_snapshot',
                moment_at='created_by_snapshot.snapshot_end_at',
                first_stage='first_stages',
                first_open_stage_name='first_open_stage.stage_name'
            ) }}
        ) as stage_name
    from created_by_snapshot
    left join stages_sequenced
        on
            created_by_snapshot.opportunity_id = stages_sequenced.opportunity_id
            and created_by_snapshot.snapshot_end_at > stages_sequenced.entered_at
            and (
                stages_sequenced.exited_at is null
                or created_by_snapshot.snapshot_end_at <= stages_sequenced.exited_at
            )
    left join first_stages
        on created_by_snapshot.opportunity_id = first_stages.opportunity_id
    cross join first_open_stage

),

-- Only the opportunities in an open stage at the snapshot are pipeline; closed ones drop out here.
pipeline_by_stage as (

    select
        stage_at_snapshot.pipeline_month,
        stage_at_snapshot.stage_name,
        count(*) as opportunity_count,
        sum(stage_at_snapshot.amount_usd) as amount_usd,
        sum(stage_at_snapshot.amount_usd * open_stages.default_probability)
            as weighted_amount_usd
    from stage_at_snapshot
    inner join open_stages
        on stage_at_snapshot.stage_name = open_stages.stage_name
    group by
        stage_at_snapshot.pipeline_month,
        stage_at_snapshot.stage_name

),

-- Every month of the spine with every open stage, so that empty cells are zeros, not gaps.
month_stage_grid as (

    select
        snapshot_moments.pipeline_month,
        snapshot_moments.month_end_date,
        snapshot_moments.snapshot_date,
        open_stages.stage_name,
        open_stages.stage_order,
        open_stages.default_probability
    from snapshot_moments
    cross join open_stages

),

final as (

    select
        -- dates
        month_stage_grid.pipeline_month,
        month_stage_grid.month_end_date,
        month_stage_grid.snapshot_date,

        -- strings
        month_stage_grid.stage_name,

        -- numerics
        month_stage_grid.stage_order,
        month_stage_grid.default_probability,
        cast(coalesce(pipeline_by_stage.opportunity_count, 0) as {{ dbt.type_int() }})
            as opportunity_count,
        cast(coalesce(pipeline_by_stage.amount_usd, 0) as decimal(18, 2)) as amount_usd,
        cast(
            round(coalesce(pipeline_by_stage.weighted_amount_usd, 0), 2) as decimal(18, 2)
        ) as weighted_amount_usd

    from month_stage_grid
    left join pipeline_by_stage
        on
            month_stage_grid.pipeline_month = pipeline_by_stage.pipeline_month
            and month_stage_grid.stage_name = pipeline_by_stage.stage_name

)

select * from final

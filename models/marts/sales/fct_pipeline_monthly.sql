{#- Point-in-time open pipeline: the rule is the doc block sales__pipeline_snapshot. The stage of
    each opportunity at each month's snapshot comes from int_opportunities_snapshotted_monthly
    (doc block sales__stage_at_moment, the rule that also gives fct_opportunities its stage at the
    as-of date). -#}
with

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

opportunity_snapshots as (

    select * from {{ ref('int_opportunities_snapshotted_monthly') }}

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

-- Only the opportunities in an open stage at the snapshot are pipeline; closed ones drop out here.
pipeline_by_stage as (

    select
        opportunity_snapshots.snapshot_month as pipeline_month,
        opportunity_snapshots.stage_name,
        count(*) as opportunity_count,
        sum(opportunity_snapshots.amount_usd) as amount_usd,
        sum(opportunity_snapshots.amount_usd * open_stages.default_probability)
            as weighted_amount_usd
    from opportunity_snapshots
    inner join open_stages
        on opportunity_snapshots.stage_name = open_stages.stage_name
    group by
        opportunity_snapshots.snapshot_month,
        opportunity_snapshots.stage_name

),

-- Every month of the spine with every open stage, so that empty cells are zeros, not gaps.
month_stage_grid as (

    select
        month_spine.month_start_date as pipeline_month,
        month_spine.month_end_date,
        month_spine.snapshot_date,
        open_stages.stage_name,
        open_stages.stage_order,
        open_stages.default_probability
    from month_spine
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

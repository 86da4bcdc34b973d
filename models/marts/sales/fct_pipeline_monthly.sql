{#- Point-in-time open pipeline: the rule is the doc block sales__pipeline_snapshot. The stage of
    each opportunity at each month's snapshot comes from int_opportunities_snapshotted_monthly
    (doc block sales__stage_at_moment, the rule that also gives fct_opportunities its stage at the
    as-of date). Values: doc block sales__open_pipeline_value; weights: doc block
    sales__stage_weighted_pipeline. -#}
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

opportunity_types as (

    {{ opportunity_types_query() }}

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
-- An open deal has no booked term, so it is valued in TCV, the snapshot's amount.
pipeline_by_stage as (

    select
        opportunity_snapshots.snapshot_month as pipeline_month,
        opportunity_snapshots.stage_name,
        opportunity_snapshots.opportunity_type,
        count(*) as opportunity_count,
        sum(opportunity_snapshots.amount_usd) as tcv_usd,
        sum(opportunity_snapshots.amount_usd * open_stages.default_probability)
            as stage_weighted_tcv_usd
    from opportunity_snapshots
    inner join open_stages
        on opportunity_snapshots.stage_name = open_stages.stage_name
    group by
        opportunity_snapshots.snapshot_month,
        opportunity_snapshots.stage_name,
        opportunity_snapshots.opportunity_type

),

-- Every month of the spine with every open stage and every opportunity type, so that empty cells
-- are zeros, not gaps.
month_stage_grid as (

    select
        month_spine.month_start_date as pipeline_month,
        month_spine.month_end_date,
        month_spine.snapshot_date,
        open_stages.stage_name,
        open_stages.stage_order,
        open_stages.default_probability,
        opportunity_types.opportunity_type,
        opportunity_types.is_new_logo
    from month_spine
    cross join open_stages
    cross join opportunity_types

),

pipeline_on_grid as (

    select
        month_stage_grid.*,
        coalesce(pipeline_by_stage.opportunity_count, 0) as opportunity_count,
        coalesce(pipeline_by_stage.tcv_usd, 0) as tcv_usd,
        round(coalesce(pipeline_by_stage.stage_weighted_tcv_usd, 0), 2) as stage_weighted_tcv_usd
    from month_stage_grid
    left join pipeline_by_stage
        on
            month_stage_grid.pipeline_month = pipeline_by_stage.pipeline_month
            and month_stage_grid.stage_name = pipeline_by_stage.stage_name
            and month_stage_grid.opportunity_type = pipeline_by_stage.opportunity_type

),

final as (

    select
        -- dates
        pipeline_month,
        month_end_date,
        snapshot_date,

        -- strings
        stage_name,
        opportunity_type,

        -- booleans
        is_new_logo,

        -- numerics
        stage_order,
        default_probability,
        cast(opportunity_count as {{ dbt.type_int() }}) as opportunity_count,
        cast(tcv_usd as decimal(18, 2)) as tcv_usd,
        cast(stage_weighted_tcv_usd as decimal(18, 2)) as stage_weighted_tcv_usd

    from pipeline_on_grid

)

select * from final

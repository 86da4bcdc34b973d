-- The closing pipeline of fct_pipeline_bridge is the open pipeline of fct_pipeline_monthly at the
-- same snapshot: per month and opportunity type, the same count and TCV summed over the open
-- stages. Returns the months and types that disagree (or are missing from either).

with

pipeline_bridge as (

    select * from {{ ref('fct_pipeline_bridge') }}

),

pipeline_monthly as (

    select * from {{ ref('fct_pipeline_monthly') }}

),

monthly_totals as (

    select
        pipeline_month,
        snapshot_date,
        opportunity_type,
        sum(opportunity_count) as opportunity_count,
        sum(tcv_usd) as tcv_usd
    from pipeline_monthly
    group by
        pipeline_month,
        snapshot_date,
        opportunity_type

),

final as (

    select
        coalesce(pipeline_bridge.pipeline_month, monthly_totals.pipeline_month) as pipeline_month,
        coalesce(pipeline_bridge.opportunity_type, monthly_totals.opportunity_type)
            as opportunity_type,
        pipeline_bridge.closing_count,
        monthly_totals.opportunity_count,
        pipeline_bridge.closing_tcv_usd,
        monthly_totals.tcv_usd
    from pipeline_bridge
    full outer join monthly_totals
        on
            pipeline_bridge.pipeline_month = monthly_totals.pipeline_month
            and pipeline_bridge.opportunity_type = monthly_totals.opportunity_type
    where
        pipeline_bridge.pipeline_month is null
        or monthly_totals.pipeline_month is null
        or pipeline_bridge.snapshot_date != monthly_totals.snapshot_date
        or pipeline_bridge.closing_count != monthly_totals.opportunity_count
        or pipeline_bridge.closing_tcv_usd != monthly_totals.tcv_usd

)

select * from final

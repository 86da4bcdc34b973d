-- In fct_pipeline_bridge each month's closing pipeline is the next month's opening, per
-- opportunity type, in count and TCV, and the first month opens at 0 (there is no earlier
-- snapshot). Returns the months and types that break this.

with

pipeline_bridge as (

    select * from {{ ref('fct_pipeline_bridge') }}

),

first_month as (

    select min(pipeline_month) as pipeline_month
    from pipeline_bridge

),

bridge_with_previous as (

    select
        pipeline_bridge.pipeline_month,
        pipeline_bridge.opportunity_type,
        pipeline_bridge.opening_count,
        pipeline_bridge.opening_tcv_usd,
        previous_month.pipeline_month as previous_month,
        coalesce(previous_month.closing_count, 0) as previous_closing_count,
        coalesce(previous_month.closing_tcv_usd, 0) as previous_closing_tcv_usd,
        pipeline_bridge.pipeline_month = first_month.pipeline_month as is_first_month
    from pipeline_bridge
    cross join first_month
    left join pipeline_bridge as previous_month
        on
            pipeline_bridge.opportunity_type = previous_month.opportunity_type
            and previous_month.pipeline_month
            = cast({{ dbt.dateadd('month', -1, 'pipeline_bridge.pipeline_month') }} as date)

),

final as (

    select *
    from bridge_with_previous
    where
        (previous_month is null) != is_first_month
        or opening_count != previous_closing_count
        or opening_tcv_usd != previous_closing_tcv_usd

)

select * from final

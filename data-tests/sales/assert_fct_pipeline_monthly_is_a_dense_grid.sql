-- fct_pipeline_monthly has every open stage and every opportunity type in every month of the
-- spine, and only open stages: as many rows as months times open stages times types, none of them
-- in a stage that is closed (or unknown) in the opportunity_stages seed. Returns a row when the
-- counts differ, and the rows whose stage is not an open one.

with

pipeline_monthly as (

    select * from {{ ref('fct_pipeline_monthly') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

pipeline_rows as (

    select count(*) as row_count
    from pipeline_monthly

),

months as (

    select count(*) as month_count
    from month_spine

),

open_stages as (

    select count(*) as stage_count
    from opportunity_stages
    where not is_closed

),

opportunity_types as (

    select count(distinct opportunity_type) as type_count
    from pipeline_monthly

),

count_mismatches as (

    select
        'row count' as failure,
        cast(pipeline_rows.row_count as {{ dbt.type_string() }}) as detail
    from pipeline_rows
    cross join months
    cross join open_stages
    cross join opportunity_types
    where
        pipeline_rows.row_count
        != months.month_count * open_stages.stage_count * {{ opportunity_types() | length }}
        -- Every type in a grid with rows; none in the empty grid of an empty spine.
        or opportunity_types.type_count
        != case when pipeline_rows.row_count = 0 then 0 else {{ opportunity_types() | length }} end

),

stages_not_open as (

    select
        'stage not open' as failure,
        pipeline_monthly.stage_name as detail
    from pipeline_monthly
    left join opportunity_stages
        on pipeline_monthly.stage_name = opportunity_stages.stage_name
    where opportunity_stages.is_closed is null or opportunity_stages.is_closed

),

final as (

    select * from count_mismatches
    union all
    select * from stages_not_open

)

select * from final

-- fct_pipeline_monthly has every open stage in every month of the spine: as many rows as months
-- times open stages. Returns a row when the counts differ.

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

final as (

    select
        pipeline_rows.row_count,
        months.month_count,
        open_stages.stage_count
    from pipeline_rows
    cross join months
    cross join open_stages
    where pipeline_rows.row_count != months.month_count * open_stages.stage_count

)

select * from final

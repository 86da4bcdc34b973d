-- Nothing in the sales marts happened after the end of the as-of date (doc block sales__as_of):
-- no opportunity created, closed or worked on, no stage entered or left, no month or quarter
-- after it. (expected_close_at is a plan, not an event, and may lie later.)
-- Returns the offending rows.

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

pipeline_monthly as (

    select * from {{ ref('fct_pipeline_monthly') }}

),

sales_performance as (

    select * from {{ ref('fct_sales_performance') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

opportunity_violations as (

    select
        'fct_opportunities' as model_name,
        cast(opportunities.opportunity_id as {{ dbt.type_string() }}) as row_key
    from opportunities
    cross join reporting_dates
    where
        opportunities.created_at >= reporting_dates.as_of_end_at
        or opportunities.closed_at >= reporting_dates.as_of_end_at
        or opportunities.last_activity_at >= reporting_dates.as_of_end_at

),

stage_violations as (

    select
        'fct_opportunity_stages' as model_name,
        cast(opportunity_stages.stage_history_id as {{ dbt.type_string() }}) as row_key
    from opportunity_stages
    cross join reporting_dates
    where
        opportunity_stages.entered_at >= reporting_dates.as_of_end_at
        or opportunity_stages.exited_at >= reporting_dates.as_of_end_at

),

pipeline_violations as (

    select
        'fct_pipeline_monthly' as model_name,
        cast(pipeline_monthly.pipeline_month as {{ dbt.type_string() }}) as row_key
    from pipeline_monthly
    cross join reporting_dates
    where pipeline_monthly.snapshot_date > reporting_dates.as_of_date

),

performance_violations as (

    select
        'fct_sales_performance' as model_name,
        cast(sales_performance.quarter_start_date as {{ dbt.type_string() }}) as row_key
    from sales_performance
    cross join reporting_dates
    where sales_performance.quarter_start_date > reporting_dates.as_of_date

),

final as (

    select * from opportunity_violations
    union all
    select * from stage_violations
    union all
    select * from pipeline_violations
    union all
    select * from performance_violations

)

select * from final

-- Summed over owners and quarters, fct_sales_performance accounts for every opportunity of
-- fct_opportunities (which holds those created by the as-of date, stated as of then): all
-- created, all won, all lost or disqualified, and the pipeline created. Returns a row when a total
-- differs.

with

sales_performance as (

    select * from {{ ref('fct_sales_performance') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

performance_totals as (

    select
        coalesce(sum(opportunities_created), 0) as opportunities_created,
        coalesce(sum(opportunities_won), 0) as opportunities_won,
        coalesce(sum(opportunities_lost), 0) as opportunities_lost,
        coalesce(sum(pipeline_created_usd), 0) as pipeline_created_usd
    from sales_performance

),

opportunity_totals as (

    select
        count(*) as opportunities_created,
        coalesce(sum(case when is_won then 1 else 0 end), 0) as opportunities_won,
        coalesce(sum(case when is_closed and not is_won then 1 else 0 end), 0)
            as opportunities_lost,
        coalesce(sum(amount_usd), 0) as pipeline_created_usd
    from opportunities

),

final as (

    select
        performance_totals.opportunities_created as performance_created,
        opportunity_totals.opportunities_created,
        performance_totals.opportunities_won as performance_won,
        opportunity_totals.opportunities_won,
        performance_totals.opportunities_lost as performance_lost,
        opportunity_totals.opportunities_lost,
        performance_totals.pipeline_created_usd as performance_pipeline_usd,
        opportunity_totals.pipeline_created_usd as opportunities_pipeline_usd
    from performance_totals
    cross join opportunity_totals
    where
        performance_totals.opportunities_created != opportunity_totals.opportunities_created
        or performance_totals.opportunities_won != opportunity_totals.opportunities_won
        or performance_totals.opportunities_lost != opportunity_totals.opportunities_lost
        or performance_totals.pipeline_created_usd != opportunity_totals.pipeline_created_usd

)

select * from final

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

    {{ totals_that_differ('performance_totals', 'opportunity_totals', [
        'opportunities_created', 'opportunities_won', 'opportunities_lost', 'pipeline_created_usd',
    ]) }}

)

select * from final

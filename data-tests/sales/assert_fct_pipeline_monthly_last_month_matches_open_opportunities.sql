-- The pipeline rebuilt from stage history for the as-of month (taken at the end of the as-of
-- date) must be the open pipeline of fct_opportunities, which is stated as of the same moment by
-- the same stage rule: per open stage, the same number of opportunities and the same USD amount.
-- (Weighted amounts differ on purpose: fct_pipeline_monthly weighs by the stage's default
-- probability, fct_opportunities by the deal's own.) Returns the stages that disagree.

with

pipeline_monthly as (

    select * from {{ ref('fct_pipeline_monthly') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

last_month as (

    select pipeline_monthly.*
    from pipeline_monthly
    cross join reporting_dates
    where pipeline_monthly.pipeline_month = reporting_dates.as_of_month

),

open_opportunities as (

    select
        opportunities.stage,
        count(*) as opportunity_count,
        sum(opportunities.tcv_usd) as amount_usd
    from opportunities
    where not opportunities.is_closed
    group by opportunities.stage

),

final as (

    select
        coalesce(last_month.stage_name, open_opportunities.stage) as stage_name,
        last_month.opportunity_count as pipeline_count,
        open_opportunities.opportunity_count as open_count,
        last_month.amount_usd as pipeline_amount_usd,
        open_opportunities.amount_usd as open_amount_usd
    from last_month
    full outer join open_opportunities
        on last_month.stage_name = open_opportunities.stage
    where
        coalesce(last_month.opportunity_count, 0)
        != coalesce(open_opportunities.opportunity_count, 0)
        or coalesce(last_month.amount_usd, 0) != coalesce(open_opportunities.amount_usd, 0)

)

select * from final

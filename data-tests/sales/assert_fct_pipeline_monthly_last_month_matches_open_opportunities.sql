-- The pipeline rebuilt from stage history for the as-of month (taken at the end of the as-of
-- date) must be the open pipeline of fct_opportunities, which is stated as of the same moment by
-- the same stage rule: per open stage and opportunity type, the same number of opportunities and
-- the same TCV. The open deals' ACV in fct_opportunities is their TCV too (no booked term yet),
-- which is why fct_pipeline_monthly carries no ACV column. (Weighted values differ on purpose:
-- fct_pipeline_monthly weighs by the stage's default probability, fct_opportunities by the deal's
-- own.) Returns the stages and types that disagree.

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
        opportunities.opportunity_type,
        count(*) as opportunity_count,
        sum(opportunities.tcv_usd) as tcv_usd,
        sum(opportunities.acv_usd) as acv_usd
    from opportunities
    where not opportunities.is_closed
    group by
        opportunities.stage,
        opportunities.opportunity_type

),

final as (

    select
        coalesce(last_month.stage_name, open_opportunities.stage) as stage_name,
        coalesce(last_month.opportunity_type, open_opportunities.opportunity_type)
            as opportunity_type,
        last_month.opportunity_count as pipeline_count,
        open_opportunities.opportunity_count as open_count,
        last_month.tcv_usd as pipeline_tcv_usd,
        open_opportunities.tcv_usd as open_tcv_usd,
        open_opportunities.acv_usd as open_acv_usd
    from last_month
    full outer join open_opportunities
        on
            last_month.stage_name = open_opportunities.stage
            and last_month.opportunity_type = open_opportunities.opportunity_type
    where
        coalesce(last_month.opportunity_count, 0)
        != coalesce(open_opportunities.opportunity_count, 0)
        or coalesce(last_month.tcv_usd, 0) != coalesce(open_opportunities.tcv_usd, 0)
        or coalesce(last_month.tcv_usd, 0) != coalesce(open_opportunities.acv_usd, 0)

)

select * from final

-- Summed over owners and quarters, fct_sales_performance accounts, per opportunity type, for every
-- opportunity of fct_opportunities (which holds those created by the as-of date, stated as of
-- then): all created, won, lost and disqualified, their values and the pipeline created, each
-- under its own type. Returns the types whose totals differ.

with

sales_performance as (

    select * from {{ ref('fct_sales_performance') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

performance_by_type as (

    select
        opportunity_type,
        sum(opportunities_created) as opportunities_created,
        sum(opportunities_won) as opportunities_won,
        sum(opportunities_lost) as opportunities_lost,
        sum(opportunities_disqualified) as opportunities_disqualified,
        sum(won_acv_usd) as won_acv_usd,
        sum(won_tcv_usd) as won_tcv_usd,
        sum(lost_tcv_usd) as lost_tcv_usd,
        sum(disqualified_tcv_usd) as disqualified_tcv_usd,
        sum(pipeline_created_tcv_usd) as pipeline_created_tcv_usd
    from sales_performance
    group by opportunity_type

),

opportunities_by_type as (

    select
        opportunity_type,
        count(*) as opportunities_created,
        sum(case when close_outcome = 'closed_won' then 1 else 0 end) as opportunities_won,
        sum(case when close_outcome = 'closed_lost' then 1 else 0 end) as opportunities_lost,
        sum(case when close_outcome = 'disqualified' then 1 else 0 end)
            as opportunities_disqualified,
        sum(case when close_outcome = 'closed_won' then acv_usd else 0 end) as won_acv_usd,
        sum(case when close_outcome = 'closed_won' then tcv_usd else 0 end) as won_tcv_usd,
        sum(case when close_outcome = 'closed_lost' then tcv_usd else 0 end) as lost_tcv_usd,
        sum(case when close_outcome = 'disqualified' then tcv_usd else 0 end)
            as disqualified_tcv_usd,
        sum(tcv_usd) as pipeline_created_tcv_usd
    from opportunities
    group by opportunity_type

),

-- A type with no opportunity has zeros in the mart and no row in fct_opportunities.
compared as (

    select
        coalesce(performance_by_type.opportunity_type, opportunities_by_type.opportunity_type)
            as opportunity_type,
        coalesce(performance_by_type.opportunities_created, 0) as opportunities_created,
        coalesce(opportunities_by_type.opportunities_created, 0)
            as expected_opportunities_created,
        coalesce(performance_by_type.opportunities_won, 0) as opportunities_won,
        coalesce(opportunities_by_type.opportunities_won, 0) as expected_opportunities_won,
        coalesce(performance_by_type.opportunities_lost, 0) as opportunities_lost,
        coalesce(opportunities_by_type.opportunities_lost, 0) as expected_opportunities_lost,
        coalesce(performance_by_type.opportunities_disqualified, 0)
            as opportunities_disqualified,
        coalesce(opportunities_by_type.opportunities_disqualified, 0)
            as expected_opportunities_disqualified,
        coalesce(performance_by_type.won_acv_usd, 0) as won_acv_usd,
        coalesce(opportunities_by_type.won_acv_usd, 0) as expected_won_acv_usd,
        coalesce(performance_by_type.won_tcv_usd, 0) as won_tcv_usd,
        coalesce(opportunities_by_type.won_tcv_usd, 0) as expected_won_tcv_usd,
        coalesce(performance_by_type.lost_tcv_usd, 0) as lost_tcv_usd,
        coalesce(opportunities_by_type.lost_tcv_usd, 0) as expected_lost_tcv_usd,
        coalesce(performance_by_type.disqualified_tcv_usd, 0) as disqualified_tcv_usd,
        coalesce(opportunities_by_type.disqualified_tcv_usd, 0) as expected_disqualified_tcv_usd,
        coalesce(performance_by_type.pipeline_created_tcv_usd, 0) as pipeline_created_tcv_usd,
        coalesce(opportunities_by_type.pipeline_created_tcv_usd, 0)
            as expected_pipeline_created_tcv_usd
    from performance_by_type
    full outer join opportunities_by_type
        on performance_by_type.opportunity_type = opportunities_by_type.opportunity_type

),

final as (

    select *
    from compared
    where
        opportunities_created != expected_opportunities_created
        or opportunities_won != expected_opportunities_won
        or opportunities_lost != expected_opportunities_lost
        or opportunities_disqualified != expected_opportunities_disqualified
        or won_acv_usd != expected_won_acv_usd
        or won_tcv_usd != expected_won_tcv_usd
        or lost_tcv_usd != expected_lost_tcv_usd
        or disqualified_tcv_usd != expected_disqualified_tcv_usd
        or pipeline_created_tcv_usd != expected_pipeline_created_tcv_usd

)

select * from final

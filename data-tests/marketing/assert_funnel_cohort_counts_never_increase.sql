-- Down the funnel, every stage counts at most as many leads as the stage before it, in every
-- cohort. Returns the cohorts that break this.

with

funnel_cohorts as (

    select * from {{ ref('fct_funnel_cohorts') }}

),

final as (

    select
        cohort_month,
        lead_source,
        lead_count,
        mql_count,
        contact_count,
        opportunity_count,
        won_count
    from funnel_cohorts
    where
        mql_count > lead_count
        or contact_count > mql_count
        or opportunity_count > contact_count
        or won_count > opportunity_count
        or won_count < 0

)

select * from final

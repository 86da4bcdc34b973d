-- In every cohort (cohort month and lead source), each funnel stage counts at most as many leads
-- as the stage before it, the leads flagged an MQL are among those that reached `mql`, and for
-- each deal type the won leads are among the leads with an opportunity of that type. Returns the
-- cohorts where a count grows down the funnel.

with

funnel_cohorts as (

    select * from {{ ref('fct_funnel_cohorts') }}

),

final as (

    select
        cohort_month,
        lead_source,
        lead_count,
        mql_flagged_count,
        mql_count,
        contact_count,
        opportunity_count,
        won_count,
        new_business_opportunity_count,
        new_business_won_count,
        win_back_opportunity_count,
        win_back_won_count
    from funnel_cohorts
    where
        not (
            mql_count <= lead_count
            and mql_flagged_count <= mql_count
            and contact_count <= mql_count
            and opportunity_count <= contact_count
            and won_count <= opportunity_count
            and won_count >= 0
            and new_business_won_count <= new_business_opportunity_count
            and win_back_won_count <= win_back_opportunity_count
            and new_business_won_count >= 0
            and win_back_won_count >= 0
        )

)

select * from final

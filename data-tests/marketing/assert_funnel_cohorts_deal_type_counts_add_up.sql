-- In every cohort (cohort month and lead source), the deal-type columns split the stage counts:
-- the leads with a new-business and with a win-back opportunity add up to the leads that reached
-- `opportunity`, and the won leads of the two types add up to the leads that reached `won`.
-- Returns the cohorts where a split does not add up.

with

funnel_cohorts as (

    select * from {{ ref('fct_funnel_cohorts') }}

),

final as (

    select
        cohort_month,
        lead_source,
        opportunity_count,
        new_business_opportunity_count,
        win_back_opportunity_count,
        won_count,
        new_business_won_count,
        win_back_won_count
    from funnel_cohorts
    where
        new_business_opportunity_count + win_back_opportunity_count != opportunity_count
        or new_business_won_count + win_back_won_count != won_count

)

select * from final

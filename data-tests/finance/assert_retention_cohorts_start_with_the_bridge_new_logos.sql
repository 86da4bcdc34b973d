-- Each cohort starts with the accounts the MRR bridge counts as new in its month, at the new MRR
-- the bridge counts, and every month with new logos has its cohort.
-- Returns the months that break this.

with

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

retention_cohorts as (

    select * from {{ ref('fct_retention_cohorts') }}

),

cohort_starts as (

    select
        cohort_month,
        cohort_logos,
        cohort_starting_mrr
    from retention_cohorts
    where months_since_start = 0

),

final as (

    select
        coalesce(mrr_bridge.mrr_month, cohort_starts.cohort_month) as month_start_date,
        mrr_bridge.new_logos,
        cohort_starts.cohort_logos,
        mrr_bridge.new_mrr,
        cohort_starts.cohort_starting_mrr
    from mrr_bridge
    full outer join cohort_starts
        on mrr_bridge.mrr_month = cohort_starts.cohort_month
    where
        coalesce(mrr_bridge.new_logos, 0) != coalesce(cohort_starts.cohort_logos, 0)
        or coalesce(mrr_bridge.new_mrr, 0) != coalesce(cohort_starts.cohort_starting_mrr, 0)

)

select * from final

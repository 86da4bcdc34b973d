-- fct_leads has exactly one row per lead of the CRM created by the as-of date that is not a form
-- double-submit, and the submissions folded into them add up to all the CRM's leads created by
-- then. Returns a row when either differs.

with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

funnel_leads as (

    select * from {{ ref('fct_leads') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

crm_counts as (

    select
        count(*) as crm_leads,
        sum(case when leads.is_duplicate_submission then 0 else 1 end) as crm_original_leads
    from leads
    cross join reporting_dates
    where leads.created_at < reporting_dates.as_of_end_at

),

funnel_counts as (

    select
        count(*) as funnel_leads,
        sum(submission_count) as funnel_submissions
    from funnel_leads

),

final as (

    select
        crm_counts.crm_leads,
        crm_counts.crm_original_leads,
        funnel_counts.funnel_leads,
        funnel_counts.funnel_submissions
    from crm_counts
    cross join funnel_counts
    where
        coalesce(crm_counts.crm_original_leads, 0) != funnel_counts.funnel_leads
        or crm_counts.crm_leads != coalesce(funnel_counts.funnel_submissions, 0)

)

select * from final

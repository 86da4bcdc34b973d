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
        coalesce(sum(case when leads.is_duplicate_submission then 0 else 1 end), 0)
            as original_leads,
        count(*) as submissions
    from leads
    cross join reporting_dates
    where leads.created_at < reporting_dates.as_of_end_at

),

funnel_counts as (

    select
        count(*) as original_leads,
        coalesce(sum(submission_count), 0) as submissions
    from funnel_leads

),

final as (

    {{ totals_that_differ('crm_counts', 'funnel_counts', ['original_leads', 'submissions']) }}

)

select * from final

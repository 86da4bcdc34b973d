{#- The lead submissions known at the end of the as-of date, each with the original lead it is
    folded into. A double-submit is always created after its original, so leaving out the later
    submissions never orphans one. -#}
with

lead_submissions as (

    select * from {{ ref('int_leads_mapped_to_original') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

lead_submissions_by_as_of as (

    select lead_submissions.*
    from lead_submissions
    cross join reporting_dates
    where lead_submissions.created_at < reporting_dates.as_of_end_at

),

final as (

    select
        -- ids
        lead_id,
        original_lead_id,
        owner_id,
        account_id,

        -- strings
        email,
        lead_source,

        -- booleans
        is_mql,
        is_duplicate_submission,

        -- timestamps
        created_at

    from lead_submissions_by_as_of

)

select * from final

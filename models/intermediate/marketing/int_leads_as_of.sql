{#- The lead submissions known at the end of the as-of date, each with the original lead it is
    folded into. Staging flags a submission as a duplicate of the one immediately before it (same
    email and lead source, ordered by created_at then lead_id), so a run of quick submissions is a
    chain; numbering the runs maps every link of a chain, however long, to the run's first
    submission without recursion. Both windows look only at earlier submissions, all known when a
    later one is, so the submissions known by then map as they would among all of them, and none
    is orphaned: a double-submit is always created after its original. -#}
with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

leads_by_as_of as (

    select leads.*
    from leads
    cross join reporting_dates
    where leads.created_at < reporting_dates.as_of_end_at

),

submission_runs as (

    select
        *,
        sum(case when is_duplicate_submission then 0 else 1 end) over (
            partition by email, lead_source
            order by created_at, lead_id
            rows between unbounded preceding and current row
        ) as submission_run_number
    from leads_by_as_of

),

runs_with_original as (

    select
        *,
        first_value(lead_id) over (
            partition by email, lead_source, submission_run_number
            order by created_at, lead_id
            rows between unbounded preceding and current row
        ) as original_lead_id
    from submission_runs

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

    from runs_with_original

)

select * from final

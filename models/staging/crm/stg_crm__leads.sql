{#- A lead is a double-submit when a lead with the same email and lead source was created at most
    this many seconds earlier. Counted in seconds: datediff counts unit boundaries crossed, so a
    check in minutes would be off by up to a minute. -#}
{%- set duplicate_window_seconds = 10 * 60 -%}

with

leads as (

    {{ typed_source('crm', 'leads') }}

),

cleaned as (

    select
        lead_id,
        owner_id,
        account_id,
        {{ clean_email('email') }} as email,
        lead_source,
        is_marketing_qualified as is_mql,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at
    from leads

),

with_previous_submission as (

    select
        *,
        lag(lead_id) over (
            partition by email, lead_source
            order by created_at, lead_id
        ) as previous_lead_id,
        lag(created_at) over (
            partition by email, lead_source
            order by created_at, lead_id
        ) as previous_created_at
    from cleaned

),

duplicates_flagged as (

    select
        *,
        coalesce(
            email is not null
            and {{ dbt.datediff('previous_created_at', 'created_at', 'second') }}
            <= {{ duplicate_window_seconds }},
            false
        ) as is_duplicate_submission
    from with_previous_submission

),

final as (

    select
        -- ids
        lead_id,
        owner_id,
        account_id,
        case
            when is_duplicate_submission then previous_lead_id
        end as duplicate_of_lead_id,

        -- strings
        email,
        lead_source,

        -- booleans
        is_mql,
        is_duplicate_submission,

        -- timestamps
        created_at

    from duplicates_flagged

)

select * from final

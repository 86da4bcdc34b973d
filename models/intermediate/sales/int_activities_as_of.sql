{#- The sales activities known at the end of the as-of date: those that took place before the
    midnight that ends it. -#}
with

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

activities_by_as_of as (

    select activities.*
    from activities
    cross join reporting_dates
    where activities.occurred_at < reporting_dates.as_of_end_at

),

final as (

    select
        -- ids
        activity_id,
        opportunity_id,
        contact_id,

        -- strings
        activity_type,
        direction,
        outcome,

        -- numerics
        duration_seconds,

        -- timestamps
        occurred_at

    from activities_by_as_of

)

select * from final

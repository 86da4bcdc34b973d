{#- The contacts known at the end of the as-of date: a lead counts as converted only by a contact
    created before the midnight that ends it. -#}
with

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

contacts_by_as_of as (

    select contacts.*
    from contacts
    cross join reporting_dates
    where contacts.created_at < reporting_dates.as_of_end_at

),

final as (

    select
        -- ids
        contact_id,
        lead_id,
        account_id,

        -- strings
        email,
        title,
        geo,

        -- timestamps
        created_at

    from contacts_by_as_of

)

select * from final

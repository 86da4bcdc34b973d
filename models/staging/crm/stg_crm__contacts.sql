with

contacts as (

    select * from {{ source('crm', 'contacts') }}

),

final as (

    select
        -- ids
        cast(contact_id as {{ type_uuid() }}) as contact_id,
        cast(lead_id as {{ type_uuid() }}) as lead_id,
        cast(account_id as {{ type_uuid() }}) as account_id,

        -- strings
        {{ clean_email('email') }} as email,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(geo as {{ dbt.type_string() }}) as geo,

        -- timestamps
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at

    from contacts

)

select * from final

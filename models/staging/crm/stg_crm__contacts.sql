with

contacts as (

    {{ typed_source('crm', 'contacts') }}

),

final as (

    select
        -- ids
        contact_id,
        lead_id,
        account_id,

        -- strings
        {{ clean_email('email') }} as email,
        title,
        geo,

        -- timestamps
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at

    from contacts

)

select * from final

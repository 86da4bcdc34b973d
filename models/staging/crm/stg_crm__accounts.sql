with

accounts as (

    {{ typed_source('crm', 'accounts') }}

),

final as (

    select
        -- ids
        account_id,

        -- strings
        name as account_name,
        industry,
        region,
        case
            when annual_revenue is null then null
            when annual_revenue < 50000000 then 'smb'
            when annual_revenue < 1000000000 then 'mid_market'
            else 'enterprise'
        end as size_band,

        -- numerics
        annual_revenue as annual_revenue_usd,

        -- timestamps
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at

    from accounts

)

select * from final

with

accounts as (

    select * from {{ source('crm', 'accounts') }}

),

typed as (

    select
        cast(account_id as {{ type_uuid() }}) as account_id,
        cast(name as {{ dbt.type_string() }}) as account_name,
        cast(industry as {{ dbt.type_string() }}) as industry,
        cast(region as {{ dbt.type_string() }}) as region,
        cast(annual_revenue as decimal(15, 2)) as annual_revenue_usd,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at
    from accounts

),

final as (

    select
        -- ids
        account_id,

        -- strings
        account_name,
        industry,
        region,
        case
            when annual_revenue_usd is null then null
            when annual_revenue_usd < 50000000 then 'smb'
            when annual_revenue_usd < 1000000000 then 'mid_market'
            else 'enterprise'
        end as size_band,

        -- numerics
        annual_revenue_usd,

        -- timestamps
        created_at

    from typed

)

select * from final

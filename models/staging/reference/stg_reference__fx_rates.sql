with

fx_rates as (

    select * from {{ ref('fx_rates') }}

),

final as (

    select
        -- strings
        currency_code,

        -- numerics
        rate_to_usd

    from fx_rates

)

select * from final

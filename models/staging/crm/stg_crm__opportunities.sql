with

opportunities as (

    {{ typed_source('crm', 'opportunities') }}

),

fx_rates as (

    -- A deliberate exception to "no joins in staging" (also in stg_billing__orders): amounts are
    -- wanted in USD next to the original currency, and the rates are a seed, not a staging model.
    select * from {{ ref('fx_rates') }}

),

cleaned as (

    select
        opportunity_id,
        account_id,
        owner_id,
        campaign_id,
        stage,
        lead_source,
        close_outcome,
        product_line,
        {{ clean_currency_code('currency') }} as currency,
        amount,
        stage_probability,
        coalesce(is_closed, false) as is_closed,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(close_date as {{ dbt.type_timestamp() }}) as close_date
    from opportunities

),

final as (

    select
        -- ids
        cleaned.opportunity_id,
        cleaned.account_id,
        cleaned.owner_id,
        cleaned.campaign_id,

        -- strings
        cleaned.stage,
        cleaned.lead_source,
        cleaned.close_outcome,
        cleaned.product_line,
        cleaned.currency,

        -- numerics
        cleaned.amount,
        {{ to_usd('cleaned.amount', 'fx_rates.rate_to_usd') }} as amount_usd,
        cleaned.stage_probability,

        -- booleans
        cleaned.is_closed,

        -- timestamps
        cleaned.created_at,
        case when cleaned.is_closed then cleaned.close_date end as closed_at,
        case when not cleaned.is_closed then cleaned.close_date end as expected_close_at

    from cleaned
    left join fx_rates
        on cleaned.currency = fx_rates.currency_code

)

select * from final

with

opportunities as (

    select * from {{ source('crm', 'opportunities') }}

),

fx_rates as (

    -- A deliberate exception to "no joins in staging" (also in stg_billing__orders): amounts are
    -- wanted in USD next to the original currency, and the rates are a seed, not a staging model.
    select * from {{ ref('fx_rates') }}

),

cleaned as (

    select
        cast(opportunity_id as {{ type_uuid() }}) as opportunity_id,
        cast(account_id as {{ type_uuid() }}) as account_id,
        cast(owner_id as {{ type_uuid() }}) as owner_id,
        cast(campaign_id as {{ type_uuid() }}) as campaign_id,
        cast(stage as {{ dbt.type_string() }}) as stage,
        cast(lead_source as {{ dbt.type_string() }}) as lead_source,
        cast(close_outcome as {{ dbt.type_string() }}) as close_outcome,
        cast(product_line as {{ dbt.type_string() }}) as product_line,
        {{ clean_currency_code('currency') }} as currency,
        cast(amount as decimal(15, 2)) as amount,
        cast(stage_probability as decimal(5, 2)) as stage_probability,
        coalesce(cast(is_closed as {{ dbt.type_boolean() }}), false) as is_closed,
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

with

billing_orders as (

    {{ typed_source('billing', 'billing_orders') }}

),

fx_rates as (

    -- Same deliberate exception as in stg_crm__opportunities: USD next to the original currency.
    select * from {{ ref('fx_rates') }}

),

cleaned as (

    select
        order_id,
        account_id,
        opportunity_id,
        {{ clean_currency_code('currency') }} as currency,
        amount,
        cast(term_months as {{ dbt.type_int() }}) as term_months,
        cast(order_date as {{ dbt.type_timestamp() }}) as ordered_at,
        coalesce(cast(service_start_date as date), cast(order_date as date)) as service_start_date
    from billing_orders

),

final as (

    select
        -- ids
        cleaned.order_id,
        cleaned.account_id,
        cleaned.opportunity_id,

        -- strings
        cleaned.currency,

        -- numerics
        cleaned.amount,
        {{ to_usd('cleaned.amount', 'fx_rates.rate_to_usd') }} as amount_usd,
        cleaned.term_months,

        -- dates and timestamps
        cleaned.ordered_at,
        cleaned.service_start_date,
        cast(
            {{ dbt.dateadd('month', 'cleaned.term_months', 'cleaned.service_start_date') }} as date
        ) as service_end_date

    from cleaned
    left join fx_rates
        on cleaned.currency = fx_rates.currency_code

)

select * from final

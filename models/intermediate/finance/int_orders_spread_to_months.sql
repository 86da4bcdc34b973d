{#- Each billing order spread over the calendar months of its term, in whole cents: the first
    (cents mod term) months carry one cent more, so the pieces add up to the order exactly.
    Month offsets come from a digits cross join (portable, no generate_series): terms up to
    1,000 months. -#}
with

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

digits as (

    {% for digit in range(10) -%}
        select {{ digit }} as digit
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

month_offsets as (

    select hundreds.digit * 100 + tens.digit * 10 + ones.digit as month_offset
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

-- Orders without a USD amount or a term cannot be spread (staging tests flag them).
orders_in_cents as (

    select
        order_id,
        account_id,
        opportunity_id,
        ordered_at,
        term_months,
        amount_usd,
        cast({{ dbt.date_trunc('month', 'ordered_at') }} as date) as order_month,
        cast(round(amount_usd * 100, 0) as {{ dbt.type_bigint() }}) as amount_cents
    from orders
    where
        amount_usd is not null
        and term_months >= 1

),

orders_with_base_cents as (

    select
        *,
        -- floor() of an exact division, so integer division semantics never matter.
        cast(
            floor(cast(amount_cents as {{ dbt.type_numeric() }}) / term_months)
            as {{ dbt.type_bigint() }}
        ) as base_cents
    from orders_in_cents

),

order_months as (

    select
        orders_with_base_cents.order_id,
        orders_with_base_cents.account_id,
        orders_with_base_cents.opportunity_id,
        orders_with_base_cents.ordered_at,
        orders_with_base_cents.order_month,
        orders_with_base_cents.term_months,
        orders_with_base_cents.amount_usd,
        month_offsets.month_offset,
        orders_with_base_cents.base_cents
        + case
            when
                month_offsets.month_offset
                < orders_with_base_cents.amount_cents
                - orders_with_base_cents.base_cents * orders_with_base_cents.term_months
                then 1
            else 0
        end as monthly_cents
    from orders_with_base_cents
    inner join month_offsets
        on orders_with_base_cents.term_months > month_offsets.month_offset

),

final as (

    select
        -- ids
        order_id,
        account_id,
        opportunity_id,

        -- numerics
        month_offset,
        term_months,
        amount_usd,
        cast(monthly_cents / 100.0 as decimal(18, 2)) as monthly_amount_usd,

        -- dates and timestamps
        cast({{ dbt.dateadd('month', 'month_offset', 'order_month') }} as date) as mrr_month,
        ordered_at

    from order_months

)

select * from final

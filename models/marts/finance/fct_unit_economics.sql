{#- Unit economics over the trailing 12 months ending each month, the last row being the as-of
    month: marketing CAC, CAC payback (on the new customers' ARPA) and LTV (on the window's ARPA
    and churn), each beside its additive numerator and denominator (doc block
    finance__unit_economics). The gross margin is the var `gross_margin`, checked here. -#}
{%- set gross_margin = var('gross_margin') -%}
{%- if gross_margin is sameas true or gross_margin is sameas false
    or gross_margin is not number or gross_margin <= 0 or gross_margin > 1 -%}
    {{ exceptions.raise_compiler_error(
        "var gross_margin must be a number above 0 and at most 1, got " ~ gross_margin
    ) }}
{%- endif %}
{%- set trailing_window = 'order by month_start_date rows between 11 preceding and current row' %}

with

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

-- Marketing events known by the as-of date (int_marketing_events_as_of).
marketing_events as (

    select * from {{ ref('int_marketing_events_as_of') }}

),

monthly_spend as (

    select
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as spend_month,
        sum(cost_usd) as marketing_spend_usd
    from marketing_events
    where cost_usd is not null
    group by {{ dbt.date_trunc('month', 'occurred_at') }}

),

-- The bridge's months, from the first with MRR to the as-of month, with no gap (test
-- assert_mrr_bridge_months_chain): the 12 rows up to a month are the 12 months up to it.
monthly_inputs as (

    select
        mrr_bridge.mrr_month as month_start_date,
        coalesce(monthly_spend.marketing_spend_usd, 0) as marketing_spend_usd,
        mrr_bridge.new_logos + mrr_bridge.reactivated_logos as new_customers,
        mrr_bridge.new_mrr + mrr_bridge.reactivation_mrr as new_customer_mrr,
        mrr_bridge.churned_logos,
        mrr_bridge.starting_customers,
        mrr_bridge.ending_mrr,
        mrr_bridge.active_customers
    from mrr_bridge
    left join monthly_spend
        on mrr_bridge.mrr_month = monthly_spend.spend_month

),

trailing_12_months as (

    select
        month_start_date as window_end_month,
        min(month_start_date) over ({{ trailing_window }}) as window_start_month,
        count(*) over ({{ trailing_window }}) as window_months,
        sum(marketing_spend_usd) over ({{ trailing_window }}) as marketing_spend_usd,
        sum(new_customers) over ({{ trailing_window }}) as new_customers,
        sum(new_customer_mrr) over ({{ trailing_window }}) as new_customer_mrr,
        sum(churned_logos) over ({{ trailing_window }}) as churned_logos,
        sum(starting_customers) over ({{ trailing_window }}) as starting_customers,
        sum(ending_mrr) over ({{ trailing_window }}) as account_months_mrr,
        sum(active_customers) over ({{ trailing_window }}) as account_months,
        max(month_start_date) over () as last_month
    from monthly_inputs

),

ratios as (

    select
        *,
        marketing_spend_usd
        / cast(nullif(new_customers, 0) as {{ type_double() }}) as marketing_cac_usd,
        new_customer_mrr
        / cast(nullif(new_customers, 0) as {{ type_double() }}) as new_customer_arpa_mrr,
        marketing_spend_usd
        / cast(nullif(new_customer_mrr, 0) * {{ gross_margin }} as {{ type_double() }})
            as cac_payback_months,
        account_months_mrr
        / cast(nullif(account_months, 0) as {{ type_double() }}) as window_arpa_mrr,
        churned_logos
        / cast(nullif(starting_customers, 0) as {{ type_double() }}) as monthly_logo_churn_rate
    from trailing_12_months

),

final as (

    select
        -- dates
        ratios.window_end_month,
        ratios.window_start_month,

        -- numerics: counts and sums over the window
        cast(ratios.window_months as {{ dbt.type_int() }}) as window_months,
        cast(ratios.marketing_spend_usd as decimal(18, 2)) as marketing_spend_usd,
        cast(ratios.new_customers as {{ dbt.type_int() }}) as new_customers,
        cast(ratios.new_customer_mrr as decimal(18, 2)) as new_customer_mrr,
        cast(ratios.churned_logos as {{ dbt.type_int() }}) as churned_logos,
        cast(ratios.starting_customers as {{ dbt.type_int() }}) as starting_customers,

        cast(ratios.account_months_mrr as decimal(18, 2)) as account_months_mrr,
        cast(ratios.account_months as {{ dbt.type_int() }}) as account_months,

        -- numerics: ratios
        cast({{ gross_margin }} as {{ type_double() }}) as gross_margin,
        cast(ratios.marketing_cac_usd as {{ type_double() }}) as marketing_cac_usd,
        cast(ratios.new_customer_arpa_mrr as {{ type_double() }}) as new_customer_arpa_mrr,
        cast(ratios.cac_payback_months as {{ type_double() }}) as cac_payback_months,
        cast(ratios.window_arpa_mrr as {{ type_double() }}) as window_arpa_mrr,
        cast(ratios.monthly_logo_churn_rate as {{ type_double() }}) as monthly_logo_churn_rate,
        cast(
            ratios.window_arpa_mrr * {{ gross_margin }}
            / nullif(ratios.monthly_logo_churn_rate, 0) as {{ type_double() }}
        ) as ltv_usd,

        -- booleans
        ratios.window_end_month = ratios.last_month as is_as_of_month

    from ratios

)

select * from final

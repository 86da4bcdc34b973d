-- Every ratio of fct_campaign_performance is the quotient of two additive columns of its own row,
-- under every attribution model: ROAS = revenue ACV / spend, cost per attributed opportunity =
-- spend / credit-weighted opportunities, CAC = spend / credit-weighted new customers won; each is
-- null exactly when its denominator is 0. So a roll-up that sums the two columns and divides
-- gets the same figure as the mart for a single row. Returns the rows and ratios that disagree
-- (relative difference above 1e-12).

with

campaign_performance as (

    select * from {{ ref('fct_campaign_performance') }}

),

ratios as (

    {% for attribution_model in attribution_models() -%}
        {%- set ratio_columns = [
            ('roas', attribution_model ~ '_revenue_acv_usd', 'spend_usd'),
            (
                'cost_per_attributed_opportunity_usd',
                'spend_usd',
                attribution_model ~ '_attributed_opportunities'
            ),
            ('cac_usd', 'spend_usd', attribution_model ~ '_attributed_new_customers'),
        ] -%}
        {%- set outer_loop = loop -%}
        {%- for ratio, numerator, denominator in ratio_columns %}
            select
                utm_source,
                utm_campaign,
                touch_month,
                '{{ attribution_model }}_{{ ratio }}' as ratio_name,
                {{ attribution_model }}_{{ ratio }} as ratio_value,
                cast({{ numerator }} as {{ type_double() }}) as numerator_value,
                cast({{ denominator }} as {{ type_double() }}) as denominator_value
            from campaign_performance
            {% if not (outer_loop.last and loop.last) %}union all{% endif %}
        {%- endfor %}
    {% endfor %}

),

final as (

    select *
    from ratios
    where
        (denominator_value = 0) != (ratio_value is null)
        or (
            denominator_value != 0
            and abs(ratio_value - numerator_value / denominator_value)
            > 1e-12 * abs(numerator_value / denominator_value)
        )

)

select * from final

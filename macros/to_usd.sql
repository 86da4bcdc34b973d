{% macro to_usd(amount, rate_to_usd) -%}
    {#- Amount converted at a USD rate, rounded to cents. decimal(18, 2) leaves room above the
        raw numeric(15, 2) for amounts in currencies worth more than a dollar. -#}
    cast(round({{ amount }} * {{ rate_to_usd }}, 2) as decimal(18, 2))
{%- endmacro %}

{% macro usd_scaled(amount_usd, numerator, denominator) -%}
    {#- A USD amount times numerator / denominator, rounded half up to the cent, as
        decimal(18, 2): floor((2 × cents × numerator + denominator) / (2 × denominator)) in whole
        cents. floor() of a real division, so integer division semantics never matter (exact for
        any amount below about 10^13 USD, where a double still holds every cent). -#}
    cast(
        floor(
            cast(
                2 * round({{ amount_usd }} * 100, 0) * ({{ numerator }}) + ({{ denominator }})
                as {{ dbt.type_numeric() }}
            )
            / (2 * ({{ denominator }}))
        ) / 100.0 as decimal(18, 2)
    )
{%- endmacro %}

{% macro median(expression) -%}
    {#- The median: the continuous percentile at 0.5 (the mean of the two middle values for an
        even count). -#}
    {{ return(percentile(expression, 0.5)) }}
{%- endmacro %}

{% macro percentile(expression, fraction) -%}
    {#- The continuous percentile (linear interpolation between the two nearest values) of an
        aggregate; fraction between 0 and 1, a literal. The values are read as doubles on every
        engine: DuckDB's quantile of a decimal keeps the decimal's scale (rounding the
        interpolated value), where PostgreSQL and Spark return the double. -#}
    {%- if fraction is not number or fraction < 0 or fraction > 1 -%}
        {{ exceptions.raise_compiler_error(
            "percentile: fraction must be a number from 0 to 1, got " ~ fraction
        ) }}
    {%- endif -%}
    {%- set value = "cast(" ~ expression ~ " as " ~ type_double() ~ ")" -%}
    {{ return(adapter.dispatch('percentile', 'salespipeline')(value, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro clean_currency_code(column) -%}
    {#- Trimmed, upper-cased ISO 4217 code ('eur ' -> 'EUR'); blank becomes null. -#}
    nullif(upper(trim({{ column }})), '')
{%- endmacro %}

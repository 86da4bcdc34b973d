{% macro clean_email(column) -%}
    {#- Trimmed, lower-cased email; blank becomes null. -#}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}

{% macro generate_schema_name(custom_schema_name, node) -%}
    {#- Use the custom schema name as is (raw, staging, marts, ...), not prefixed with the
        target schema; fall back to the target schema when a node has none. -#}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

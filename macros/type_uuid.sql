{% macro type_uuid() -%}
    {{ return(adapter.dispatch('type_uuid', 'salespipeline')()) }}
{%- endmacro %}

{% macro default__type_uuid() -%}
    uuid
{%- endmacro %}

{% macro spark__type_uuid() -%}
    string
{%- endmacro %}

{#- A column that a raw table may not have (added to the data model after files were written
    without it): its name when the relation has it, otherwise a null of the given type. -#}
{% macro optional_column(relation, column_name, data_type=none) %}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(relation)
            | map(attribute='name') | map('lower') | list -%}
        {%- if names and column_name | lower not in names -%}
            {{- return('cast(null as ' ~ (data_type or dbt.type_string()) ~ ')') -}}
        {%- endif -%}
    {%- endif -%}
    {{- return(column_name) -}}
{% endmacro %}

{#- Seed post-hook: add, as nulls, the columns that the seed declares in column_types but its file
    lacks (a file written before a column was added to the data model). Models then read every
    raw table with all of the data model's columns, whichever version of it wrote the file. Each
    column is added by a statement of its own, run here; the hook itself is then empty. -#}
{% macro add_missing_seed_columns() %}
    {%- if execute -%}
        {%- set present = adapter.get_columns_in_relation(this)
            | map(attribute='name') | map('lower') | list -%}
        {%- for name, data_type in (config.get('column_types') or {}).items() -%}
            {%- if name | lower not in present -%}
                {%- do run_query(
                    'alter table ' ~ this ~ ' add column ' ~ adapter.quote(name) ~ ' ' ~ data_type
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- return('') -}}
{% endmacro %}

{% macro typed_source(source_name, table_name) -%}
    {#- A raw table as the data model types it: select every column its source YAML declares, in
        that order, cast to the column's `data_type` (the data model's type names; see
        data_model_type). Staging reads raw data through this, so a table of text (CSV files read
        in place, another schema's varchar columns) stages exactly as dbt seed's typed tables. -#}
    {%- set relation = source(source_name, table_name) -%}
    {#- Unit tests compile without the graph's sources: their fixtures are already typed, from
        the raw table's own columns. -#}
    {%- set sources = graph.get('sources', {}) if execute else {} -%}
    {%- if sources -%}
        {%- set table = sources.values()
            | selectattr('source_name', 'equalto', source_name)
            | selectattr('name', 'equalto', table_name)
            | first -%}
        {%- if not table.columns -%}
            {{ exceptions.raise_compiler_error(
                "typed_source: source " ~ source_name ~ "." ~ table_name ~ " declares no columns"
            ) }}
        {%- endif %}
    select
        {%- for column in table.columns.values() %}
        cast({{ column.name }} as {{ data_model_type(column.data_type) }}) as {{ column.name }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    {%- else %}
    select * from {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- The one mapping from the project's type names to each warehouse's types, and where dbt takes
    declared types: the raw data model (sources), the seeds' column_types and the marts'
    contracts all write portable names (uuid, varchar, numeric(p,s), double, ...); these macros
    turn them into the target's types when dbt creates a seed table or checks a contract. -#}

{% macro data_model_type(name) -%}
    {#- The warehouse type of a project type name. -#}
    {%- set name = (name or '') | trim | lower -%}
    {%- set base = name.split('(')[0] | trim -%}
    {%- if name == 'uuid' -%} {{ type_uuid() }}
    {%- elif base in ('text', 'varchar', 'string') -%} {{ dbt.type_string() }}
    {%- elif base in ('numeric', 'decimal') and '(' in name -%}
        decimal({{ name.split('(')[1].rstrip(')').replace(' ', '').replace(',', ', ') }})
    {%- elif name == 'timestamp' -%} {{ dbt.type_timestamp() }}
    {%- elif name == 'date' -%} date
    {%- elif name == 'boolean' -%} {{ dbt.type_boolean() }}
    {%- elif name in ('int', 'integer') -%} {{ dbt.type_int() }}
    {%- elif name == 'bigint' -%} {{ dbt.type_bigint() }}
    {%- elif name == 'double' -%} {{ type_double() }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("data_model_type: unknown data-model type '" ~ name ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{% macro columns_in_warehouse_types(columns) -%}
    {#- A copy of a node's `columns` (name: column) with every declared data_type mapped. -#}
    {%- set mapped = {} -%}
    {%- for name, column in columns.items() -%}
        {%- if column.get('data_type') -%}
            {%- do mapped.update({name: dict(column, data_type=data_model_type(column['data_type']) | trim)}) -%}
        {%- else -%}
            {%- do mapped.update({name: column}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(mapped) }}
{%- endmacro %}

{#- dbt's own entry points, overridden here (a root project's macro wins over dbt's of the same
    name) only to map the declared types before dbt's adapter-specific implementation runs. -#}

{% macro seed_in_warehouse_types(model) -%}
    {#- A copy of a seed node whose column_types are in the target's types. -#}
    {%- set column_types = {} -%}
    {%- for column, type in (model['config'].get('column_types') or {}).items() -%}
        {%- do column_types.update({column: data_model_type(type) | trim}) -%}
    {%- endfor -%}
    {{ return(dict(model, config=dict(model['config'], column_types=column_types))) }}
{%- endmacro %}

{% macro create_csv_table(model, agate_table) -%}
    {#- A seed's table, in the target's types. -#}
    {{ adapter.dispatch('create_csv_table', 'dbt')(seed_in_warehouse_types(model), agate_table) }}
{%- endmacro %}

{% macro load_csv_rows(model, agate_table) -%}
    {#- A seed's rows (Spark casts each value to its column's type as it inserts it). -#}
    {{ adapter.dispatch('load_csv_rows', 'dbt')(seed_in_warehouse_types(model), agate_table) }}
{%- endmacro %}

{% macro get_empty_schema_sql(columns) -%}
    {#- A contract's declared columns as an empty select (dbt compares its columns' types with the
        model's), in the target's types. -#}
    {{ return(adapter.dispatch('get_empty_schema_sql', 'dbt')(columns_in_warehouse_types(columns))) }}
{%- endmacro %}

{% macro table_columns_and_constraints() -%}
    {#- The column list of a contracted table's DDL (Postgres and DuckDB create the table first,
        then insert), in the target's types; otherwise dbt's own code. -#}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(
        raw_columns=columns_in_warehouse_types(model['columns'])) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(
        raw_constraints=model['constraints']) -%}
    (
    {% for c in raw_column_constraints -%}
      {{ c }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}

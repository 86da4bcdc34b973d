{% macro spark__load_csv_rows(model, agate_table) %}
    {#- A seed's rows on Spark, as SQL literals rather than bound parameters. dbt-spark's session
        connection formats a bound None as the string 'None' and does not escape quotes, so a
        missing value would load as text and a name like O'Neil would break the statement. Every
        seed column here has a declared type, so dbt reads every value as text (or None): each
        batch is one `insert ... select` that casts the columns of an inline table of string
        literals to the seed's column_types. -#}
    {%- set column_types = model['config'].get('column_types', {}) -%}
    {%- set columns = agate_table.column_names -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }}
            select
                {%- for column in columns %}
                cast({{ adapter.quote(column) }} as {{ column_types.get(column, 'string') }})
                {{- "," if not loop.last }}
                {%- endfor %}
            from values
                {%- for row in chunk %}
                ({% for value in row -%}
                    {{ spark_string_literal(value) }}{{ ", " if not loop.last }}
                {%- endfor %}){{ "," if not loop.last }}
                {%- endfor %}
            as seed_rows({% for column in columns %}{{ adapter.quote(column) }}{{ ", " if not loop.last }}{% endfor %})
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_string_literal(value) -%}
    {#- A value as a Spark SQL string literal (backslashes and quotes escaped), or null. -#}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace("\\", "\\\\").replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

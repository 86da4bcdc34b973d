{% macro rows_known_as_of(relation, moment_column) -%}
    {#- A model's whole query: the rows of `relation` that had happened by the end of the as-of
        date (`moment_column` before `as_of_end_at` of int_reporting_dates, the midnight that ends
        it), with every column of `relation`. The one statement of the cut-off for the as-of
        models that only filter; the others apply the same comparison to their own logic. -#}
with

known_rows as (

    select * from {{ relation }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

final as (

    select known_rows.*
    from known_rows
    cross join reporting_dates
    where known_rows.{{ moment_column }} < reporting_dates.as_of_end_at

)

select * from final
{%- endmacro %}

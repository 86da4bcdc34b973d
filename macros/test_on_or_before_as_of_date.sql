{% test on_or_before_as_of_date(model, column_name) %}

    {#- No value of the column lies after the as-of date of int_reporting_dates: a timestamp falls
        before the midnight that ends that day. Compared by day, so dates and timestamps are
        tested alike; nulls pass. Fails with the offending rows. -#}
    with

    model_rows as (

        select * from {{ model }}

    ),

    reporting_dates as (

        select * from {{ ref('int_reporting_dates') }}

    ),

    final as (

        select model_rows.*
        from model_rows
        cross join reporting_dates
        where cast(model_rows.{{ column_name }} as date) > reporting_dates.as_of_date

    )

    select * from final

{% endtest %}

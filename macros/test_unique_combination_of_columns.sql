{% test unique_combination_of_columns(model, combination_of_columns) %}

    {%- set columns_csv = combination_of_columns | join(', ') %}

    with

    duplicated_combinations as (
        select
            {{ columns_csv }},
            count(*) as row_count
        from {{ model }}
        group by {{ columns_csv }}
        having count(*) > 1
    )

    select * from duplicated_combinations

{% endtest %}

{% test expression_is_true(model, expression, column_name=none) %}

    {#- On a column, the expression is appended to the column name ("> 0"); on a model, it is
        used as is. Rows where it is false fail; rows where it is null pass. -#}
    {%- set condition = expression if column_name is none else column_name ~ " " ~ expression %}

    select *
    from {{ model }}
    where not ({{ condition }})

{% endtest %}

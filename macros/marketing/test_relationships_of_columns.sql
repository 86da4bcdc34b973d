{% test relationships_of_columns(model, columns, to, fields) %}

    {#- Every combination of `columns` in the model exists as the combination of `fields` in `to`
        (a composite foreign key). Rows with a null in any of the columns are not checked, like
        dbt's relationships test. Fails with one row per missing combination and its row count. -#}
    {%- if columns | length == 0 or columns | length != fields | length -%}
        {{ exceptions.raise_compiler_error(
            "relationships_of_columns needs as many fields as columns (at least one), got columns "
            ~ columns ~ " and fields " ~ fields
        ) }}
    {%- endif %}

    with

    child as (

        select
            {% for column in columns -%}
                {{ column }} as child_column_{{ loop.index }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ model }}
        where
            {% for column in columns -%}
                {{ column }} is not null{% if not loop.last %} and{% endif %}
            {% endfor %}

    ),

    parent as (

        select
            {% for field in fields -%}
                {{ field }} as parent_field_{{ loop.index }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ to }}

    ),

    final as (

        select
            {% for column in columns -%}
                child.child_column_{{ loop.index }},
            {% endfor %}
            count(*) as row_count
        from child
        left join parent
            on
                {% for column in columns -%}
                    child.child_column_{{ loop.index }} = parent.parent_field_{{ loop.index }}
                    {% if not loop.last %}and{% endif %}
                {% endfor %}
        where parent.parent_field_1 is null
        group by
            {% for column in columns -%}
                child.child_column_{{ loop.index }}{% if not loop.last %},{% endif %}
            {% endfor %}

    )

    select * from final

{% endtest %}

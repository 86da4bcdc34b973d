{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "accepted_range on " ~ column_name ~ " needs min_value, max_value or both"
        ) }}
    {%- endif -%}

    {%- set out_of_range = [] -%}
    {%- if min_value is not none -%}
        {%- do out_of_range.append(
            column_name ~ (" < " if inclusive else " <= ") ~ min_value
        ) -%}
    {%- endif -%}
    {%- if max_value is not none -%}
        {%- do out_of_range.append(
            column_name ~ (" > " if inclusive else " >= ") ~ max_value
        ) -%}
    {%- endif %}

    select *
    from {{ model }}
    where {{ out_of_range | join(' or ') }}

{% endtest %}

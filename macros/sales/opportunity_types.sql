{% macro opportunity_types() -%}
    {#- The four opportunity types of int_opportunities_classified (doc block
        sales__opportunity_type), in the order the marts list them. -#}
    {{ return(['new_business', 'win_back', 'expansion', 'renewal']) }}
{%- endmacro %}

{% macro new_logo_types() -%}
    {#- The new-logo opportunity types (doc block sales__is_new_logo): the deals that bring in an
        account without MRR, which the funnel and attribution count. -#}
    {{ return(['new_business', 'win_back']) }}
{%- endmacro %}

{% macro is_new_logo_type(column) -%}
    {#- SQL condition: the opportunity type in `column` is a new-logo type. -#}
    {{ column }} in ('{{ new_logo_types() | join("', '") }}')
{%- endmacro %}

{% macro opportunity_types_query() -%}
    {#- One row per opportunity type, with whether it is a new-logo type: the axis of the marts
        that give every type a row. -#}
    {%- for opportunity_type in opportunity_types() %}
    select
        cast('{{ opportunity_type }}' as {{ dbt.type_string() }}) as opportunity_type,
        {{ 'true' if opportunity_type in new_logo_types() else 'false' }}
            as is_new_logo
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- endmacro %}

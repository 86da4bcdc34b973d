{% macro attribution_models() -%}
    {#- The attribution models, in the order their columns appear in the marts. -#}
    {{ return(['first_touch', 'last_touch', 'linear', 'position_based', 'time_decay']) }}
{%- endmacro %}

{#- The value of a var that counts whole days (0 or more), or a compile error naming the var:
    a window or a grace period in days must be a plain whole number for date arithmetic. -#}
{% macro whole_days_var(name) %}
    {%- set value = var(name) -%}
    {%- if value is sameas true or value is sameas false
        or value is not number or value < 0 or value != value | int -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number of days >= 0, got " ~ value
        ) }}
    {%- endif -%}
    {{- return(value | int) -}}
{% endmacro %}

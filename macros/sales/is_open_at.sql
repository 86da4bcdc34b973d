{% macro is_open_at(moment, opened_at, closed_at) -%}
    {#- Condition: something opened before a moment and not closed before it (never closed, or
        closed at or after it). The moment itself is excluded, as "by a day" means before the
        midnight that ends it. -#}
    {{ opened_at }} < {{ moment }}
    and ({{ closed_at }} is null or {{ closed_at }} >= {{ moment }})
{%- endmacro %}

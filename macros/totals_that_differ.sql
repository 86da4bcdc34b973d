{% macro totals_that_differ(totals, other_totals, measures) -%}
    {#- The body of a reconciliation test between two one-row relations holding the same measures:
        one row, each measure of the two side by side, when any measure differs; none when all
        agree. A null measure compares as unknown (no failure): coalesce the totals first. -#}
    select
        {% for measure in measures -%}
            {{ totals }}.{{ measure }} as {{ totals }}_{{ measure }},
            {{ other_totals }}.{{ measure }} as {{ other_totals }}_{{ measure }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ totals }}
    cross join {{ other_totals }}
    where
        {% for measure in measures -%}
            {{ totals }}.{{ measure }} != {{ other_totals }}.{{ measure }}
            {%- if not loop.last %} or{% endif %}
        {% endfor %}
{%- endmacro %}

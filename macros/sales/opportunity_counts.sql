{% macro opportunity_counts(opportunities, key) -%}
    {#- Per value of a key: how many opportunities of the relation have it, and how many of those
        are won, typed as the marts declare them. Rows with a null key are left out. -#}
    select
        {{ key }},
        cast(count(*) as {{ dbt.type_int() }}) as opportunities_count,
        cast(sum(case when is_won then 1 else 0 end) as {{ dbt.type_int() }}) as won_deals_count
    from {{ opportunities }}
    where {{ key }} is not null
    group by {{ key }}
{%- endmacro %}

{#- The funnel by cohort: leads created in a month from a lead source, and how far they got by the
    as-of date (fct_leads is already stated as of then). Every count is a count of leads; the deal
    type of the leads' opportunities is carried as additive count columns beside the stage counts,
    so every rate on a row is a rate of the whole cohort. -#}
with

leads as (

    select * from {{ ref('fct_leads') }}

),

cohort_counts as (

    select
        cohort_month,
        lead_source,
        cast(count(*) as {{ dbt.type_bigint() }}) as lead_count,
        cast(sum(case when is_mql then 1 else 0 end) as {{ dbt.type_bigint() }})
            as mql_flagged_count,
        cast(sum(case when has_reached_mql then 1 else 0 end) as {{ dbt.type_bigint() }})
            as mql_count,
        cast(sum(case when has_reached_contact then 1 else 0 end) as {{ dbt.type_bigint() }})
            as contact_count,
        cast(sum(case when has_reached_opportunity then 1 else 0 end) as {{ dbt.type_bigint() }})
            as opportunity_count,
        cast(sum(case when has_reached_won then 1 else 0 end) as {{ dbt.type_bigint() }})
            as won_count,
        {% for stage in ['opportunity', 'won'] %}
            {% for deal_type in new_logo_types() %}
                cast(
                    sum(
                        case
                            when has_reached_{{ stage }} and opportunity_type = '{{ deal_type }}'
                                then 1
                            else 0
                        end
                    ) as {{ dbt.type_bigint() }}
                ) as {{ deal_type }}_{{ stage }}_count,
            {% endfor %}
        {% endfor %}
        cast({{ median('days_to_contact') }} as {{ type_double() }}) as median_days_to_contact,
        cast({{ median('days_to_opportunity') }} as {{ type_double() }})
            as median_days_to_opportunity,
        cast({{ median('days_contact_to_opportunity') }} as {{ type_double() }})
            as median_days_contact_to_opportunity,
        cast({{ median('days_opportunity_to_won') }} as {{ type_double() }})
            as median_days_opportunity_to_won
    from leads
    group by cohort_month, lead_source

),

final as (

    select
        -- dates
        cohort_month,

        -- strings
        lead_source,

        -- counts (of leads)
        lead_count,
        mql_flagged_count,
        mql_count,
        contact_count,
        opportunity_count,
        won_count,

        -- counts by the deal type of the leads' opportunities (of leads)
        new_business_opportunity_count,
        win_back_opportunity_count,
        new_business_won_count,
        win_back_won_count,

        -- conversion rates
        cast(mql_flagged_count as {{ type_double() }}) / nullif(lead_count, 0)
            as mql_flagged_rate,
        cast(mql_count as {{ type_double() }}) / nullif(lead_count, 0) as lead_to_mql_rate,
        cast(contact_count as {{ type_double() }}) / nullif(mql_count, 0) as mql_to_contact_rate,
        cast(opportunity_count as {{ type_double() }}) / nullif(contact_count, 0)
            as contact_to_opportunity_rate,
        cast(won_count as {{ type_double() }}) / nullif(opportunity_count, 0)
            as opportunity_to_won_rate,
        cast(won_count as {{ type_double() }}) / nullif(lead_count, 0) as lead_to_won_rate,

        -- durations
        median_days_to_contact,
        median_days_to_opportunity,
        median_days_contact_to_opportunity,
        median_days_opportunity_to_won

    from cohort_counts

)

select * from final

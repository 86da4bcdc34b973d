-- No row of a marketing mart refers to anything after the end of the as-of date: no lead, contact,
-- opportunity, win or touch after it, and no cohort or touch month after the as-of month. Returns
-- the offending rows, one per mart and column.

with

leads as (

    select * from {{ ref('fct_leads') }}

),

funnel_cohorts as (

    select * from {{ ref('fct_funnel_cohorts') }}

),

attribution as (

    select * from {{ ref('fct_attribution') }}

),

campaign_performance as (

    select * from {{ ref('fct_campaign_performance') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

{%- set timestamp_checks = [
    ('fct_leads', 'leads', 'created_at'),
    ('fct_leads', 'leads', 'converted_at'),
    ('fct_leads', 'leads', 'opportunity_created_at'),
    ('fct_leads', 'leads', 'won_at'),
    ('fct_attribution', 'attribution', 'occurred_at'),
    ('fct_attribution', 'attribution', 'opportunity_created_at'),
] %}
{%- set month_checks = [
    ('fct_leads', 'leads', 'cohort_month'),
    ('fct_funnel_cohorts', 'funnel_cohorts', 'cohort_month'),
    ('fct_campaign_performance', 'campaign_performance', 'touch_month'),
] %}

late_timestamps as (

    {% for mart, cte, column in timestamp_checks -%}
        select
            '{{ mart }}' as mart,
            '{{ column }}' as column_name,
            count(*) as late_rows
        from {{ cte }}
        cross join reporting_dates
        where {{ cte }}.{{ column }} >= reporting_dates.as_of_end_at
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

late_months as (

    {% for mart, cte, column in month_checks -%}
        select
            '{{ mart }}' as mart,
            '{{ column }}' as column_name,
            count(*) as late_rows
        from {{ cte }}
        cross join reporting_dates
        where {{ cte }}.{{ column }} > reporting_dates.as_of_month
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from late_timestamps
    where late_rows > 0
    union all
    select * from late_months
    where late_rows > 0

)

select * from final

-- fct_campaign_performance adds up: its spend is the cost of all the marketing events that
-- occurred by the as-of date, its touches those events, and under every model its attributed
-- revenue and pipeline are those of fct_attribution's touches (every row but the "no touch"
-- ones). Returns what does not match.

with

marketing_events as (

    select * from {{ ref('stg_marketing__events') }}

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

events_by_as_of as (

    select marketing_events.cost_usd
    from marketing_events
    cross join reporting_dates
    where marketing_events.occurred_at < reporting_dates.as_of_end_at

),

event_totals as (

    select
        'spend_usd' as measure,
        coalesce(sum(cost_usd), 0) as expected_total
    from events_by_as_of
    union all
    select
        'touches' as measure,
        count(*) as expected_total
    from events_by_as_of

),

attribution_totals as (

    {% for attribution_model in attribution_models() -%}
        select
            '{{ attribution_model }}_pipeline_usd' as measure,
            coalesce(sum({{ attribution_model }}_pipeline_usd), 0) as expected_total
        from attribution
        where not is_no_touch
        union all
        select
            '{{ attribution_model }}_revenue_usd' as measure,
            coalesce(sum({{ attribution_model }}_revenue_usd), 0) as expected_total
        from attribution
        where not is_no_touch
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

campaign_totals as (

    select
        'spend_usd' as measure,
        coalesce(sum(spend_usd), 0) as actual_total
    from campaign_performance
    union all
    select
        'touches' as measure,
        coalesce(sum(touches), 0) as actual_total
    from campaign_performance
    {% for attribution_model in attribution_models() -%}
        union all
        select
            '{{ attribution_model }}_pipeline_usd' as measure,
            coalesce(sum({{ attribution_model }}_pipeline_usd), 0) as actual_total
        from campaign_performance
        union all
        select
            '{{ attribution_model }}_revenue_usd' as measure,
            coalesce(sum({{ attribution_model }}_revenue_usd), 0) as actual_total
        from campaign_performance
    {% endfor %}

),

expected_totals as (

    select * from event_totals
    union all
    select * from attribution_totals

),

final as (

    select
        expected_totals.measure,
        expected_totals.expected_total,
        campaign_totals.actual_total
    from expected_totals
    left join campaign_totals
        on expected_totals.measure = campaign_totals.measure
    where
        campaign_totals.actual_total is null
        or expected_totals.expected_total != campaign_totals.actual_total

)

select * from final

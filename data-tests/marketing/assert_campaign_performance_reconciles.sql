-- fct_campaign_performance adds up: its spend is the cost of all the marketing events that
-- occurred by the as-of date, its touches those events; under every model its attributed ACV
-- pipeline and revenue are those of fct_attribution's touches (every row but the "no touch"
-- ones), to the cent; its credit-weighted opportunities plus the conversions without touchpoints
-- are the conversions of fct_attribution, and its credit-weighted new customers plus the won
-- new-logo conversions without touchpoints are those conversions (both to within a billionth per
-- touch: the mart sums each touch's credit rounded to a billionth). Returns what does not match.

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

-- Per conversion: whether it has touchpoints, and whether it is a new customer won.
conversions as (

    select
        opportunity_id,
        max(case when is_no_touch then 1 else 0 end) as is_no_touch_flag,
        max(
            case
                when opportunity_type in ('new_business', 'win_back') and is_won then 1 else 0
            end
        ) as is_new_customer_won_flag
    from attribution
    group by opportunity_id

),

touch_rows as (

    select count(*) as touch_row_count
    from attribution
    where not is_no_touch

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
            '{{ attribution_model }}_pipeline_acv_usd' as measure,
            coalesce(sum({{ attribution_model }}_pipeline_acv_usd), 0) as expected_total
        from attribution
        where not is_no_touch
        union all
        select
            '{{ attribution_model }}_revenue_acv_usd' as measure,
            coalesce(sum({{ attribution_model }}_revenue_acv_usd), 0) as expected_total
        from attribution
        where not is_no_touch
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- Every conversion's credits add up to 1, so the touched conversions count once each.
conversion_totals as (

    {% for attribution_model in attribution_models() -%}
        select
            '{{ attribution_model }}_attributed_opportunities' as measure,
            cast(coalesce(sum(1 - is_no_touch_flag), 0) as {{ type_double() }}) as expected_total
        from conversions
        union all
        select
            '{{ attribution_model }}_attributed_new_customers' as measure,
            cast(
                coalesce(sum(is_new_customer_won_flag * (1 - is_no_touch_flag)), 0)
                as {{ type_double() }}
            ) as expected_total
        from conversions
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
            '{{ attribution_model }}_pipeline_acv_usd' as measure,
            coalesce(sum({{ attribution_model }}_pipeline_acv_usd), 0) as actual_total
        from campaign_performance
        union all
        select
            '{{ attribution_model }}_revenue_acv_usd' as measure,
            coalesce(sum({{ attribution_model }}_revenue_acv_usd), 0) as actual_total
        from campaign_performance
    {% endfor %}

),

campaign_credit_totals as (

    {% for attribution_model in attribution_models() -%}
        select
            '{{ attribution_model }}_attributed_opportunities' as measure,
            cast(
                coalesce(sum({{ attribution_model }}_attributed_opportunities), 0)
                as {{ type_double() }}
            ) as actual_total
        from campaign_performance
        union all
        select
            '{{ attribution_model }}_attributed_new_customers' as measure,
            cast(
                coalesce(sum({{ attribution_model }}_attributed_new_customers), 0)
                as {{ type_double() }}
            ) as actual_total
        from campaign_performance
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

expected_totals as (

    select * from event_totals
    union all
    select * from attribution_totals

),

exact_mismatches as (

    select
        expected_totals.measure,
        cast(expected_totals.expected_total as {{ type_double() }}) as expected_total,
        cast(campaign_totals.actual_total as {{ type_double() }}) as actual_total
    from expected_totals
    left join campaign_totals
        on expected_totals.measure = campaign_totals.measure
    where
        campaign_totals.actual_total is null
        or expected_totals.expected_total != campaign_totals.actual_total

),

credit_mismatches as (

    select
        conversion_totals.measure,
        conversion_totals.expected_total,
        campaign_credit_totals.actual_total
    from conversion_totals
    cross join touch_rows
    left join campaign_credit_totals
        on conversion_totals.measure = campaign_credit_totals.measure
    where
        campaign_credit_totals.actual_total is null
        or abs(conversion_totals.expected_total - campaign_credit_totals.actual_total)
        > 1e-9 * (touch_rows.touch_row_count + 1)

),

final as (

    select * from exact_mismatches
    union all
    select * from credit_mismatches

)

select * from final

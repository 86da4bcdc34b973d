{#- Campaign months: what a campaign spent and touched in a month, and what was credited to the
    touches it made that month under every attribution model (ACV pipeline and revenue,
    credit-weighted opportunities and new customers won), with the ratios between them, as of the
    as-of date. "No touch" credit belongs to no campaign and is left out (it stays visible in
    fct_attribution). Every ratio is the quotient of two additive columns of the same row, so a
    roll-up recomputes it from their sums. -#}
with

marketing_events as (

    select * from {{ ref('int_marketing_events_as_of') }}

),

attribution as (

    select * from {{ ref('fct_attribution') }}

),

campaign_activity as (

    select
        utm_source,
        utm_campaign,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as touch_month,
        cast(coalesce(sum(cost_usd), 0) as decimal(18, 2)) as spend_usd,
        cast(count(*) as {{ dbt.type_bigint() }}) as touches,
        cast(count(distinct lead_id) as {{ dbt.type_bigint() }}) as leads_touched
    from marketing_events
    group by
        utm_source,
        utm_campaign,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)

),

-- A new customer won: a new-logo deal (new business or win-back) won by the as-of date, the deal
-- whose revenue makes the account a customer.
touches_with_new_customer_flag as (

    select
        *,
        ({{ is_new_logo_type('opportunity_type') }} and is_won) as is_new_customer_won
    from attribution
    where not is_no_touch

),

-- Credits are summed as decimals (each touch's credit to a billionth): a sum of decimals is
-- exact, so the counts do not depend on the order in which rows are added.
campaign_attribution as (

    select
        utm_source,
        utm_campaign,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as touch_month,
        {% for attribution_model in attribution_models() %}
            sum({{ attribution_model }}_pipeline_acv_usd)
                as {{ attribution_model }}_pipeline_acv_usd,
            sum({{ attribution_model }}_revenue_acv_usd)
                as {{ attribution_model }}_revenue_acv_usd,
            sum(cast({{ attribution_model }}_credit as decimal(18, 9)))
                as {{ attribution_model }}_attributed_opportunities,
            sum(
                case
                    when is_new_customer_won
                        then cast({{ attribution_model }}_credit as decimal(18, 9))
                    else 0
                end
            ) as {{ attribution_model }}_attributed_new_customers{% if not loop.last %},{% endif %}
        {% endfor %}
    from touches_with_new_customer_flag
    group by
        utm_source,
        utm_campaign,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)

),

-- Every attributed touch is a marketing event, so every campaign month with credit has activity.
-- UTM values are compared null-safely: events without UTM tags form one (nameless) campaign.
campaign_months_joined as (

    select
        {% for attribution_model in attribution_models() %}
            {% for measure in [
                'pipeline_acv_usd',
                'revenue_acv_usd',
                'attributed_opportunities',
                'attributed_new_customers',
            ] %}
                coalesce(campaign_attribution.{{ attribution_model }}_{{ measure }}, 0)
                    as {{ attribution_model }}_{{ measure }},
            {% endfor %}
        {% endfor %}
        campaign_activity.*
    from campaign_activity
    left join campaign_attribution
        on
            (
                campaign_activity.utm_source = campaign_attribution.utm_source
                or (
                    campaign_activity.utm_source is null
                    and campaign_attribution.utm_source is null
                )
            )
            and (
                campaign_activity.utm_campaign = campaign_attribution.utm_campaign
                or (
                    campaign_activity.utm_campaign is null
                    and campaign_attribution.utm_campaign is null
                )
            )
            and campaign_activity.touch_month = campaign_attribution.touch_month

),

final as (

    select
        -- strings
        utm_source,
        utm_campaign,

        -- dates
        touch_month,

        -- numerics
        spend_usd,
        touches,
        leads_touched,
        {% for attribution_model in attribution_models() %}
            cast({{ attribution_model }}_pipeline_acv_usd as decimal(18, 2))
                as {{ attribution_model }}_pipeline_acv_usd,
            cast({{ attribution_model }}_revenue_acv_usd as decimal(18, 2))
                as {{ attribution_model }}_revenue_acv_usd,
            cast({{ attribution_model }}_attributed_opportunities as decimal(18, 9))
                as {{ attribution_model }}_attributed_opportunities,
            cast({{ attribution_model }}_attributed_new_customers as decimal(18, 9))
                as {{ attribution_model }}_attributed_new_customers,
            cast({{ attribution_model }}_revenue_acv_usd as {{ type_double() }})
            / nullif(cast(spend_usd as {{ type_double() }}), 0) as {{ attribution_model }}_roas,
            cast(spend_usd as {{ type_double() }})
            / nullif(
                cast({{ attribution_model }}_attributed_opportunities as {{ type_double() }}), 0
            )
                as {{ attribution_model }}_cost_per_attributed_opportunity_usd,
            cast(spend_usd as {{ type_double() }})
            / nullif(
                cast({{ attribution_model }}_attributed_new_customers as {{ type_double() }}), 0
            )
                as {{ attribution_model }}_cac_usd{% if not loop.last %},{% endif %}
        {% endfor %}

    from campaign_months_joined

)

select * from final

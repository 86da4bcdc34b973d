{#- Campaign months: what a campaign spent and touched in a month, and the pipeline and revenue
    credited to the touches it made that month, as of the as-of date. "No touch" credit belongs to
    no campaign and is left out (it stays visible in fct_attribution). -#}
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

campaign_attribution as (

    select
        utm_source,
        utm_campaign,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as touch_month,
        {% for attribution_model in attribution_models() %}
            sum({{ attribution_model }}_pipeline_usd) as {{ attribution_model }}_pipeline_usd,
            sum({{ attribution_model }}_revenue_usd) as {{ attribution_model }}_revenue_usd,
        {% endfor %}
        cast(count(distinct opportunity_id) as {{ dbt.type_bigint() }})
            as attributed_opportunities
    from attribution
    where not is_no_touch
    group by
        utm_source,
        utm_campaign,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date)

),

-- Every attributed touch is a marketing event, so every campaign month with credit has activity.
-- UTM values are compared null-safely: events without UTM tags form one (nameless) campaign.
campaign_months_joined as (

    select
        campaign_activity.*,
        {% for attribution_model in attribution_models() %}
            coalesce(campaign_attribution.{{ attribution_model }}_pipeline_usd, 0)
                as {{ attribution_model }}_pipeline_usd,
            coalesce(campaign_attribution.{{ attribution_model }}_revenue_usd, 0)
                as {{ attribution_model }}_revenue_usd,
        {% endfor %}
        coalesce(campaign_attribution.attributed_opportunities, 0) as attributed_opportunities
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
        attributed_opportunities,
        {% for attribution_model in attribution_models() %}
            cast({{ attribution_model }}_pipeline_usd as decimal(18, 2))
                as {{ attribution_model }}_pipeline_usd,
            cast({{ attribution_model }}_revenue_usd as decimal(18, 2))
                as {{ attribution_model }}_revenue_usd,
            cast({{ attribution_model }}_revenue_usd as {{ type_double() }})
            / nullif(cast(spend_usd as {{ type_double() }}), 0) as {{ attribution_model }}_roas,
        {% endfor %}
        -- The cast to decimal(18, 2) rounds to the cent.
        cast(
            spend_usd / nullif(attributed_opportunities, 0) as decimal(18, 2)
        ) as cost_per_attributed_opportunity_usd

    from campaign_months_joined

)

select * from final

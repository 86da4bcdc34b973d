-- dim_campaigns agrees with fct_campaign_performance: a campaign's lifetime touches and spend are
-- the sums of its months' touches and spend, and its first and last touch fall in its first and
-- last touch months. (Events without UTM tags belong to no campaign.) Returns the campaigns that
-- disagree.

with

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_performance as (

    select * from {{ ref('fct_campaign_performance') }}

),

campaign_months as (

    select
        utm_source,
        utm_campaign,
        sum(touches) as touches,
        sum(spend_usd) as spend_usd,
        min(touch_month) as first_touch_month,
        max(touch_month) as last_touch_month
    from campaign_performance
    where
        utm_source is not null
        and utm_campaign is not null
    group by
        utm_source,
        utm_campaign

),

final as (

    select
        campaigns.campaign_id,
        campaigns.lifetime_touches,
        campaign_months.touches,
        campaigns.lifetime_spend_usd,
        campaign_months.spend_usd
    from campaigns
    left join campaign_months
        on
            campaigns.utm_source = campaign_months.utm_source
            and campaigns.utm_campaign = campaign_months.utm_campaign
    where
        campaigns.lifetime_touches != coalesce(campaign_months.touches, 0)
        or campaigns.lifetime_spend_usd != coalesce(campaign_months.spend_usd, 0)
        or (
            campaigns.lifetime_touches > 0
            and (
                cast({{ dbt.date_trunc('month', 'campaigns.first_touched_at') }} as date)
                != campaign_months.first_touch_month
                or cast({{ dbt.date_trunc('month', 'campaigns.last_touched_at') }} as date)
                != campaign_months.last_touch_month
            )
        )

)

select * from final

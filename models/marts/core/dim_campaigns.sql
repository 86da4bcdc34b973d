{#- One row per campaign of the reference seed, with what the marts know about it as of the as-of
    date: its marketing events (touches, leads touched, spend, first and last) and the
    opportunities that name it as their campaign. -#}
with

campaigns as (

    select * from {{ ref('stg_reference__campaigns') }}

),

marketing_events as (

    select * from {{ ref('int_marketing_events_as_of') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

-- A marketing event belongs to the campaign of its UTM tags.
campaign_events as (

    select
        campaigns.campaign_id,
        count(*) as touches,
        count(distinct marketing_events.lead_id) as leads_touched,
        sum(marketing_events.cost_usd) as spend_usd,
        min(marketing_events.occurred_at) as first_touched_at,
        max(marketing_events.occurred_at) as last_touched_at
    from campaigns
    inner join marketing_events
        on
            campaigns.utm_source = marketing_events.utm_source
            and campaigns.utm_campaign = marketing_events.utm_campaign
    group by campaigns.campaign_id

),

campaign_opportunities as (

    {{ opportunity_counts('opportunities', 'campaign_id') }}

),

final as (

    select
        -- ids
        campaigns.campaign_id,

        -- strings
        campaigns.utm_source,
        campaigns.utm_campaign,
        campaigns.event_type,
        campaigns.channel,

        -- numerics
        cast(coalesce(campaign_events.touches, 0) as {{ dbt.type_bigint() }})
            as lifetime_touches,
        cast(coalesce(campaign_events.leads_touched, 0) as {{ dbt.type_bigint() }})
            as lifetime_leads_touched,
        cast(coalesce(campaign_events.spend_usd, 0) as decimal(18, 2)) as lifetime_spend_usd,
        coalesce(campaign_opportunities.opportunities_count, 0) as opportunities_count,
        coalesce(campaign_opportunities.won_deals_count, 0) as won_deals_count,

        -- timestamps
        campaign_events.first_touched_at,
        campaign_events.last_touched_at

    from campaigns
    left join campaign_events
        on campaigns.campaign_id = campaign_events.campaign_id
    left join campaign_opportunities
        on campaigns.campaign_id = campaign_opportunities.campaign_id

)

select * from final

{#- One row per opportunity, stated as of the as-of date (doc block sales__as_of): its stage,
    outcome, close time, probability, age and stage-history summary as of then come from
    int_opportunities_as_of, its activities from int_activities_as_of; here they are joined to
    the campaign and weighed. -#}
with

opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

activities as (

    select * from {{ ref('int_activities_as_of') }}

),

campaigns as (

    select * from {{ ref('stg_reference__campaigns') }}

),

activity_summary as (

    select
        opportunity_id,
        sum(case when activity_type = 'email' then 1 else 0 end) as email_count,
        sum(case when activity_type = 'call' then 1 else 0 end) as call_count,
        sum(case when activity_type = 'meeting' then 1 else 0 end) as meeting_count,
        sum(case when activity_type = 'demo' then 1 else 0 end) as demo_count,
        count(*) as activity_count,
        min(occurred_at) as first_activity_at,
        max(occurred_at) as last_activity_at
    from activities
    where opportunity_id is not null
    group by opportunity_id

),

opportunities_joined as (

    select
        opportunities.*,
        campaigns.utm_source,
        campaigns.utm_campaign,
        activity_summary.email_count,
        activity_summary.call_count,
        activity_summary.meeting_count,
        activity_summary.demo_count,
        activity_summary.activity_count,
        activity_summary.first_activity_at,
        activity_summary.last_activity_at
    from opportunities
    left join campaigns
        on opportunities.campaign_id = campaigns.campaign_id
    left join activity_summary
        on opportunities.opportunity_id = activity_summary.opportunity_id

),

final as (

    select
        -- ids
        opportunity_id,
        account_id,
        owner_id,
        campaign_id,

        -- strings
        stage,
        close_outcome,
        opportunity_type,
        product_line,
        lead_source,
        utm_source,
        utm_campaign,
        currency,

        -- numerics
        stage_order,
        cast(stage_probability as decimal(5, 2)) as stage_probability,
        cast(amount as decimal(18, 2)) as amount,
        tcv_usd,
        contract_term_months,
        acv_usd,
        {% for deal_value in ['tcv_usd', 'acv_usd'] %}
            cast(
                case
                    when not is_closed then round({{ deal_value }} * stage_probability, 2)
                    when is_won then {{ deal_value }}
                    else 0
                end as decimal(18, 2)
            ) as crm_weighted_{{ deal_value }},
        {% endfor %}
        cast(
            case
                when is_closed then {{
                    dbt.datediff('cast(created_at as date)', 'cast(closed_at as date)', 'day')
                }}
            end as {{ dbt.type_int() }}
        ) as sales_cycle_days,
        age_days,
        stage_changes,
        cast(coalesce(email_count, 0) as {{ dbt.type_int() }}) as email_count,
        cast(coalesce(call_count, 0) as {{ dbt.type_int() }}) as call_count,
        cast(coalesce(meeting_count, 0) as {{ dbt.type_int() }}) as meeting_count,
        cast(coalesce(demo_count, 0) as {{ dbt.type_int() }}) as demo_count,
        cast(coalesce(activity_count, 0) as {{ dbt.type_int() }}) as activity_count,

        -- booleans
        is_closed,
        is_won,
        has_moved_backwards,

        -- timestamps
        created_at,
        closed_at,
        expected_close_at,
        first_activity_at,
        last_activity_at

    from opportunities_joined

)

select * from final

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

campaigns as (

    select * from {{ ref('stg_reference__campaigns') }}

),

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

opportunities_classified as (

    select * from {{ ref('int_opportunities_classified') }}

),

stages_sequenced as (

    select * from {{ ref('int_opportunity_stages_sequenced') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

stage_history_summary as (

    select
        opportunity_id,
        count(*) as stage_row_count,
        max(case when is_backward_move then 1 else 0 end) as backward_move_flag
    from stages_sequenced
    group by opportunity_id

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
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.campaign_id,
        opportunities.stage,
        opportunities.lead_source,
        opportunities.close_outcome,
        opportunities.product_line,
        opportunities.currency,
        opportunities.amount,
        opportunities.amount_usd,
        opportunities.stage_probability,
        opportunities.is_closed,
        opportunities.created_at,
        opportunities.closed_at,
        opportunities.expected_close_at,
        opportunity_stages.stage_order,
        coalesce(opportunity_stages.is_won, false) as is_won,
        campaigns.utm_source,
        campaigns.utm_campaign,
        opportunities_classified.opportunity_type,
        stage_history_summary.stage_row_count,
        stage_history_summary.backward_move_flag,
        activity_summary.email_count,
        activity_summary.call_count,
        activity_summary.meeting_count,
        activity_summary.demo_count,
        activity_summary.activity_count,
        activity_summary.first_activity_at,
        activity_summary.last_activity_at,
        reporting_dates.as_of_date
    from opportunities
    left join opportunity_stages
        on opportunities.stage = opportunity_stages.stage_name
    left join campaigns
        on opportunities.campaign_id = campaigns.campaign_id
    left join opportunities_classified
        on opportunities.opportunity_id = opportunities_classified.opportunity_id
    left join stage_history_summary
        on opportunities.opportunity_id = stage_history_summary.opportunity_id
    left join activity_summary
        on opportunities.opportunity_id = activity_summary.opportunity_id
    cross join reporting_dates

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
        stage_probability,
        cast(amount as decimal(18, 2)) as amount,
        amount_usd,
        cast(
            case
                when not is_closed then round(amount_usd * stage_probability, 2)
                when is_won then amount_usd
                else 0
            end as decimal(18, 2)
        ) as weighted_amount_usd,
        cast(
            case
                when is_closed then {{
                    dbt.datediff('cast(created_at as date)', 'cast(closed_at as date)', 'day')
                }}
            end as {{ dbt.type_int() }}
        ) as sales_cycle_days,
        cast(
            case
                when not is_closed and cast(created_at as date) <= as_of_date then {{
                    dbt.datediff('cast(created_at as date)', 'as_of_date', 'day')
                }}
            end as {{ dbt.type_int() }}
        ) as age_days,
        cast(
            case when stage_row_count > 0 then stage_row_count - 1 else 0 end
            as {{ dbt.type_int() }}
        ) as stage_changes,
        cast(coalesce(email_count, 0) as {{ dbt.type_int() }}) as email_count,
        cast(coalesce(call_count, 0) as {{ dbt.type_int() }}) as call_count,
        cast(coalesce(meeting_count, 0) as {{ dbt.type_int() }}) as meeting_count,
        cast(coalesce(demo_count, 0) as {{ dbt.type_int() }}) as demo_count,
        cast(coalesce(activity_count, 0) as {{ dbt.type_int() }}) as activity_count,

        -- booleans
        is_closed,
        is_won,
        coalesce(backward_move_flag = 1, false) as has_moved_backwards,

        -- timestamps
        created_at,
        closed_at,
        expected_close_at,
        first_activity_at,
        last_activity_at

    from opportunities_joined

)

select * from final

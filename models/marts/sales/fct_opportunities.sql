{#- One row per opportunity, stated as of the as-of date (doc block sales__as_of): its stage then
    comes from the stage history (doc block sales__stage_at_moment, the same rule as
    fct_pipeline_monthly), and so do its outcome, close time, cycle and weighted amount. -#}
with

-- Staging's opportunities with their type (int_opportunities_classified).
opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

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

stages_sequenced as (

    select * from {{ ref('int_opportunity_stages_sequenced') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

-- The first open stage of the pipeline, the last resort of the stage fallback (always one row).
open_stages_ranked as (

    select
        stage_name,
        row_number() over (order by stage_order, stage_name) as open_stage_rank
    from opportunity_stages
    where not is_closed

),

first_open_stage as (

    select max(case when open_stage_rank = 1 then stage_name end) as stage_name
    from open_stages_ranked

),

opportunities_known_as_of as (

    select
        opportunities.*,
        reporting_dates.as_of_date,
        reporting_dates.as_of_end_at
    from opportunities
    cross join reporting_dates
    where opportunities.created_at < reporting_dates.as_of_end_at

),

stages_known_as_of as (

    select stages_sequenced.*
    from stages_sequenced
    cross join reporting_dates
    where stages_sequenced.entered_at < reporting_dates.as_of_end_at

),

stage_history_summary as (

    select
        opportunity_id,
        count(*) as stage_row_count,
        max(stage_sequence) as last_stage_sequence,
        max(case when is_backward_move then 1 else 0 end) as backward_move_flag
    from stages_known_as_of
    group by opportunity_id

),

-- The last stage entered by the end of the as-of date; is_current tells whether it is still the
-- opportunity's stage today.
last_stage_as_of as (

    select
        stages_known_as_of.opportunity_id,
        stages_known_as_of.stage_name,
        stages_known_as_of.entered_at,
        stages_known_as_of.is_current as is_latest_stage
    from stages_known_as_of
    inner join stage_history_summary
        on
            stages_known_as_of.opportunity_id = stage_history_summary.opportunity_id
            and stages_known_as_of.stage_sequence = stage_history_summary.last_stage_sequence

),

-- The stage each opportunity was created in, for the fallback.
first_stages as (

    select
        opportunity_id,
        stage_name,
        is_closed_stage
    from stages_sequenced
    where stage_sequence = 1

),

activity_summary as (

    select
        activities.opportunity_id,
        sum(case when activities.activity_type = 'email' then 1 else 0 end) as email_count,
        sum(case when activities.activity_type = 'call' then 1 else 0 end) as call_count,
        sum(case when activities.activity_type = 'meeting' then 1 else 0 end) as meeting_count,
        sum(case when activities.activity_type = 'demo' then 1 else 0 end) as demo_count,
        count(*) as activity_count,
        min(activities.occurred_at) as first_activity_at,
        max(activities.occurred_at) as last_activity_at
    from activities
    cross join reporting_dates
    where
        activities.opportunity_id is not null
        and activities.occurred_at < reporting_dates.as_of_end_at
    group by activities.opportunity_id

),

-- Stage at the end of the as-of date: the last stage entered by then, else the fallback
-- (stage_at_moment_fallback).
stage_as_of as (

    select
        opportunities_known_as_of.opportunity_id,
        coalesce(
            last_stage_as_of.stage_name,
            {{ stage_at_moment_fallback(
                opportunity='opportunities_known_as_of',
                moment_at='opportunities_known_as_of.as_of_end_at',
                first_stage='first_stages',
                first_open_stage_name='first_open_stage.stage_name'
            ) }}
        -- `stage` is the contract's column name (as in staging); only the alias trips RF04.
        ) as stage,  -- noqa: RF04
        last_stage_as_of.entered_at as stage_entered_at,
        -- Without any history row, the CRM's stage is the latest one known.
        coalesce(last_stage_as_of.is_latest_stage, first_stages.opportunity_id is null)
            as is_latest_stage
    from opportunities_known_as_of
    left join last_stage_as_of
        on opportunities_known_as_of.opportunity_id = last_stage_as_of.opportunity_id
    left join first_stages
        on opportunities_known_as_of.opportunity_id = first_stages.opportunity_id
    cross join first_open_stage

),

opportunities_joined as (

    select
        opportunities_known_as_of.opportunity_id,
        opportunities_known_as_of.account_id,
        opportunities_known_as_of.owner_id,
        opportunities_known_as_of.campaign_id,
        stage_as_of.stage,
        opportunities_known_as_of.lead_source,
        opportunities_known_as_of.product_line,
        opportunities_known_as_of.currency,
        opportunities_known_as_of.amount,
        opportunities_known_as_of.amount_usd,
        -- The CRM's probability belongs to its current stage: it applies only while the deal is
        -- still in that stage row; an earlier stage weighs its default probability.
        case
            when
                stage_as_of.is_latest_stage
                and stage_as_of.stage = opportunities_known_as_of.stage
                then opportunities_known_as_of.stage_probability
            else opportunity_stages.default_probability
        end as stage_probability,
        coalesce(opportunity_stages.is_closed, false) as is_closed,
        coalesce(opportunity_stages.is_won, false) as is_won,
        opportunity_stages.stage_order,
        opportunities_known_as_of.created_at,
        case
            when opportunity_stages.is_closed
                then
                    coalesce(stage_as_of.stage_entered_at, opportunities_known_as_of.closed_at)
        end as closed_at,
        case
            when not opportunity_stages.is_closed
                then opportunities_known_as_of.expected_close_at
        end as expected_close_at,
        campaigns.utm_source,
        campaigns.utm_campaign,
        opportunities_known_as_of.opportunity_type,
        stage_history_summary.stage_row_count,
        stage_history_summary.backward_move_flag,
        activity_summary.email_count,
        activity_summary.call_count,
        activity_summary.meeting_count,
        activity_summary.demo_count,
        activity_summary.activity_count,
        activity_summary.first_activity_at,
        activity_summary.last_activity_at,
        opportunities_known_as_of.as_of_date
    from opportunities_known_as_of
    inner join stage_as_of
        on opportunities_known_as_of.opportunity_id = stage_as_of.opportunity_id
    left join opportunity_stages
        on stage_as_of.stage = opportunity_stages.stage_name
    left join campaigns
        on opportunities_known_as_of.campaign_id = campaigns.campaign_id
    left join stage_history_summary
        on opportunities_known_as_of.opportunity_id = stage_history_summary.opportunity_id
    left join activity_summary
        on opportunities_known_as_of.opportunity_id = activity_summary.opportunity_id

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
        case when is_closed then stage end as close_outcome,
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
                when not is_closed then {{
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

{#- One row per opportunity created by the end of the as-of date, stated as of then (doc block
    sales__as_of): its stage is the one of the as-of month's snapshot
    (int_opportunities_snapshotted_monthly, whose as-of month is measured at the end of the as-of
    date), and its outcome, close time, weighted probability, age and stage-history summary
    follow from it. A table: the sales and marketing marts, the touchpoints and the shared
    dimensions all read it. -#}
{{ config(materialized='table') }}

with

-- Staging's opportunities with their type (int_opportunities_classified).
opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

opportunity_snapshots as (

    select * from {{ ref('int_opportunities_snapshotted_monthly') }}

),

stages_as_of as (

    select * from {{ ref('int_opportunity_stages_as_of') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

opportunities_known_as_of as (

    select
        opportunities.*,
        reporting_dates.as_of_date
    from opportunities
    cross join reporting_dates
    where opportunities.created_at < reporting_dates.as_of_end_at

),

-- The snapshot taken on the as-of date: every opportunity known then has one.
stages_at_as_of_date as (

    select
        opportunity_snapshots.opportunity_id,
        opportunity_snapshots.stage_name,
        opportunity_snapshots.stage_entered_at,
        opportunity_snapshots.is_latest_stage
    from opportunity_snapshots
    inner join reporting_dates
        on opportunity_snapshots.snapshot_date = reporting_dates.as_of_date

),

stage_history_summary as (

    select
        opportunity_id,
        count(*) as stage_row_count,
        max(case when is_backward_move then 1 else 0 end) as backward_move_flag
    from stages_as_of
    group by opportunity_id

),

opportunities_joined as (

    select
        opportunities_known_as_of.opportunity_id,
        opportunities_known_as_of.account_id,
        opportunities_known_as_of.owner_id,
        opportunities_known_as_of.campaign_id,
        -- `stage` is the column's name in staging and the marts; only the alias trips RF04.
        stages_at_as_of_date.stage_name as stage,  -- noqa: RF04
        opportunities_known_as_of.lead_source,
        opportunities_known_as_of.product_line,
        opportunities_known_as_of.currency,
        opportunities_known_as_of.amount,
        opportunities_known_as_of.amount_usd,
        -- The CRM's probability belongs to its current stage: it applies only while the deal is
        -- still in that stage row; an earlier stage weighs its default probability.
        case
            when
                stages_at_as_of_date.is_latest_stage
                and stages_at_as_of_date.stage_name = opportunities_known_as_of.stage
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
                    coalesce(
                        stages_at_as_of_date.stage_entered_at, opportunities_known_as_of.closed_at
                    )
        end as closed_at,
        case
            when not opportunity_stages.is_closed
                then opportunities_known_as_of.expected_close_at
        end as expected_close_at,
        opportunities_known_as_of.opportunity_type,
        stage_history_summary.stage_row_count,
        stage_history_summary.backward_move_flag,
        opportunities_known_as_of.as_of_date
    from opportunities_known_as_of
    inner join stages_at_as_of_date
        on opportunities_known_as_of.opportunity_id = stages_at_as_of_date.opportunity_id
    left join opportunity_stages
        on stages_at_as_of_date.stage_name = opportunity_stages.stage_name
    left join stage_history_summary
        on opportunities_known_as_of.opportunity_id = stage_history_summary.opportunity_id

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
        currency,

        -- numerics
        stage_order,
        stage_probability,
        amount,
        amount_usd,
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

        -- booleans
        is_closed,
        is_won,
        coalesce(backward_move_flag = 1, false) as has_moved_backwards,

        -- timestamps
        created_at,
        closed_at,
        expected_close_at

    from opportunities_joined

)

select * from final

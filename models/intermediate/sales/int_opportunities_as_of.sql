{#- One row per opportunity created by the end of the as-of date, stated as of then (doc block
    sales__as_of): the opportunities and stages of the as-of month's snapshot
    (int_opportunities_snapshotted_monthly, whose as-of month is measured at the end of the as-of
    date), and the outcome, close time, weighted probability, age and stage-history summary that
    follow from the stage. A table: the sales and marketing marts, the touchpoints and the shared
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

-- The billing order a won deal was booked as, when booked by the as-of date: its term makes the
-- deal's annual value (doc block sales__acv_usd). A deal booked as several orders takes the
-- longest term.
orders as (

    select * from {{ ref('int_orders_as_of') }}

),

deal_orders as (

    select
        opportunity_id,
        max(term_months) as term_months
    from orders
    where opportunity_id is not null
    group by opportunity_id

),

-- The snapshot taken on the as-of date, at the end of that day: it has a row for exactly the
-- opportunities created by then, so it also makes the cut-off.
stages_at_as_of_date as (

    select
        opportunity_snapshots.opportunity_id,
        opportunity_snapshots.stage_name,
        opportunity_snapshots.stage_entered_at,
        opportunity_snapshots.is_latest_stage,
        reporting_dates.as_of_date
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
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.owner_id,
        opportunities.campaign_id,
        -- `stage` is the column's name in staging and the marts; only the alias trips RF04.
        stages_at_as_of_date.stage_name as stage,  -- noqa: RF04
        opportunities.lead_source,
        opportunities.product_line,
        opportunities.currency,
        opportunities.amount,
        opportunities.amount_usd,
        deal_orders.term_months,
        -- The CRM's probability belongs to its current stage: it applies only while the deal is
        -- still in that stage row; an earlier stage weighs its default probability.
        case
            when
                stages_at_as_of_date.is_latest_stage
                and stages_at_as_of_date.stage_name = opportunities.stage
                then opportunities.stage_probability
            else opportunity_stages.default_probability
        end as stage_probability,
        coalesce(opportunity_stages.is_closed, false) as is_closed,
        coalesce(opportunity_stages.is_won, false) as is_won,
        opportunity_stages.stage_order,
        opportunities.created_at,
        case
            when opportunity_stages.is_closed
                then coalesce(stages_at_as_of_date.stage_entered_at, opportunities.closed_at)
        end as closed_at,
        case
            when not opportunity_stages.is_closed
                then opportunities.expected_close_at
        end as expected_close_at,
        opportunities.opportunity_type,
        stage_history_summary.stage_row_count,
        stage_history_summary.backward_move_flag,
        stages_at_as_of_date.as_of_date
    from opportunities
    inner join stages_at_as_of_date
        on opportunities.opportunity_id = stages_at_as_of_date.opportunity_id
    left join opportunity_stages
        on stages_at_as_of_date.stage_name = opportunity_stages.stage_name
    left join stage_history_summary
        on opportunities.opportunity_id = stage_history_summary.opportunity_id
    left join deal_orders
        on
            opportunities.opportunity_id = deal_orders.opportunity_id
            and opportunity_stages.is_won

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
        amount_usd as tcv_usd,
        cast(coalesce(term_months, 12) as {{ dbt.type_int() }}) as contract_term_months,
        {{ usd_scaled('amount_usd', 12, 'coalesce(term_months, 12)') }} as acv_usd,
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

{#- Each opportunity in the stage it was in at each month's snapshot (the end of the month's last
    day, or of the as-of date in the as-of month). The rule is the doc block
    sales__stage_at_moment, written here only: the month-end pipeline (fct_pipeline_monthly)
    counts these rows, and the row of the as-of month is the opportunity's stage as of the as-of
    date (int_opportunities_as_of). -#}
with

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_classified') }}

),

stages_sequenced as (

    select * from {{ ref('int_opportunity_stages_sequenced') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

-- The first open stage of the pipeline, the last resort of the fallback (always one row).
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

-- The stage each opportunity was created in, for the fallback.
first_stages as (

    select
        opportunity_id,
        stage_name,
        is_closed_stage
    from stages_sequenced
    where stage_sequence = 1

),

-- Opportunities created by each snapshot (before the midnight that ends the snapshot day), with
-- what the CRM says about them now.
created_by_snapshot as (

    select
        month_spine.month_start_date,
        month_spine.snapshot_date,
        month_spine.snapshot_end_at,
        opportunities.opportunity_id,
        opportunities.stage as crm_stage,
        opportunities.is_closed as is_crm_closed,
        opportunities.closed_at as crm_closed_at,
        opportunities.opportunity_type,
        opportunities.amount_usd
    from month_spine
    inner join opportunities
        on month_spine.snapshot_end_at > opportunities.created_at

),

-- The stage row open at the snapshot moment (the last one entered before it), else the fallback,
-- so that an opportunity without history then is not lost: its CRM stage if the CRM closed it
-- before the moment; else the stage it was created in if that is open; else its CRM stage if that
-- is open; else the first open stage.
stage_at_snapshot as (

    select
        created_by_snapshot.month_start_date,
        created_by_snapshot.snapshot_date,
        created_by_snapshot.opportunity_id,
        created_by_snapshot.opportunity_type,
        created_by_snapshot.amount_usd,
        stages_sequenced.stage_history_id,
        coalesce(
            stages_sequenced.stage_name,
            case
                when created_by_snapshot.crm_closed_at < created_by_snapshot.snapshot_end_at
                    then created_by_snapshot.crm_stage
                when not first_stages.is_closed_stage then first_stages.stage_name
                when not created_by_snapshot.is_crm_closed then created_by_snapshot.crm_stage
                else first_open_stage.stage_name
            end
        ) as stage_name,
        stages_sequenced.entered_at as stage_entered_at,
        -- Without any history row, the CRM's stage is the latest one known.
        coalesce(stages_sequenced.is_current, first_stages.opportunity_id is null)
            as is_latest_stage
    from created_by_snapshot
    left join stages_sequenced
        on
            created_by_snapshot.opportunity_id = stages_sequenced.opportunity_id
            and {{ is_open_at(
                'created_by_snapshot.snapshot_end_at',
                'stages_sequenced.entered_at',
                'stages_sequenced.exited_at'
            ) }}
    left join first_stages
        on created_by_snapshot.opportunity_id = first_stages.opportunity_id
    cross join first_open_stage

),

final as (

    select
        -- ids
        opportunity_id,
        stage_history_id,

        -- strings
        stage_name,
        opportunity_type,

        -- numerics
        amount_usd,

        -- booleans
        is_latest_stage,

        -- dates and timestamps
        month_start_date as snapshot_month,
        snapshot_date,
        stage_entered_at

    from stage_at_snapshot

)

select * from final

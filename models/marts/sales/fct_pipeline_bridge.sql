{#- Month x opportunity type walk of the open pipeline from one month-end snapshot to the next
    (doc block sales__pipeline_bridge). Stocks and flows read the same rows,
    int_opportunities_snapshotted_monthly, the rows fct_pipeline_monthly counts, so opening +
    created - won - lost - disqualified + reopened = closing holds exactly, and each closing is the
    next opening and fct_pipeline_monthly's open pipeline of that month. -#}
with

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

opportunity_snapshots as (

    select * from {{ ref('int_opportunities_snapshotted_monthly') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

opportunity_types as (

    {{ opportunity_types_query() }}

),

-- Each opportunity's stage at the previous month's snapshot: its rows run without a gap from the
-- first snapshot after its creation to the as-of month, so the previous row is the previous
-- month's; none for the month it first appears in (or the first month of the spine).
snapshots_with_previous as (

    select
        opportunity_id,
        opportunity_type,
        snapshot_month,
        stage_name,
        amount_usd,
        lag(stage_name) over (
            partition by opportunity_id
            order by snapshot_month
        ) as previous_stage_name
    from opportunity_snapshots

),

snapshots_with_states as (

    select
        snapshots_with_previous.opportunity_id,
        snapshots_with_previous.opportunity_type,
        snapshots_with_previous.snapshot_month,
        snapshots_with_previous.amount_usd,
        not current_stages.is_closed as is_open,
        -- Every closed stage is one of the three outcomes: won, disqualified, else lost.
        case
            when not current_stages.is_closed then null
            when current_stages.is_won then 'won'
            when snapshots_with_previous.stage_name = 'disqualified' then 'disqualified'
            else 'lost'
        end as close_outcome,
        snapshots_with_previous.previous_stage_name is null as is_first_snapshot,
        coalesce(not previous_stages.is_closed, false) as was_open,
        coalesce(previous_stages.is_closed, false) as was_closed
    from snapshots_with_previous
    inner join opportunity_stages as current_stages
        on snapshots_with_previous.stage_name = current_stages.stage_name
    left join opportunity_stages as previous_stages
        on snapshots_with_previous.previous_stage_name = previous_stages.stage_name

),

-- Each opportunity's part in its month's walk, as 0/1 flags: in the opening pipeline if open at
-- the previous snapshot; created if this is its first snapshot; won, lost or disqualified if it is
-- closed now and was open before or is new (a deal created and closed in the month counts in
-- both: net 0); reopened if closed before and open now; in the closing pipeline if open now.
movements as (

    select
        opportunity_id,
        opportunity_type,
        snapshot_month,
        amount_usd,
        case when was_open then 1 else 0 end as is_opening,
        case when is_first_snapshot then 1 else 0 end as is_created,
        case
            when (was_open or is_first_snapshot) and close_outcome = 'won' then 1 else 0
        end as is_won,
        case
            when (was_open or is_first_snapshot) and close_outcome = 'lost' then 1 else 0
        end as is_lost,
        case
            when (was_open or is_first_snapshot) and close_outcome = 'disqualified' then 1 else 0
        end as is_disqualified,
        case when was_closed and is_open then 1 else 0 end as is_reopened,
        case when is_open then 1 else 0 end as is_closing
    from snapshots_with_states

),

movements_by_month as (

    select
        snapshot_month,
        opportunity_type,
        sum(is_opening) as opening_count,
        sum(is_opening * amount_usd) as opening_tcv_usd,
        sum(is_created) as created_count,
        sum(is_created * amount_usd) as created_tcv_usd,
        sum(is_won) as won_count,
        sum(is_won * amount_usd) as won_tcv_usd,
        sum(is_lost) as lost_count,
        sum(is_lost * amount_usd) as lost_tcv_usd,
        sum(is_disqualified) as disqualified_count,
        sum(is_disqualified * amount_usd) as disqualified_tcv_usd,
        sum(is_reopened) as reopened_count,
        sum(is_reopened * amount_usd) as reopened_tcv_usd,
        sum(is_closing) as closing_count,
        sum(is_closing * amount_usd) as closing_tcv_usd
    from movements
    group by
        snapshot_month,
        opportunity_type

),

month_type_grid as (

    select
        month_spine.month_start_date as pipeline_month,
        month_spine.month_end_date,
        month_spine.snapshot_date,
        opportunity_types.opportunity_type,
        opportunity_types.is_new_logo
    from month_spine
    cross join opportunity_types

),

bridge as (

    select
        month_type_grid.*,
        coalesce(movements_by_month.opening_count, 0) as opening_count,
        coalesce(movements_by_month.opening_tcv_usd, 0) as opening_tcv_usd,
        coalesce(movements_by_month.created_count, 0) as created_count,
        coalesce(movements_by_month.created_tcv_usd, 0) as created_tcv_usd,
        coalesce(movements_by_month.won_count, 0) as won_count,
        coalesce(movements_by_month.won_tcv_usd, 0) as won_tcv_usd,
        coalesce(movements_by_month.lost_count, 0) as lost_count,
        coalesce(movements_by_month.lost_tcv_usd, 0) as lost_tcv_usd,
        coalesce(movements_by_month.disqualified_count, 0) as disqualified_count,
        coalesce(movements_by_month.disqualified_tcv_usd, 0) as disqualified_tcv_usd,
        coalesce(movements_by_month.reopened_count, 0) as reopened_count,
        coalesce(movements_by_month.reopened_tcv_usd, 0) as reopened_tcv_usd,
        coalesce(movements_by_month.closing_count, 0) as closing_count,
        coalesce(movements_by_month.closing_tcv_usd, 0) as closing_tcv_usd
    from month_type_grid
    left join movements_by_month
        on
            month_type_grid.pipeline_month = movements_by_month.snapshot_month
            and month_type_grid.opportunity_type = movements_by_month.opportunity_type

),

-- Values are in TCV only, the one value a deal has while open (doc block
-- sales__open_pipeline_value).
final as (

    select
        -- dates
        pipeline_month,
        month_end_date,
        snapshot_date,

        -- strings
        opportunity_type,

        -- booleans
        is_new_logo,

        -- numerics
        cast(opening_count as {{ dbt.type_int() }}) as opening_count,
        cast(opening_tcv_usd as decimal(18, 2)) as opening_tcv_usd,
        cast(created_count as {{ dbt.type_int() }}) as created_count,
        cast(created_tcv_usd as decimal(18, 2)) as created_tcv_usd,
        cast(won_count as {{ dbt.type_int() }}) as won_count,
        cast(won_tcv_usd as decimal(18, 2)) as won_tcv_usd,
        cast(lost_count as {{ dbt.type_int() }}) as lost_count,
        cast(lost_tcv_usd as decimal(18, 2)) as lost_tcv_usd,
        cast(disqualified_count as {{ dbt.type_int() }}) as disqualified_count,
        cast(disqualified_tcv_usd as decimal(18, 2)) as disqualified_tcv_usd,
        cast(reopened_count as {{ dbt.type_int() }}) as reopened_count,
        cast(reopened_tcv_usd as decimal(18, 2)) as reopened_tcv_usd,
        cast(closing_count as {{ dbt.type_int() }}) as closing_count,
        cast(closing_tcv_usd as decimal(18, 2)) as closing_tcv_usd

    from bridge

)

select * from final

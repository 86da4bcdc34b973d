{#- Owner x quarter x opportunity type sales metrics; each metric is defined once in
    _sales__docs.md. Every additive count and value is a column, so that a rate over any set of
    rows (all types, the new-logo types, a team, a year) is a ratio of sums. -#}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

opportunity_types as (

    {{ opportunity_types_query() }}

),

-- Each quarter of the month spine with its snapshot, at which open opportunities are counted:
-- the end of the snapshot day of its last month in the spine, i.e. of the quarter's last day, or
-- of the as-of date in the as-of quarter.
quarter_snapshots as (

    select
        cast({{ dbt.date_trunc('quarter', 'month_start_date') }} as date) as quarter_start_date,
        max(snapshot_end_at) as snapshot_end_at
    from month_spine
    group by cast({{ dbt.date_trunc('quarter', 'month_start_date') }} as date)

),

quarters as (

    select
        quarter_start_date,
        cast(
            {{ dbt.dateadd(
                'day', -1, dbt.dateadd('month', 3, 'quarter_start_date')
            ) }} as date
        ) as quarter_end_date,
        snapshot_end_at
    from quarter_snapshots

),

owners as (

    select owner_id
    from opportunities
    group by owner_id

),

owner_quarter_type_grid as (

    select
        owners.owner_id,
        quarters.quarter_start_date,
        quarters.quarter_end_date,
        quarters.snapshot_end_at,
        opportunity_types.opportunity_type,
        opportunity_types.is_new_logo
    from owners
    cross join quarters
    cross join opportunity_types

),

-- fct_opportunities is already stated as of the as-of date (doc block sales__as_of): only deals
-- created by then, and closed_at and close_outcome only for those closed by then.
opportunities_with_quarters as (

    select
        owner_id,
        opportunity_type,
        tcv_usd,
        acv_usd,
        close_outcome,
        sales_cycle_days,
        created_at,
        closed_at,
        cast({{ dbt.date_trunc('quarter', 'created_at') }} as date) as created_quarter,
        cast({{ dbt.date_trunc('quarter', 'closed_at') }} as date) as closed_quarter
    from opportunities

),

created_by_quarter as (

    select
        owner_id,
        opportunity_type,
        created_quarter,
        count(*) as opportunities_created,
        sum(tcv_usd) as pipeline_created_tcv_usd
    from opportunities_with_quarters
    group by
        owner_id,
        opportunity_type,
        created_quarter

),

closed_by_quarter as (

    select
        owner_id,
        opportunity_type,
        closed_quarter,
        sum(case when close_outcome = 'closed_won' then 1 else 0 end) as opportunities_won,
        sum(case when close_outcome = 'closed_lost' then 1 else 0 end) as opportunities_lost,
        sum(case when close_outcome = 'disqualified' then 1 else 0 end)
            as opportunities_disqualified,
        sum(case when close_outcome = 'closed_won' then acv_usd else 0 end) as won_acv_usd,
        sum(case when close_outcome = 'closed_won' then tcv_usd else 0 end) as won_tcv_usd,
        sum(case when close_outcome = 'closed_lost' then tcv_usd else 0 end) as lost_tcv_usd,
        sum(case when close_outcome = 'disqualified' then tcv_usd else 0 end)
            as disqualified_tcv_usd,
        sum(case when close_outcome = 'closed_won' then sales_cycle_days else 0 end)
            as won_sales_cycle_days,
        {{ median("case when close_outcome = 'closed_won' then sales_cycle_days end") }}
            as median_sales_cycle_days
    from opportunities_with_quarters
    where closed_at is not null
    group by
        owner_id,
        opportunity_type,
        closed_quarter

),

open_at_quarter_end as (

    select
        owner_quarter_type_grid.owner_id,
        owner_quarter_type_grid.opportunity_type,
        owner_quarter_type_grid.quarter_start_date,
        count(*) as open_opportunities_at_quarter_end
    from owner_quarter_type_grid
    inner join opportunities_with_quarters
        on
            owner_quarter_type_grid.owner_id = opportunities_with_quarters.owner_id
            and owner_quarter_type_grid.opportunity_type
            = opportunities_with_quarters.opportunity_type
            and {{ is_open_at(
                'owner_quarter_type_grid.snapshot_end_at',
                'opportunities_with_quarters.created_at',
                'opportunities_with_quarters.closed_at'
            ) }}
    group by
        owner_quarter_type_grid.owner_id,
        owner_quarter_type_grid.opportunity_type,
        owner_quarter_type_grid.quarter_start_date

),

metrics as (

    select
        owner_quarter_type_grid.owner_id,
        owner_quarter_type_grid.quarter_start_date,
        owner_quarter_type_grid.quarter_end_date,
        owner_quarter_type_grid.opportunity_type,
        owner_quarter_type_grid.is_new_logo,
        coalesce(created_by_quarter.opportunities_created, 0) as opportunities_created,
        coalesce(created_by_quarter.pipeline_created_tcv_usd, 0) as pipeline_created_tcv_usd,
        coalesce(closed_by_quarter.opportunities_won, 0) as opportunities_won,
        coalesce(closed_by_quarter.opportunities_lost, 0) as opportunities_lost,
        coalesce(closed_by_quarter.opportunities_disqualified, 0) as opportunities_disqualified,
        coalesce(closed_by_quarter.won_acv_usd, 0) as won_acv_usd,
        coalesce(closed_by_quarter.won_tcv_usd, 0) as won_tcv_usd,
        coalesce(closed_by_quarter.lost_tcv_usd, 0) as lost_tcv_usd,
        coalesce(closed_by_quarter.disqualified_tcv_usd, 0) as disqualified_tcv_usd,
        coalesce(closed_by_quarter.won_sales_cycle_days, 0) as won_sales_cycle_days,
        closed_by_quarter.median_sales_cycle_days,
        coalesce(open_at_quarter_end.open_opportunities_at_quarter_end, 0)
            as open_opportunities_at_quarter_end
    from owner_quarter_type_grid
    left join created_by_quarter
        on
            owner_quarter_type_grid.owner_id = created_by_quarter.owner_id
            and owner_quarter_type_grid.opportunity_type = created_by_quarter.opportunity_type
            and owner_quarter_type_grid.quarter_start_date = created_by_quarter.created_quarter
    left join closed_by_quarter
        on
            owner_quarter_type_grid.owner_id = closed_by_quarter.owner_id
            and owner_quarter_type_grid.opportunity_type = closed_by_quarter.opportunity_type
            and owner_quarter_type_grid.quarter_start_date = closed_by_quarter.closed_quarter
    left join open_at_quarter_end
        on
            owner_quarter_type_grid.owner_id = open_at_quarter_end.owner_id
            and owner_quarter_type_grid.opportunity_type = open_at_quarter_end.opportunity_type
            and owner_quarter_type_grid.quarter_start_date = open_at_quarter_end.quarter_start_date

),

-- Disqualified deals are outside the rates (doc block sales__opportunities_disqualified). The
-- rate by value compares won and lost deals in TCV, the value both had while open (doc block
-- sales__win_rate_by_value): a lost deal has no booked term, so no ACV of its own.
rates as (

    select
        metrics.*,
        cast(metrics.opportunities_won as {{ type_double() }})
        / nullif(metrics.opportunities_won + metrics.opportunities_lost, 0) as win_rate_by_count,
        cast(metrics.won_tcv_usd as {{ type_double() }})
        / nullif(metrics.won_tcv_usd + metrics.lost_tcv_usd, 0) as win_rate_by_value,
        cast(metrics.won_acv_usd as {{ type_double() }})
        / nullif(metrics.opportunities_won, 0) as average_won_deal_acv_usd,
        cast(metrics.won_sales_cycle_days as {{ type_double() }})
        / nullif(metrics.opportunities_won, 0) as average_sales_cycle_days
    from metrics

),

-- Velocity from the unrounded average deal; 0 when deals were won or lost but none was won (the
-- win rate is 0, even though deal size and cycle are unknown).
velocity as (

    select
        rates.*,
        case
            when rates.win_rate_by_count = 0 then 0
            else
                rates.open_opportunities_at_quarter_end
                * rates.win_rate_by_count
                * rates.average_won_deal_acv_usd
                / nullif(rates.average_sales_cycle_days, 0)
        end as pipeline_velocity_acv_usd_per_day
    from rates

),

final as (

    select
        -- ids
        owner_id,

        -- dates
        quarter_start_date,
        quarter_end_date,

        -- strings
        opportunity_type,

        -- booleans
        is_new_logo,

        -- numerics
        cast(opportunities_created as {{ dbt.type_int() }}) as opportunities_created,
        cast(pipeline_created_tcv_usd as decimal(18, 2)) as pipeline_created_tcv_usd,
        cast(opportunities_won as {{ dbt.type_int() }}) as opportunities_won,
        cast(opportunities_lost as {{ dbt.type_int() }}) as opportunities_lost,
        cast(opportunities_disqualified as {{ dbt.type_int() }}) as opportunities_disqualified,
        cast(won_acv_usd as decimal(18, 2)) as won_acv_usd,
        cast(won_tcv_usd as decimal(18, 2)) as won_tcv_usd,
        cast(lost_tcv_usd as decimal(18, 2)) as lost_tcv_usd,
        cast(disqualified_tcv_usd as decimal(18, 2)) as disqualified_tcv_usd,
        cast(win_rate_by_count as {{ type_double() }}) as win_rate_by_count,
        cast(win_rate_by_value as {{ type_double() }}) as win_rate_by_value,
        cast(
            round(cast(average_won_deal_acv_usd as decimal(28, 6)), 2) as decimal(18, 2)
        ) as average_won_deal_acv_usd,
        cast(won_sales_cycle_days as {{ dbt.type_int() }}) as won_sales_cycle_days,
        cast(median_sales_cycle_days as {{ type_double() }}) as median_sales_cycle_days,
        cast(average_sales_cycle_days as {{ type_double() }}) as average_sales_cycle_days,
        cast(open_opportunities_at_quarter_end as {{ dbt.type_int() }})
            as open_opportunities_at_quarter_end,
        cast(
            round(cast(pipeline_velocity_acv_usd_per_day as decimal(28, 6)), 2)
            as decimal(18, 2)
        ) as pipeline_velocity_acv_usd_per_day

    from velocity

)

select * from final

{#- Owner x quarter sales metrics; each metric is defined once in _sales__docs.md. -#}
with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

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

owner_quarter_grid as (

    select
        owners.owner_id,
        quarters.quarter_start_date,
        quarters.quarter_end_date,
        quarters.snapshot_end_at
    from owners
    cross join quarters

),

-- fct_opportunities is already stated as of the as-of date (doc block sales__as_of): only deals
-- created by then, and closed_at / is_won only for those closed by then.
opportunities_with_quarters as (

    select
        owner_id,
        amount_usd,
        is_won,
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
        created_quarter,
        count(*) as opportunities_created,
        sum(amount_usd) as pipeline_created_usd
    from opportunities_with_quarters
    group by
        owner_id,
        created_quarter

),

closed_by_quarter as (

    select
        owner_id,
        closed_quarter,
        sum(case when is_won then 1 else 0 end) as opportunities_won,
        sum(case when is_won then 0 else 1 end) as opportunities_lost,
        sum(case when is_won then amount_usd else 0 end) as won_amount_usd,
        sum(case when is_won then 0 else amount_usd end) as lost_amount_usd,
        avg(case when is_won then amount_usd end) as average_won_deal_usd,
        {{ median('case when is_won then sales_cycle_days end') }} as median_sales_cycle_days,
        avg(case when is_won then cast(sales_cycle_days as {{ type_double() }}) end)
            as average_sales_cycle_days
    from opportunities_with_quarters
    where closed_at is not null
    group by
        owner_id,
        closed_quarter

),

open_at_quarter_end as (

    select
        owner_quarter_grid.owner_id,
        owner_quarter_grid.quarter_start_date,
        count(*) as open_opportunities_at_quarter_end
    from owner_quarter_grid
    inner join opportunities_with_quarters
        on
            owner_quarter_grid.owner_id = opportunities_with_quarters.owner_id
            and {{ is_open_at(
                'owner_quarter_grid.snapshot_end_at',
                'opportunities_with_quarters.created_at',
                'opportunities_with_quarters.closed_at'
            ) }}
    group by
        owner_quarter_grid.owner_id,
        owner_quarter_grid.quarter_start_date

),

metrics as (

    select
        owner_quarter_grid.owner_id,
        owner_quarter_grid.quarter_start_date,
        owner_quarter_grid.quarter_end_date,
        coalesce(created_by_quarter.opportunities_created, 0) as opportunities_created,
        coalesce(closed_by_quarter.opportunities_won, 0) as opportunities_won,
        coalesce(closed_by_quarter.opportunities_lost, 0) as opportunities_lost,
        closed_by_quarter.won_amount_usd,
        closed_by_quarter.lost_amount_usd,
        closed_by_quarter.average_won_deal_usd,
        closed_by_quarter.median_sales_cycle_days,
        closed_by_quarter.average_sales_cycle_days,
        coalesce(created_by_quarter.pipeline_created_usd, 0) as pipeline_created_usd,
        coalesce(open_at_quarter_end.open_opportunities_at_quarter_end, 0)
            as open_opportunities_at_quarter_end
    from owner_quarter_grid
    left join created_by_quarter
        on
            owner_quarter_grid.owner_id = created_by_quarter.owner_id
            and owner_quarter_grid.quarter_start_date = created_by_quarter.created_quarter
    left join closed_by_quarter
        on
            owner_quarter_grid.owner_id = closed_by_quarter.owner_id
            and owner_quarter_grid.quarter_start_date = closed_by_quarter.closed_quarter
    left join open_at_quarter_end
        on
            owner_quarter_grid.owner_id = open_at_quarter_end.owner_id
            and owner_quarter_grid.quarter_start_date = open_at_quarter_end.quarter_start_date

),

rates as (

    select
        metrics.*,
        cast(metrics.opportunities_won as {{ type_double() }})
        / nullif(metrics.opportunities_won + metrics.opportunities_lost, 0) as win_rate_by_count,
        cast(metrics.won_amount_usd as {{ type_double() }})
        / nullif(metrics.won_amount_usd + metrics.lost_amount_usd, 0) as win_rate_by_amount
    from metrics

),

-- Velocity from the unrounded average deal; 0 when deals closed but none was won (the win rate
-- is 0, even though deal size and cycle are unknown).
velocity as (

    select
        rates.*,
        case
            when rates.win_rate_by_count = 0 then 0
            else
                rates.open_opportunities_at_quarter_end
                * rates.win_rate_by_count
                * cast(rates.average_won_deal_usd as {{ type_double() }})
                / nullif(rates.average_sales_cycle_days, 0)
        end as pipeline_velocity_usd_per_day
    from rates

),

final as (

    select
        -- ids
        owner_id,

        -- dates
        quarter_start_date,
        quarter_end_date,

        -- numerics
        cast(opportunities_created as {{ dbt.type_int() }}) as opportunities_created,
        cast(opportunities_won as {{ dbt.type_int() }}) as opportunities_won,
        cast(opportunities_lost as {{ dbt.type_int() }}) as opportunities_lost,
        cast(win_rate_by_count as {{ type_double() }}) as win_rate_by_count,
        cast(win_rate_by_amount as {{ type_double() }}) as win_rate_by_amount,
        cast(
            round(cast(average_won_deal_usd as decimal(28, 6)), 2) as decimal(18, 2)
        ) as average_won_deal_usd,
        cast(median_sales_cycle_days as {{ type_double() }}) as median_sales_cycle_days,
        cast(average_sales_cycle_days as {{ type_double() }}) as average_sales_cycle_days,
        cast(pipeline_created_usd as decimal(18, 2)) as pipeline_created_usd,
        cast(open_opportunities_at_quarter_end as {{ dbt.type_int() }})
            as open_opportunities_at_quarter_end,
        cast(
            round(cast(pipeline_velocity_usd_per_day as decimal(28, 6)), 2) as decimal(18, 2)
        ) as pipeline_velocity_usd_per_day

    from velocity

)

select * from final

{#- Open stage x quarter x opportunity type: what became of the stage entries of the quarter by
    the as-of date (doc block sales__stage_conversion), and how long the finished ones lasted
    (doc block sales__days_in_stage). -#}
with

stages_as_of as (

    select * from {{ ref('int_opportunity_stages_as_of') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

opportunity_types as (

    {{ opportunity_types_query() }}

),

open_stages as (

    select
        stage_name,
        stage_order
    from opportunity_stages
    where not is_closed

),

-- The history is known up to the as-of date, each opportunity's rows a prefix of its history:
-- the row after an entry is the stage it moved to by then, none while it is still in it.
stages_with_next as (

    select
        opportunity_id,
        stage_name,
        stage_order,
        is_closed_stage,
        days_in_stage,
        entered_at,
        lead(stage_name) over (
            partition by opportunity_id
            order by stage_sequence
        ) as next_stage_name
    from stages_as_of

),

-- Entries into open stages only (a closed stage is an outcome), each with how it ended. Every
-- closed stage is one of the three outcomes: won, disqualified, else lost (closed_lost), as in
-- fct_pipeline_bridge.
stage_entries as (

    select
        stages_with_next.stage_name,
        opportunities.opportunity_type,
        stages_with_next.days_in_stage,
        cast({{ dbt.date_trunc('quarter', 'stages_with_next.entered_at') }} as date)
            as entered_quarter,
        case
            when stages_with_next.next_stage_name is null then 'still_in_stage'
            when next_stages.is_won then 'advanced'
            when stages_with_next.next_stage_name = 'disqualified' then 'disqualified'
            when next_stages.is_closed then 'lost'
            when next_stages.stage_order > stages_with_next.stage_order then 'advanced'
            else 'moved_back'
        end as stage_exit
    from stages_with_next
    inner join opportunities
        on stages_with_next.opportunity_id = opportunities.opportunity_id
    left join opportunity_stages as next_stages
        on stages_with_next.next_stage_name = next_stages.stage_name
    where not stages_with_next.is_closed_stage

),

entries_by_quarter as (

    select
        stage_name,
        opportunity_type,
        entered_quarter,
        count(*) as entered_count,
        sum(case when stage_exit = 'advanced' then 1 else 0 end) as advanced_count,
        sum(case when stage_exit = 'lost' then 1 else 0 end) as lost_count,
        sum(case when stage_exit = 'disqualified' then 1 else 0 end) as disqualified_count,
        sum(case when stage_exit = 'moved_back' then 1 else 0 end) as moved_back_count,
        sum(case when stage_exit = 'still_in_stage' then 1 else 0 end) as still_in_stage_count,
        {{ median("case when stage_exit != 'still_in_stage' then days_in_stage end") }}
            as median_days_in_stage,
        {{ percentile("case when stage_exit != 'still_in_stage' then days_in_stage end", 0.75) }}
            as p75_days_in_stage
    from stage_entries
    group by
        stage_name,
        opportunity_type,
        entered_quarter

),

-- The quarters in which any open stage was entered: every quarter of the data window, as deals
-- move every quarter.
quarters as (

    select entered_quarter as quarter_start_date
    from stage_entries
    group by entered_quarter

),

-- Every open stage in every quarter for every type, so that empty cells are zeros, not gaps.
stage_quarter_type_grid as (

    select
        open_stages.stage_name,
        open_stages.stage_order,
        quarters.quarter_start_date,
        cast(
            {{ dbt.dateadd(
                'day', -1, dbt.dateadd('month', 3, 'quarters.quarter_start_date')
            ) }} as date
        ) as quarter_end_date,
        opportunity_types.opportunity_type,
        opportunity_types.is_new_logo
    from open_stages
    cross join quarters
    cross join opportunity_types

),

conversion as (

    select
        stage_quarter_type_grid.*,
        coalesce(entries_by_quarter.entered_count, 0) as entered_count,
        coalesce(entries_by_quarter.advanced_count, 0) as advanced_count,
        coalesce(entries_by_quarter.lost_count, 0) as lost_count,
        coalesce(entries_by_quarter.disqualified_count, 0) as disqualified_count,
        coalesce(entries_by_quarter.moved_back_count, 0) as moved_back_count,
        coalesce(entries_by_quarter.still_in_stage_count, 0) as still_in_stage_count,
        entries_by_quarter.median_days_in_stage,
        entries_by_quarter.p75_days_in_stage
    from stage_quarter_type_grid
    left join entries_by_quarter
        on
            stage_quarter_type_grid.stage_name = entries_by_quarter.stage_name
            and stage_quarter_type_grid.opportunity_type = entries_by_quarter.opportunity_type
            and stage_quarter_type_grid.quarter_start_date = entries_by_quarter.entered_quarter

),

final as (

    select
        -- dates
        quarter_start_date,
        quarter_end_date,

        -- strings
        stage_name,
        opportunity_type,

        -- booleans
        is_new_logo,

        -- numerics
        stage_order,
        cast(entered_count as {{ dbt.type_int() }}) as entered_count,
        cast(advanced_count as {{ dbt.type_int() }}) as advanced_count,
        cast(lost_count as {{ dbt.type_int() }}) as lost_count,
        cast(disqualified_count as {{ dbt.type_int() }}) as disqualified_count,
        cast(moved_back_count as {{ dbt.type_int() }}) as moved_back_count,
        cast(still_in_stage_count as {{ dbt.type_int() }}) as still_in_stage_count,
        cast(advanced_count as {{ type_double() }}) / nullif(entered_count, 0)
            as stage_conversion_rate,
        cast(median_days_in_stage as {{ type_double() }}) as median_days_in_stage,
        cast(p75_days_in_stage as {{ type_double() }}) as p75_days_in_stage

    from conversion

)

select * from final

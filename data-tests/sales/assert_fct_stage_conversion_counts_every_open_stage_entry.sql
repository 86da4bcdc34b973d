-- fct_stage_conversion counts every entry into an open stage of fct_opportunity_stages (every row
-- whose stage is open in the opportunity_stages seed) once, under its stage and the quarter it
-- was entered in: per stage and quarter, the entries summed over the types, those still in the
-- stage (the current rows), and those that ended lost and disqualified (the rows followed by a
-- closed_lost, a disqualified row: two outcomes kept apart), match. Returns the stages and
-- quarters that disagree.

with

stage_conversion as (

    select * from {{ ref('fct_stage_conversion') }}

),

opportunity_stage_rows as (

    select * from {{ ref('fct_opportunity_stages') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

conversion_totals as (

    select
        stage_name,
        quarter_start_date,
        sum(entered_count) as entered_count,
        sum(still_in_stage_count) as still_in_stage_count,
        sum(lost_count) as lost_count,
        sum(disqualified_count) as disqualified_count
    from stage_conversion
    group by
        stage_name,
        quarter_start_date

),

-- The row that follows each stage row of an opportunity, if any.
next_stage_rows as (

    select
        opportunity_id,
        stage_sequence - 1 as previous_stage_sequence,
        stage_name
    from opportunity_stage_rows

),

stage_row_totals as (

    select
        opportunity_stage_rows.stage_name,
        cast({{ dbt.date_trunc('quarter', 'opportunity_stage_rows.entered_at') }} as date)
            as quarter_start_date,
        count(*) as entered_count,
        sum(case when opportunity_stage_rows.is_current then 1 else 0 end)
            as still_in_stage_count,
        sum(case when next_stage_rows.stage_name = 'closed_lost' then 1 else 0 end)
            as lost_count,
        sum(case when next_stage_rows.stage_name = 'disqualified' then 1 else 0 end)
            as disqualified_count
    from opportunity_stage_rows
    inner join opportunity_stages
        on opportunity_stage_rows.stage_name = opportunity_stages.stage_name
    left join next_stage_rows
        on
            opportunity_stage_rows.opportunity_id = next_stage_rows.opportunity_id
            and opportunity_stage_rows.stage_sequence = next_stage_rows.previous_stage_sequence
    where not opportunity_stages.is_closed
    group by
        opportunity_stage_rows.stage_name,
        cast({{ dbt.date_trunc('quarter', 'opportunity_stage_rows.entered_at') }} as date)

),

final as (

    select
        coalesce(conversion_totals.stage_name, stage_row_totals.stage_name) as stage_name,
        coalesce(conversion_totals.quarter_start_date, stage_row_totals.quarter_start_date)
            as quarter_start_date,
        conversion_totals.entered_count,
        stage_row_totals.entered_count as expected_entered_count,
        conversion_totals.still_in_stage_count,
        stage_row_totals.still_in_stage_count as expected_still_in_stage_count,
        conversion_totals.lost_count,
        stage_row_totals.lost_count as expected_lost_count,
        conversion_totals.disqualified_count,
        stage_row_totals.disqualified_count as expected_disqualified_count
    from conversion_totals
    full outer join stage_row_totals
        on
            conversion_totals.stage_name = stage_row_totals.stage_name
            and conversion_totals.quarter_start_date = stage_row_totals.quarter_start_date
    where
        coalesce(conversion_totals.entered_count, 0)
        != coalesce(stage_row_totals.entered_count, 0)
        or coalesce(conversion_totals.still_in_stage_count, 0)
        != coalesce(stage_row_totals.still_in_stage_count, 0)
        or coalesce(conversion_totals.lost_count, 0) != coalesce(stage_row_totals.lost_count, 0)
        or coalesce(conversion_totals.disqualified_count, 0)
        != coalesce(stage_row_totals.disqualified_count, 0)

)

select * from final

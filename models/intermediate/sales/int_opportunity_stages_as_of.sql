{#- The stage history as it stood at the end of the as-of date (doc block sales__as_of): the rows
    entered by then, a stage left only after it still current, and how long each stage lasted
    (doc block sales__days_in_stage). Rows are a prefix of each opportunity's history, so
    stage_sequence and the backward-move flag (which look only at earlier rows) stay as they are. -#}
with

stages_sequenced as (

    select * from {{ ref('int_opportunity_stages_sequenced') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

-- The rows entered by then; a row left only after then has no exit yet. Its latest-ness in the
-- whole history (is_current of the sequenced rows) is kept as is_latest_stage.
stages_known_as_of as (

    select
        stages_sequenced.*,
        stages_sequenced.is_current as is_latest_stage,
        case
            when stages_sequenced.exited_at < reporting_dates.as_of_end_at
                then stages_sequenced.exited_at
        end as exited_by_as_of_at,
        reporting_dates.as_of_end_at
    from stages_sequenced
    cross join reporting_dates
    where stages_sequenced.entered_at < reporting_dates.as_of_end_at

),

-- A stage still open at the as-of date is measured to its end; a closed stage (an outcome) is not
-- measured.
stages_with_end as (

    select
        *,
        case
            when exited_by_as_of_at is not null then exited_by_as_of_at
            when not is_closed_stage then as_of_end_at
        end as measured_until_at
    from stages_known_as_of

),

final as (

    select
        -- ids
        stage_history_id,
        opportunity_id,

        -- strings
        stage_name,

        -- numerics
        stage_order,
        stage_sequence,
        cast(
            {{ dbt.datediff(
                'entered_at', 'measured_until_at', 'second'
            ) }}
            / 86400.0 as decimal(18, 4)
        ) as days_in_stage,

        -- booleans
        is_closed_stage,
        exited_by_as_of_at is null as is_current,
        is_latest_stage,
        is_backward_move,

        -- timestamps
        entered_at,
        exited_by_as_of_at as exited_at

    from stages_with_end

)

select * from final

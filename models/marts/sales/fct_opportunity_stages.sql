{#- Stage durations: the rule is the doc block sales__days_in_stage. -#}
with

stages_sequenced as (

    select * from {{ ref('int_opportunity_stages_sequenced') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

-- A still-open stage is measured to the end of the as-of date (midnight that follows it); one
-- entered after that (only with an as_of_date before the data end) is not measured.
as_of_moment as (

    select
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }})
            as as_of_end_at
    from reporting_dates

),

stages_with_end as (

    select
        stages_sequenced.*,
        case
            when stages_sequenced.exited_at is not null then stages_sequenced.exited_at
            when
                not stages_sequenced.is_closed_stage
                and stages_sequenced.entered_at < as_of_moment.as_of_end_at
                then as_of_moment.as_of_end_at
        end as measured_until_at
    from stages_sequenced
    cross join as_of_moment

),

final as (

    select
        stage_history_id,
        opportunity_id,
        stage_name,
        stage_order,
        stage_sequence,
        entered_at,
        exited_at,
        cast(
            {{ dbt.datediff(
                'entered_at', 'measured_until_at', 'second'
            ) }}
            / 86400.0 as decimal(18, 4)
        ) as days_in_stage,
        is_current,
        is_backward_move
    from stages_with_end

)

select * from final

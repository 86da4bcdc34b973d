{#- The calendar: one row per day from the first day of the first month with data to the as-of
    date, built from the month spine (int_month_spine), so that it covers exactly the months the
    monthly marts report. Only portable date arithmetic: dbt's cross-database macros, extract()
    and a day of the week counted from a known Monday. -#}
with

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

day_offsets as (

    {% for day_offset in range(31) -%}
        select {{ day_offset }} as day_offset
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- Each month's days up to its snapshot day: the month's last day, or the as-of date in the
-- as-of month.
days as (

    select
        cast(
            {{ dbt.dateadd('day', 'day_offsets.day_offset', 'month_spine.month_start_date') }}
            as date
        ) as date_day,
        month_spine.month_start_date,
        month_spine.month_end_date,
        month_spine.snapshot_date
    from month_spine
    cross join day_offsets
    where
        {{ dbt.dateadd('day', 'day_offsets.day_offset', 'month_spine.month_start_date') }}
        <= month_spine.snapshot_date

),

days_with_periods as (

    select
        days.*,
        cast({{ dbt.date_trunc('quarter', 'days.date_day') }} as date) as quarter_start_date,
        cast({{ dbt.date_trunc('year', 'days.date_day') }} as date) as year_start_date,
        reporting_dates.as_of_date
    from days
    cross join reporting_dates

),

days_with_period_ends as (

    select
        *,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'quarter_start_date')) }} as date
        ) as quarter_end_date,
        cast(
            {{ dbt.dateadd('day', -1, dbt.dateadd('year', 1, 'year_start_date')) }} as date
        ) as year_end_date
    from days_with_periods

),

final as (

    select
        -- dates
        date_day,
        month_start_date,
        month_end_date,
        quarter_start_date,
        quarter_end_date,
        year_start_date,
        year_end_date,
        snapshot_date as month_snapshot_date,

        -- numerics
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as year_number,
        cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as quarter_of_year,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as month_of_year,
        cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
        -- 1 January 1900 was a Monday: counting days from it gives the ISO day of the week
        -- whatever the warehouse's own week numbering.
        cast(
            mod({{ dbt.datediff("cast('1900-01-01' as date)", 'date_day', 'day') }}, 7) + 1
            as {{ dbt.type_int() }}
        ) as day_of_week,

        -- booleans
        date_day = month_end_date as is_month_end,
        date_day = quarter_end_date as is_quarter_end,
        date_day = year_end_date as is_year_end,
        date_day = snapshot_date as is_month_snapshot_date,
        date_day = as_of_date as is_as_of_date

    from days_with_period_ends

)

select * from final

-- dim_dates is a calendar without gaps: one row per day from the first day of the first month
-- with data to the as-of date (as many rows as days between them), the last one flagged as the
-- as-of date and no other. Returns the calendar's range when it disagrees.

with

calendar as (

    select * from {{ ref('dim_dates') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

calendar_range as (

    select
        count(*) as day_count,
        min(date_day) as first_day,
        max(date_day) as last_day,
        sum(case when is_as_of_date then 1 else 0 end) as as_of_day_count,
        max(case when is_as_of_date then date_day end) as as_of_day
    from calendar

),

calendar_range_with_span as (

    select
        *,
        {{ dbt.datediff(
            'first_day', 'last_day', 'day'
        ) }} + 1 as days_in_range
    from calendar_range

),

final as (

    select
        calendar_range.day_count,
        calendar_range.first_day,
        calendar_range.last_day,
        calendar_range.as_of_day_count,
        reporting_dates.data_start_month,
        reporting_dates.as_of_date
    from calendar_range_with_span as calendar_range
    cross join reporting_dates
    where
        calendar_range.first_day != reporting_dates.data_start_month
        or calendar_range.last_day != reporting_dates.as_of_date
        or calendar_range.day_count != calendar_range.days_in_range
        or calendar_range.as_of_day_count != 1
        or calendar_range.as_of_day != reporting_dates.as_of_date

)

select * from final

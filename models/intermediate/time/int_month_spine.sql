{#- Months from the first month with data to the as-of month, each with the day it is measured
    on and the moment that ends that day. Built from a digits cross join (portable to every
    warehouse, no generate_series): up to 1,000 months. -#}
with

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

digits as (

    {% for digit in range(10) -%}
        select {{ digit }} as digit
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

month_numbers as (

    select hundreds.digit * 100 + tens.digit * 10 + ones.digit as month_number
    from digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

months_in_window as (

    select
        month_numbers.month_number,
        reporting_dates.data_start_month,
        reporting_dates.as_of_date
    from month_numbers
    cross join reporting_dates
    where
        month_numbers.month_number <= {{
            dbt.datediff('reporting_dates.data_start_month', 'reporting_dates.as_of_month', 'month')
        }}

),

months as (

    select
        cast(
            {{ dbt.dateadd('month', 'month_number', 'data_start_month') }} as date
        ) as month_start_date,
        month_number,
        as_of_date
    from months_in_window

),

months_with_end as (

    select
        month_start_date,
        cast(
            {{ dbt.dateadd(
                'day', -1, dbt.dateadd('month', 1, 'month_start_date')
            ) }} as date
        ) as month_end_date,
        month_number,
        as_of_date
    from months

),

months_with_snapshot as (

    select
        month_start_date,
        month_end_date,
        -- The as-of month is measured on the as-of date, every other month on its last day.
        case
            when month_end_date < as_of_date then month_end_date
            else as_of_date
        end as snapshot_date,
        month_number
    from months_with_end

),

-- "At the snapshot" means before the midnight that ends the snapshot day.
final as (

    select
        *,
        cast({{ dbt.dateadd('day', 1, 'snapshot_date') }} as {{ dbt.type_timestamp() }})
            as snapshot_end_at
    from months_with_snapshot

)

select * from final

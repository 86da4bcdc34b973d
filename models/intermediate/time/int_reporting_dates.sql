{#- The one place that decides "as of": the as_of_date var when set, otherwise the last day that
    has data. Every mart reads its dates from here; no model reads the clock. -#}
{%- set as_of_date = var('as_of_date', none) -%}

with

leads as (

    select * from {{ ref('stg_crm__leads') }}

),

contacts as (

    select * from {{ ref('stg_crm__contacts') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

stage_history as (

    select * from {{ ref('stg_crm__opportunity_stage_history') }}

),

activities as (

    select * from {{ ref('stg_crm__activities') }}

),

marketing_events as (

    select * from {{ ref('stg_marketing__events') }}

),

orders as (

    select * from {{ ref('stg_billing__orders') }}

),

-- Moments at which something happened. Expected close dates of open deals are plans, not data,
-- and account records may be imported long before any activity, so neither counts.
event_moments as (

    select created_at as happened_at from leads
    union all
    select created_at as happened_at from contacts
    union all
    select created_at as happened_at from opportunities
    union all
    select closed_at as happened_at from opportunities
    union all
    select entered_at as happened_at from stage_history
    union all
    select occurred_at as happened_at from activities
    union all
    select occurred_at as happened_at from marketing_events
    union all
    select ordered_at as happened_at from orders

),

data_range as (

    select
        cast(min(happened_at) as date) as data_start_date,
        cast(max(happened_at) as date) as data_end_date
    from event_moments

),

reporting_window as (

    select
        data_start_date,
        data_end_date,
        {% if as_of_date -%}
            cast('{{ as_of_date }}' as date) as as_of_date,
        {%- else -%}
            data_end_date as as_of_date,
        {%- endif %}
        cast({{ dbt.date_trunc('month', 'data_start_date') }} as date) as data_start_month,
        {% if as_of_date -%}
            cast({{ dbt.date_trunc('month', "cast('" ~ as_of_date ~ "' as date)") }} as date)
            as as_of_month
        {%- else -%}
            cast({{ dbt.date_trunc('month', 'data_end_date') }} as date) as as_of_month
        {%- endif %}
    from data_range

),

final as (

    select
        data_start_date,
        data_end_date,
        as_of_date,
        data_start_month,
        as_of_month,
        -- "By the as-of date" means before this moment: the midnight that follows it.
        cast({{ dbt.dateadd('day', 1, 'as_of_date') }} as {{ dbt.type_timestamp() }})
            as as_of_end_at
    from reporting_window

)

select * from final

{#- One row per month, from the first month with data to the as-of month: the term contracts
    whose service ended that month (by the as-of date), and how many of them, and how much of
    their ARR, a renewal deal renewed (counted in int_orders_aggregated_to_months; doc block
    finance__renewal_rate), with the gross renewal rates. -#}
with

monthly_orders as (

    select * from {{ ref('int_orders_aggregated_to_months') }}

),

final as (

    select
        -- dates
        month_start_date as renewal_month,

        -- numerics: counts
        contracts_up_for_renewal,
        contracts_renewed_on_time,
        contracts_renewed_late,
        cast(
            contracts_renewed_on_time + contracts_renewed_late as {{ dbt.type_int() }}
        ) as contracts_renewed,

        -- numerics: ARR
        arr_up_for_renewal_usd,
        arr_renewed_on_time_usd,
        arr_renewed_late_usd,
        cast(arr_renewed_on_time_usd + arr_renewed_late_usd as decimal(18, 2)) as arr_renewed_usd,

        -- numerics: rates (null in a month with nothing up for renewal)
        cast(
            (arr_renewed_on_time_usd + arr_renewed_late_usd)
            / nullif(arr_up_for_renewal_usd, 0) as {{ type_double() }}
        ) as gross_renewal_rate_by_arr,
        cast(
            (contracts_renewed_on_time + contracts_renewed_late)
            / cast(nullif(contracts_up_for_renewal, 0) as {{ type_double() }})
            as {{ type_double() }}
        ) as gross_renewal_rate_by_count

    from monthly_orders

)

select * from final

-- Every term contract (a term of more than one month) known at the as-of date whose service
-- ended by then is up for renewal exactly once, in the month its service ended: counted from
-- int_orders_as_of, independently of fct_renewals. Returns the months whose counts or ARR differ.

with

orders as (

    select * from {{ ref('int_orders_as_of') }}

),

renewals as (

    select * from {{ ref('fct_renewals') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

ended_term_contracts as (

    select
        cast({{ dbt.date_trunc('month', 'orders.service_end_date') }} as date) as renewal_month,
        count(*) as contracts_up_for_renewal,
        sum(12 * {{ usd_scaled('orders.amount_usd', 1, 'orders.term_months') }})
            as arr_up_for_renewal_usd
    from orders
    cross join reporting_dates
    where
        orders.term_months > 1
        and orders.amount_usd is not null
        and orders.service_end_date <= reporting_dates.as_of_date
    group by {{ dbt.date_trunc('month', 'orders.service_end_date') }}

),

final as (

    select
        coalesce(renewals.renewal_month, ended_term_contracts.renewal_month) as renewal_month,
        renewals.contracts_up_for_renewal,
        ended_term_contracts.contracts_up_for_renewal as expected_contracts_up_for_renewal,
        renewals.arr_up_for_renewal_usd,
        ended_term_contracts.arr_up_for_renewal_usd as expected_arr_up_for_renewal_usd
    from renewals
    full outer join ended_term_contracts
        on renewals.renewal_month = ended_term_contracts.renewal_month
    where
        coalesce(renewals.contracts_up_for_renewal, 0)
        != coalesce(ended_term_contracts.contracts_up_for_renewal, 0)
        or coalesce(renewals.arr_up_for_renewal_usd, 0)
        != coalesce(ended_term_contracts.arr_up_for_renewal_usd, 0)

)

select * from final

-- Late renewals and the renewal rate tell the same story. A late renewal replaces nothing: the
-- contracts it renews stopped counting the month before it landed (or is due to land), in the
-- month their service ended. So, every month, the contracts fct_renewals counts as renewed late
-- (by the month their service ended), and their ARR, are those that fct_bookings' late renewals
-- landing the next month renew late: the renewal's own ARR differs from theirs only by its price
-- change. Renewals are sold on term contracts, which fct_renewals counts; a monthly plan renewed
-- late by a deal would show here. And, checked against fct_mrr, independently of how contracts
-- are matched: a late renewal landing on an account with no MRR the month before (a
-- reactivation) renews late exactly what the account churned that month, 12 × its MRR two
-- months before landing (nothing when it had no MRR then either). Returns the months, or the
-- deals, that break this.

with

bookings as (

    select * from {{ ref('fct_bookings') }}

),

renewals as (

    select * from {{ ref('fct_renewals') }}

),

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

late_renewals_by_lapse_month as (

    select
        cast(
            {{ dbt.dateadd('month', -1, 'due_arr_start_month') }} as date
        ) as renewal_month,
        sum(renewed_late_contract_count) as contracts_renewed_late,
        sum(renewed_late_arr_usd) as arr_renewed_late_usd
    from bookings
    where is_late_renewal
    group by {{ dbt.dateadd('month', -1, 'due_arr_start_month') }}

),

months_that_differ as (

    select
        cast(
            coalesce(renewals.renewal_month, late_renewals_by_lapse_month.renewal_month)
            as {{ dbt.type_string() }}
        ) as failing_key,
        renewals.contracts_renewed_late,
        late_renewals_by_lapse_month.contracts_renewed_late as deals_contracts_renewed_late,
        renewals.arr_renewed_late_usd,
        late_renewals_by_lapse_month.arr_renewed_late_usd as deals_arr_renewed_late_usd
    from renewals
    full outer join late_renewals_by_lapse_month
        on renewals.renewal_month = late_renewals_by_lapse_month.renewal_month
    where
        coalesce(renewals.contracts_renewed_late, 0)
        != coalesce(late_renewals_by_lapse_month.contracts_renewed_late, 0)
        or coalesce(renewals.arr_renewed_late_usd, 0)
        != coalesce(late_renewals_by_lapse_month.arr_renewed_late_usd, 0)

),

-- Live late renewals on accounts with no MRR the month before they landed (no row in fct_mrr
-- then: no MRR ever before), with what the account paid the month before that.
reactivating_late_renewals as (

    select
        bookings.opportunity_id,
        bookings.renewed_late_arr_usd,
        coalesce(lapse_month.previous_mrr, 0) as lapse_month_previous_mrr
    from bookings
    left join account_mrr as lapse_month
        on
            bookings.account_id = lapse_month.account_id
            and cast(
                {{ dbt.dateadd('month', -1, 'bookings.arr_start_month') }} as date
            ) = lapse_month.mrr_month
    where
        bookings.is_late_renewal
        and bookings.is_live
        and coalesce(lapse_month.mrr, 0) = 0

),

deals_that_differ as (

    select
        cast(opportunity_id as {{ dbt.type_string() }}) as failing_key,
        cast(null as {{ dbt.type_int() }}) as contracts_renewed_late,
        cast(null as {{ dbt.type_int() }}) as deals_contracts_renewed_late,
        12 * lapse_month_previous_mrr as arr_renewed_late_usd,
        renewed_late_arr_usd as deals_arr_renewed_late_usd
    from reactivating_late_renewals
    where renewed_late_arr_usd != 12 * lapse_month_previous_mrr

),

final as (

    select * from months_that_differ
    union all
    select * from deals_that_differ

)

select * from final

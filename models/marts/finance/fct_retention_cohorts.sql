{#- Retention of the accounts by the month they first had MRR: for each cohort and each month
    since, how many of its accounts still pay and how much (doc block finance__cohort). -#}
with

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

-- The bridge has a row for every month from the first with MRR to the as-of month.
mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

-- Each account's cohort: its `new` month, with its MRR then.
cohort_accounts as (

    select
        account_id,
        mrr_month as cohort_month,
        mrr as starting_mrr
    from account_mrr
    where mrr_movement = 'new'

),

cohort_sizes as (

    select
        cohort_month,
        count(*) as cohort_logos,
        sum(starting_mrr) as cohort_starting_mrr
    from cohort_accounts
    group by cohort_month

),

-- Every month from the cohort's to the as-of month, a dense grid.
cohort_months as (

    select
        cohort_sizes.cohort_month,
        cohort_sizes.cohort_logos,
        cohort_sizes.cohort_starting_mrr,
        mrr_bridge.mrr_month
    from cohort_sizes
    inner join mrr_bridge
        on cohort_sizes.cohort_month <= mrr_bridge.mrr_month

),

-- An account without a row in a month (after its churn row) pays nothing then.
cohort_activity as (

    select
        cohort_accounts.cohort_month,
        account_mrr.mrr_month,
        sum(case when account_mrr.mrr > 0 then 1 else 0 end) as active_logos,
        sum(account_mrr.mrr) as active_mrr
    from cohort_accounts
    inner join account_mrr
        on cohort_accounts.account_id = account_mrr.account_id
    group by
        cohort_accounts.cohort_month,
        account_mrr.mrr_month

),

final as (

    select
        -- dates
        cohort_months.cohort_month,
        cohort_months.mrr_month,

        -- numerics
        cast(
            {{ dbt.datediff('cohort_months.cohort_month', 'cohort_months.mrr_month', 'month') }}
            as {{ dbt.type_int() }}
        ) as months_since_start,
        cast(cohort_months.cohort_logos as {{ dbt.type_int() }}) as cohort_logos,
        cast(cohort_months.cohort_starting_mrr as decimal(18, 2)) as cohort_starting_mrr,
        cast(coalesce(cohort_activity.active_logos, 0) as {{ dbt.type_int() }}) as active_logos,
        cast(coalesce(cohort_activity.active_mrr, 0) as decimal(18, 2)) as active_mrr,
        cast(
            coalesce(cohort_activity.active_logos, 0)
            / cast(cohort_months.cohort_logos as {{ type_double() }}) as {{ type_double() }}
        ) as logo_retention_rate,
        cast(
            coalesce(cohort_activity.active_mrr, 0)
            / nullif(cohort_months.cohort_starting_mrr, 0) as {{ type_double() }}
        ) as net_revenue_retention

    from cohort_months
    left join cohort_activity
        on
            cohort_months.cohort_month = cohort_activity.cohort_month
            and cohort_months.mrr_month = cohort_activity.mrr_month

)

select * from final

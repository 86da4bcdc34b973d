{#- The MRR bridge: how each month's MRR moved from the month before, with logo counts, the
    trailing-12-month retention of the accounts that paid a year earlier, and the month's SaaS
    ratios (logo churn rate, ARPA, quick ratio) beside their numerators and denominators. -#}
with

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

first_mrr_month as (

    select min(mrr_month) as first_mrr_month
    from account_mrr
    where mrr > 0

),

-- Months from the first month with MRR to the as-of month (where the spine ends); a month in
-- which no account has a row still gets one, at 0.
bridge_months as (

    select month_spine.month_start_date as mrr_month
    from month_spine
    inner join first_mrr_month
        on month_spine.month_start_date >= first_mrr_month.first_mrr_month

),

monthly_movements as (

    select
        mrr_month,
        sum(previous_mrr) as starting_mrr,
        sum(case when mrr_movement = 'new' then mrr_change else 0 end) as new_mrr,
        sum(case when mrr_movement = 'expansion' then mrr_change else 0 end) as expansion_mrr,
        sum(
            case when mrr_movement = 'reactivation' then mrr_change else 0 end
        ) as reactivation_mrr,
        sum(
            case when mrr_movement = 'contraction' then -mrr_change else 0 end
        ) as contraction_mrr,
        sum(case when mrr_movement = 'churn' then -mrr_change else 0 end) as churned_mrr,
        sum(mrr) as ending_mrr,
        sum(case when previous_mrr > 0 then 1 else 0 end) as starting_customers,
        sum(case when mrr > 0 then 1 else 0 end) as active_customers,
        sum(case when mrr_movement = 'new' then 1 else 0 end) as new_logos,
        sum(case when mrr_movement = 'churn' then 1 else 0 end) as churned_logos,
        sum(case when mrr_movement = 'reactivation' then 1 else 0 end) as reactivated_logos
    from account_mrr
    group by mrr_month

),

-- Cohort of a month: the accounts paying twelve months earlier, with what they paid then and
-- what they pay now (0 when they have no row now: churned before the previous month).
cohort_accounts as (

    select
        cohort_start.account_id,
        cast(
            {{ dbt.dateadd('month', 12, 'cohort_start.mrr_month') }} as date
        ) as mrr_month,
        cohort_start.mrr as cohort_starting_mrr,
        coalesce(cohort_now.mrr, 0) as cohort_current_mrr
    from account_mrr as cohort_start
    left join account_mrr as cohort_now
        on
            cohort_start.account_id = cohort_now.account_id
            and cast(
                {{ dbt.dateadd('month', 12, 'cohort_start.mrr_month') }} as date
            ) = cohort_now.mrr_month
    where cohort_start.mrr > 0

),

monthly_retention as (

    select
        mrr_month,
        sum(cohort_starting_mrr) as cohort_starting_mrr,
        sum(cohort_current_mrr) as cohort_current_mrr,
        sum(
            case
                when cohort_current_mrr < cohort_starting_mrr then cohort_current_mrr
                else cohort_starting_mrr
            end
        ) as cohort_retained_mrr
    from cohort_accounts
    group by mrr_month

),

final as (

    select
        -- dates
        bridge_months.mrr_month,

        -- numerics: the bridge
        cast(coalesce(monthly_movements.starting_mrr, 0) as decimal(18, 2)) as starting_mrr,
        cast(coalesce(monthly_movements.new_mrr, 0) as decimal(18, 2)) as new_mrr,
        cast(coalesce(monthly_movements.expansion_mrr, 0) as decimal(18, 2)) as expansion_mrr,
        cast(
            coalesce(monthly_movements.reactivation_mrr, 0) as decimal(18, 2)
        ) as reactivation_mrr,
        cast(
            coalesce(monthly_movements.contraction_mrr, 0) as decimal(18, 2)
        ) as contraction_mrr,
        cast(coalesce(monthly_movements.churned_mrr, 0) as decimal(18, 2)) as churned_mrr,
        cast(coalesce(monthly_movements.ending_mrr, 0) as decimal(18, 2)) as ending_mrr,
        cast(12 * coalesce(monthly_movements.ending_mrr, 0) as decimal(18, 2)) as ending_arr,

        -- numerics: logos
        cast(
            coalesce(monthly_movements.starting_customers, 0) as {{ dbt.type_int() }}
        ) as starting_customers,
        cast(
            coalesce(monthly_movements.active_customers, 0) as {{ dbt.type_int() }}
        ) as active_customers,
        cast(coalesce(monthly_movements.new_logos, 0) as {{ dbt.type_int() }}) as new_logos,
        cast(
            coalesce(monthly_movements.churned_logos, 0) as {{ dbt.type_int() }}
        ) as churned_logos,
        cast(
            coalesce(monthly_movements.reactivated_logos, 0) as {{ dbt.type_int() }}
        ) as reactivated_logos,

        -- numerics: retention (null until there is a cohort twelve months back)
        cast(
            monthly_retention.cohort_current_mrr
            / nullif(monthly_retention.cohort_starting_mrr, 0) as {{ type_double() }}
        ) as nrr_trailing_12m,
        cast(
            monthly_retention.cohort_retained_mrr
            / nullif(monthly_retention.cohort_starting_mrr, 0) as {{ type_double() }}
        ) as grr_trailing_12m,

        -- numerics: SaaS ratios of the month (null when their denominator is 0)
        cast(
            coalesce(monthly_movements.new_mrr, 0)
            + coalesce(monthly_movements.expansion_mrr, 0)
            + coalesce(monthly_movements.reactivation_mrr, 0) as decimal(18, 2)
        ) as gained_mrr,
        cast(
            coalesce(monthly_movements.contraction_mrr, 0)
            + coalesce(monthly_movements.churned_mrr, 0) as decimal(18, 2)
        ) as lost_mrr,
        cast(
            monthly_movements.churned_logos
            / cast(nullif(monthly_movements.starting_customers, 0) as {{ type_double() }})
            as {{ type_double() }}
        ) as logo_churn_rate,
        cast(
            monthly_movements.ending_mrr
            / cast(nullif(monthly_movements.active_customers, 0) as {{ type_double() }})
            as {{ type_double() }}
        ) as average_mrr_per_account,
        cast(
            (
                monthly_movements.new_mrr
                + monthly_movements.expansion_mrr
                + monthly_movements.reactivation_mrr
            )
            / cast(
                nullif(monthly_movements.contraction_mrr + monthly_movements.churned_mrr, 0)
                as {{ type_double() }}
            ) as {{ type_double() }}
        ) as saas_quick_ratio

    from bridge_months
    left join monthly_movements
        on bridge_months.mrr_month = monthly_movements.mrr_month
    left join monthly_retention
        on bridge_months.mrr_month = monthly_retention.mrr_month

)

select * from final

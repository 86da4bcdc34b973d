{#- MRR per account and month with its movement. Rows run from the account's first month with
    MRR to the month after its last one (the churn row), stopping at the as-of month; months at 0
    between a churn and a return are kept, so the previous month is always the previous row. -#}
with

orders_in_force as (

    select * from {{ ref('int_orders_in_force_monthly') }}

),

month_spine as (

    select * from {{ ref('int_month_spine') }}

),

account_monthly_mrr as (

    select
        account_id,
        mrr_month,
        sum(monthly_amount_usd) as mrr
    from orders_in_force
    group by
        account_id,
        mrr_month

),

account_mrr_ranges as (

    select
        account_id,
        min(mrr_month) as first_mrr_month,
        max(mrr_month) as last_mrr_month
    from account_monthly_mrr
    where mrr > 0
    group by account_id

),

-- The spine ends at the as-of month, which caps every account's range.
account_months as (

    select
        account_mrr_ranges.account_id,
        account_mrr_ranges.first_mrr_month,
        month_spine.month_start_date as mrr_month
    from account_mrr_ranges
    inner join month_spine
        on
            account_mrr_ranges.first_mrr_month <= month_spine.month_start_date
            and {{ dbt.dateadd('month', 1, 'account_mrr_ranges.last_mrr_month') }}
            >= month_spine.month_start_date

),

account_months_with_mrr as (

    select
        account_months.account_id,
        account_months.mrr_month,
        account_months.first_mrr_month,
        coalesce(account_monthly_mrr.mrr, 0) as mrr
    from account_months
    left join account_monthly_mrr
        on
            account_months.account_id = account_monthly_mrr.account_id
            and account_months.mrr_month = account_monthly_mrr.mrr_month

),

mrr_with_previous_month as (

    select
        account_id,
        mrr_month,
        first_mrr_month,
        mrr,
        coalesce(
            lag(mrr) over (partition by account_id order by mrr_month),
            0
        ) as previous_mrr
    from account_months_with_mrr

),

-- Reactivation is tested before expansion: MRR coming back from 0 is a returning customer,
-- however it compares with what they paid before they left.
mrr_with_movement as (

    select
        *,
        case
            when mrr_month = first_mrr_month then 'new'
            when previous_mrr = 0 and mrr > 0 then 'reactivation'
            when previous_mrr > 0 and mrr = 0 then 'churn'
            when mrr > previous_mrr then 'expansion'
            when mrr < previous_mrr then 'contraction'
            when mrr > 0 then 'retained'
        end as mrr_movement
    from mrr_with_previous_month

),

final as (

    select
        -- ids
        account_id,

        -- dates
        mrr_month,

        -- numerics
        cast(mrr as decimal(18, 2)) as mrr,
        cast(previous_mrr as decimal(18, 2)) as previous_mrr,
        cast(mrr - previous_mrr as decimal(18, 2)) as mrr_change,
        cast(12 * mrr as decimal(18, 2)) as arr,

        -- strings
        mrr_movement

    from mrr_with_movement

)

select * from final

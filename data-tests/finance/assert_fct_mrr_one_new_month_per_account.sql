-- Every account in fct_mrr has exactly one `new` month, and it is its first row.
-- Returns the accounts that break this.

with

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

account_firsts as (

    select
        account_id,
        min(mrr_month) as first_row_month,
        min(case when mrr_movement = 'new' then mrr_month end) as new_month,
        sum(case when mrr_movement = 'new' then 1 else 0 end) as new_months_count
    from account_mrr
    group by account_id

),

final as (

    select *
    from account_firsts
    where
        new_months_count != 1
        or new_month != first_row_month

)

select * from final

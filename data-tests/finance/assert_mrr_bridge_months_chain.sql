-- The MRR bridge chains: each month starts with the previous month's ending MRR (the first month
-- starts at 0), and its months follow each other with no gap.
-- Returns the months that break this.

with

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

bridge_with_previous_month as (

    select
        mrr_month,
        starting_mrr,
        lag(mrr_month) over (order by mrr_month) as previous_mrr_month,
        lag(ending_mrr) over (order by mrr_month) as previous_ending_mrr
    from mrr_bridge

),

final as (

    select *
    from bridge_with_previous_month
    where
        starting_mrr != coalesce(previous_ending_mrr, 0)
        or (
            previous_mrr_month is not null
            and mrr_month != cast({{ dbt.dateadd('month', 1, 'previous_mrr_month') }} as date)
        )

)

select * from final

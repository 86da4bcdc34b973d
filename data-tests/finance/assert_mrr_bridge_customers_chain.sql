-- Each month starts with the customers the previous month ended with (none in the first month),
-- and churned logos are some of them. Returns the months that break this.

with

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

bridge_with_previous_month as (

    select
        mrr_month,
        starting_customers,
        churned_logos,
        lag(active_customers) over (order by mrr_month) as previous_active_customers
    from mrr_bridge

),

final as (

    select *
    from bridge_with_previous_month
    where
        starting_customers != coalesce(previous_active_customers, 0)
        or churned_logos > starting_customers

)

select * from final

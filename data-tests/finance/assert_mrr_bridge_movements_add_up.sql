-- The MRR bridge adds up, exactly, every month:
-- starting + new + expansion + reactivation - contraction - churn = ending,
-- and the ending MRR is fct_mrr's total MRR of the month.
-- Returns the months that break this.

with

mrr_bridge as (

    select * from {{ ref('fct_mrr_bridge') }}

),

account_mrr as (

    select * from {{ ref('fct_mrr') }}

),

mrr_by_month as (

    select
        mrr_month,
        sum(mrr) as total_mrr
    from account_mrr
    group by mrr_month

),

final as (

    select
        mrr_bridge.mrr_month,
        mrr_bridge.starting_mrr,
        mrr_bridge.new_mrr,
        mrr_bridge.expansion_mrr,
        mrr_bridge.reactivation_mrr,
        mrr_bridge.contraction_mrr,
        mrr_bridge.churned_mrr,
        mrr_bridge.ending_mrr,
        mrr_by_month.total_mrr
    from mrr_bridge
    left join mrr_by_month
        on mrr_bridge.mrr_month = mrr_by_month.mrr_month
    where
        mrr_bridge.starting_mrr
        + mrr_bridge.new_mrr
        + mrr_bridge.expansion_mrr
        + mrr_bridge.reactivation_mrr
        - mrr_bridge.contraction_mrr
        - mrr_bridge.churned_mrr
        != mrr_bridge.ending_mrr
        or mrr_bridge.ending_mrr != coalesce(mrr_by_month.total_mrr, 0)

)

select * from final

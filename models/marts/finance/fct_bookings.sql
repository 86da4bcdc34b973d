{#- One row per deal won by the as-of date, with the billing order it was booked as and the ARR
    it adds: new ARR is the change in the account's ARR the deal causes (doc block
    finance__new_arr); a renewal's is net of the contracts it replaces
    (int_orders_matched_to_renewals, doc block finance__renewal_replaces). A renewal that replaces
    nothing is a late renewal (doc block finance__late_renewal), beside the contracts it renews
    late. -#}
with

opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

matched_orders as (

    select * from {{ ref('int_orders_matched_to_renewals') }}

),

won_deals as (

    select
        opportunity_id,
        account_id,
        owner_id,
        opportunity_type,
        tcv_usd,
        acv_usd,
        contract_term_months,
        closed_at
    from opportunities
    where is_won

),

deal_orders as (

    select
        opportunity_id,
        order_id,
        service_start_date,
        arr_start_month,
        landing_month,
        contract_arr_usd
    from matched_orders
    where is_deal_order

),

replaced_contracts as (

    select
        replaced_by_opportunity_id as opportunity_id,
        count(*) as replaced_contract_count,
        sum(contract_arr_usd) as replaced_arr_usd
    from matched_orders
    where replaced_by_opportunity_id is not null
    group by replaced_by_opportunity_id

),

-- The contracts a renewal signed after a gap renews late: they stopped counting, with nothing
-- taking over, the month before it landed.
renewed_late_contracts as (

    select
        renewed_late_by_opportunity_id as opportunity_id,
        count(*) as renewed_late_contract_count,
        sum(contract_arr_usd) as renewed_late_arr_usd
    from matched_orders
    where renewed_late_by_opportunity_id is not null
    group by renewed_late_by_opportunity_id

),

deals_with_orders as (

    select
        won_deals.*,
        deal_orders.order_id,
        deal_orders.service_start_date,
        deal_orders.arr_start_month,
        deal_orders.landing_month,
        deal_orders.contract_arr_usd,
        coalesce(replaced_contracts.replaced_contract_count, 0) as replaced_contract_count,
        coalesce(replaced_contracts.replaced_arr_usd, 0) as replaced_arr_usd,
        coalesce(
            renewed_late_contracts.renewed_late_contract_count, 0
        ) as renewed_late_contract_count,
        coalesce(renewed_late_contracts.renewed_late_arr_usd, 0) as renewed_late_arr_usd
    from won_deals
    left join deal_orders
        on won_deals.opportunity_id = deal_orders.opportunity_id
    left join replaced_contracts
        on won_deals.opportunity_id = replaced_contracts.opportunity_id
    left join renewed_late_contracts
        on won_deals.opportunity_id = renewed_late_contracts.opportunity_id

),

final as (

    select
        -- ids
        opportunity_id,
        account_id,
        owner_id,
        order_id,

        -- strings
        opportunity_type,

        -- numerics
        tcv_usd,
        acv_usd,
        contract_term_months,
        cast(contract_arr_usd as decimal(18, 2)) as contract_arr_usd,
        cast(replaced_contract_count as {{ dbt.type_int() }}) as replaced_contract_count,
        cast(replaced_arr_usd as decimal(18, 2)) as replaced_arr_usd,
        cast(contract_arr_usd - replaced_arr_usd as decimal(18, 2)) as new_arr_usd,
        cast(
            renewed_late_contract_count as {{ dbt.type_int() }}
        ) as renewed_late_contract_count,
        cast(renewed_late_arr_usd as decimal(18, 2)) as renewed_late_arr_usd,

        -- booleans
        arr_start_month is not null as is_live,
        opportunity_type = 'renewal'
        and order_id is not null
        and replaced_contract_count = 0 as is_late_renewal,

        -- dates and timestamps
        cast({{ dbt.date_trunc('month', 'closed_at') }} as date) as booked_month,
        service_start_date,
        arr_start_month,
        landing_month as due_arr_start_month,
        closed_at

    from deals_with_orders

)

select * from final

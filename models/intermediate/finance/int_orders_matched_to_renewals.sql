{#- Each known billing order with the months its ARR starts and stops counting, the won deal it
    was booked for, and, when it stops (or, still in force, will stop) counting, what takes over
    from it: the renewal that replaces it, a continuation invoice, or nothing. The rules are the
    doc blocks finance__arr_start_month, finance__renewal_replaces and finance__arr_end_reason;
    keep them in step. A table: it ends a chain of views, and the finance marts read it. -#}
{{ config(materialized='table') }}

with

-- Every order booked by the as-of date, live or not yet (int_orders_as_of).
orders as (

    select * from {{ ref('int_orders_as_of') }}

),

orders_in_force as (

    select * from {{ ref('int_orders_in_force_monthly') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_as_of') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

-- Orders without a USD amount or a term are never in force (int_orders_in_force_monthly): they
-- are left out here too. The monthly value is rounded as there, so the ARR adds up to the bridge.
known_orders as (

    select
        order_id,
        account_id,
        opportunity_id,
        ordered_at,
        term_months,
        service_start_date,
        service_end_date,
        {{ usd_scaled('amount_usd', 1, 'term_months') }} as monthly_amount_usd
    from orders
    where
        amount_usd is not null
        and term_months >= 1

),

order_spans as (

    select
        order_id,
        min(mrr_month) as arr_start_month,
        max(mrr_month) as last_in_force_month,
        max(in_force_until_date) as in_force_until_date
    from orders_in_force
    group by order_id

),

-- A deal is booked as its first order (the earliest, then the lowest id); any other order of the
-- same deal counts as an order without a deal.
deal_orders_ranked as (

    select
        known_orders.order_id,
        opportunities.opportunity_type,
        row_number() over (
            partition by known_orders.opportunity_id
            order by known_orders.ordered_at, known_orders.order_id
        ) as order_rank
    from known_orders
    inner join opportunities
        on known_orders.opportunity_id = opportunities.opportunity_id
    where opportunities.is_won

),

-- The month the order's ARR lands in the bridge (its first month in force), or, for an order not
-- yet live, the month it is due to land in (its service start's); and the month it stops
-- counting (the month after its last in force, when that is not past the as-of month), or, still
-- in force in the as-of month, the month it is due to stop in (its in-force-until date's).
orders_with_spans as (

    select
        known_orders.*,
        cast(12 * known_orders.monthly_amount_usd as decimal(18, 2)) as contract_arr_usd,
        deal_orders_ranked.order_id is not null as is_deal_order,
        deal_orders_ranked.opportunity_type,
        order_spans.arr_start_month,
        order_spans.last_in_force_month,
        order_spans.in_force_until_date,
        case
            when order_spans.last_in_force_month < reporting_dates.as_of_month
                then cast(
                    {{ dbt.dateadd('month', 1, 'order_spans.last_in_force_month') }} as date
                )
        end as arr_end_month,
        case
            when order_spans.arr_start_month is not null then order_spans.arr_start_month
            when known_orders.service_start_date > reporting_dates.as_of_date
                then cast(
                    {{ dbt.date_trunc('month', 'known_orders.service_start_date') }} as date
                )
        end as landing_month,
        case
            when order_spans.last_in_force_month = reporting_dates.as_of_month
                then cast(
                    {{ dbt.date_trunc('month', 'order_spans.in_force_until_date') }} as date
                )
        end as due_end_month
    from known_orders
    cross join reporting_dates
    left join order_spans
        on known_orders.order_id = order_spans.order_id
    left join deal_orders_ranked
        on
            known_orders.order_id = deal_orders_ranked.order_id
            and deal_orders_ranked.order_rank = 1

),

-- When several renewals of an account land in the same month, only the first (earliest service
-- start, then booking, then the lowest deal id) replaces contracts; live and not-yet-live
-- renewals are ranked apart.
renewals_ranked as (

    select
        account_id,
        opportunity_id,
        landing_month,
        arr_start_month is not null as is_live,
        row_number() over (
            partition by account_id, landing_month, arr_start_month is null
            order by service_start_date, ordered_at, opportunity_id
        ) as renewal_rank
    from orders_with_spans
    where
        is_deal_order
        and opportunity_type = 'renewal'
        and landing_month is not null

),

replacing_renewals as (

    select
        account_id,
        opportunity_id,
        landing_month,
        is_live
    from renewals_ranked
    where renewal_rank = 1

),

-- Accounts with an order that is not a deal's (a monthly plan's next invoice) starting to count
-- in a month.
continuation_starts as (

    select distinct
        account_id,
        arr_start_month
    from orders_with_spans
    where
        not is_deal_order
        and arr_start_month is not null

),

-- An order that stopped counting in a month is replaced by the live renewal of its account that
-- landed that month; an order still in force is replaced by the account's renewal not yet live
-- that is due to land in the month the order is due to stop.
orders_matched as (

    select
        orders_with_spans.*,
        coalesce(
            landed_renewals.opportunity_id, due_renewals.opportunity_id
        ) as replaced_by_opportunity_id,
        continuation_starts.account_id is not null as is_continued_by_invoice
    from orders_with_spans
    left join replacing_renewals as landed_renewals
        on
            orders_with_spans.account_id = landed_renewals.account_id
            and orders_with_spans.arr_end_month = landed_renewals.landing_month
            and landed_renewals.is_live
    left join replacing_renewals as due_renewals
        on
            orders_with_spans.account_id = due_renewals.account_id
            and orders_with_spans.due_end_month = due_renewals.landing_month
            and not due_renewals.is_live
    left join continuation_starts
        on
            orders_with_spans.account_id = continuation_starts.account_id
            and orders_with_spans.arr_end_month = continuation_starts.arr_start_month

),

-- Renewals that replace nothing: signed late, after a gap over a month's snapshot (doc block
-- finance__renewal_replaces).
renewals_replacing_nothing as (

    select
        replacing_renewals.account_id,
        replacing_renewals.opportunity_id,
        replacing_renewals.landing_month
    from replacing_renewals
    left join orders_matched
        on replacing_renewals.opportunity_id = orders_matched.replaced_by_opportunity_id
    where orders_matched.order_id is null

),

-- A renewal signed late renews the account's orders that stopped counting, with nothing taking
-- over, in the month before it landed: the gap spans one month's snapshot. It does not replace
-- them in the bridge (that month is churn, the renewal's is reactivation); the renewal rate
-- counts them as renewed, late.
orders_with_late_renewals as (

    select
        orders_matched.*,
        renewals_replacing_nothing.opportunity_id as renewed_late_by_opportunity_id
    from orders_matched
    left join renewals_replacing_nothing
        on
            orders_matched.account_id = renewals_replacing_nothing.account_id
            and orders_matched.arr_end_month = cast(
                {{ dbt.dateadd('month', -1, 'renewals_replacing_nothing.landing_month') }} as date
            )
            and orders_matched.replaced_by_opportunity_id is null
            and not orders_matched.is_continued_by_invoice

),

final as (

    select
        -- ids
        order_id,
        account_id,
        opportunity_id,
        replaced_by_opportunity_id,
        renewed_late_by_opportunity_id,

        -- strings
        opportunity_type,
        case
            when arr_end_month is null then null
            when replaced_by_opportunity_id is not null then 'renewed'
            when is_continued_by_invoice then 'continued'
            else 'ended'
        end as arr_end_reason,

        -- numerics
        term_months,
        monthly_amount_usd,
        contract_arr_usd,

        -- booleans
        is_deal_order,

        -- dates and timestamps
        arr_start_month,
        landing_month,
        last_in_force_month,
        arr_end_month,
        due_end_month,
        service_start_date,
        service_end_date,
        in_force_until_date,
        ordered_at

    from orders_with_late_renewals

)

select * from final

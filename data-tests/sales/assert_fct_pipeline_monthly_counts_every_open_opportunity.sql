-- Every opportunity open at a snapshot of fct_pipeline_monthly is counted in exactly one stage and
-- type: per month, the opportunities and TCV of all stages and types add up to those of the CRM
-- opportunities (their amount_usd, the TCV) created by the end of the snapshot date and not
-- closed by then (closed_at of stg_crm__opportunities, independent of the stage history the mart
-- reads), including those with no stage history at that moment. Returns the months that disagree.

with

pipeline_monthly as (

    select * from {{ ref('fct_pipeline_monthly') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

pipeline_totals as (

    select
        pipeline_month,
        snapshot_date,
        sum(opportunity_count) as opportunity_count,
        sum(tcv_usd) as tcv_usd
    from pipeline_monthly
    group by
        pipeline_month,
        snapshot_date

),

snapshot_moments as (

    select
        pipeline_month,
        cast({{ dbt.dateadd('day', 1, 'snapshot_date') }} as {{ dbt.type_timestamp() }})
            as snapshot_end_at
    from pipeline_totals

),

open_totals as (

    select
        snapshot_moments.pipeline_month,
        count(opportunities.opportunity_id) as opportunity_count,
        coalesce(sum(opportunities.amount_usd), 0) as tcv_usd
    from snapshot_moments
    left join opportunities
        on {{ is_open_at(
            'snapshot_moments.snapshot_end_at', 'opportunities.created_at', 'opportunities.closed_at'
        ) }}
    group by snapshot_moments.pipeline_month

),

final as (

    select
        pipeline_totals.pipeline_month,
        pipeline_totals.opportunity_count as pipeline_count,
        open_totals.opportunity_count as open_count,
        pipeline_totals.tcv_usd as pipeline_tcv_usd,
        open_totals.tcv_usd as open_tcv_usd
    from pipeline_totals
    inner join open_totals
        on pipeline_totals.pipeline_month = open_totals.pipeline_month
    where
        pipeline_totals.opportunity_count != open_totals.opportunity_count
        or pipeline_totals.tcv_usd != open_totals.tcv_usd

)

select * from final

-- Every row of fct_pipeline_bridge balances, in count and TCV:
-- opening + created - won - lost - disqualified + reopened = closing.
-- The model builds every movement from one pair of snapshots, so this holds by construction and
-- guards only against a column being mis-wired; the independent checks are
-- assert_fct_pipeline_bridge_closing_is_next_opening,
-- assert_fct_pipeline_bridge_closing_matches_fct_pipeline_monthly and
-- assert_fct_pipeline_bridge_won_count_matches_fct_opportunities.
-- Returns the rows that do not balance, with the walked and the closing values.

with

pipeline_bridge as (

    select * from {{ ref('fct_pipeline_bridge') }}

),

walked as (

    select
        pipeline_month,
        opportunity_type,
        opening_count + created_count - won_count - lost_count - disqualified_count
        + reopened_count as walked_count,
        closing_count,
        opening_tcv_usd + created_tcv_usd - won_tcv_usd - lost_tcv_usd - disqualified_tcv_usd
        + reopened_tcv_usd as walked_tcv_usd,
        closing_tcv_usd
    from pipeline_bridge

),

final as (

    select *
    from walked
    where
        walked_count != closing_count
        or walked_tcv_usd != closing_tcv_usd

)

select * from final

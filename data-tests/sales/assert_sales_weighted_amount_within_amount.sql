-- A weighted value is never negative and never above the value it weighs, per opportunity in
-- fct_opportunities (CRM-weighted TCV and ACV) and per month, stage and type in
-- fct_pipeline_monthly (stage-weighted TCV, the open pipeline's only value).
-- Returns the rows that break this.

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

pipeline_monthly as (

    select * from {{ ref('fct_pipeline_monthly') }}

),

opportunity_violations as (

    select
        'fct_opportunities' as model_name,
        cast(opportunity_id as {{ dbt.type_string() }}) as row_key,
        acv_usd as amount_usd,
        crm_weighted_acv_usd as weighted_amount_usd
    from opportunities
    where
        crm_weighted_acv_usd < 0
        or crm_weighted_acv_usd > acv_usd
        or crm_weighted_tcv_usd < 0
        or crm_weighted_tcv_usd > tcv_usd

),

pipeline_violations as (

    select
        'fct_pipeline_monthly' as model_name,
        {{ dbt.concat([
            'cast(pipeline_month as ' ~ dbt.type_string() ~ ')', "' '", 'stage_name', "' '",
            'opportunity_type'
        ]) }} as row_key,
        tcv_usd as amount_usd,
        stage_weighted_tcv_usd as weighted_amount_usd
    from pipeline_monthly
    where
        stage_weighted_tcv_usd < 0
        or stage_weighted_tcv_usd > tcv_usd

),

final as (

    select * from opportunity_violations
    union all
    select * from pipeline_violations

)

select * from final

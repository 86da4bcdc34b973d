-- A weighted amount is never negative and never above the amount it weighs, per opportunity in
-- fct_opportunities and per month and stage in fct_pipeline_monthly.
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
            'cast(pipeline_month as ' ~ dbt.type_string() ~ ')', "' '", 'stage_name'
        ]) }} as row_key,
        amount_usd,
        weighted_amount_usd
    from pipeline_monthly
    where
        weighted_amount_usd < 0
        or weighted_amount_usd > amount_usd

),

final as (

    select * from opportunity_violations
    union all
    select * from pipeline_violations

)

select * from final

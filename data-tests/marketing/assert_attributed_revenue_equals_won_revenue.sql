-- Under every attribution model, the revenue attributed in fct_attribution adds up to the won ACV,
-- and the attributed pipeline to the ACV (to the cent), of the conversions created by the as-of
-- date: the opportunities whose deal type is one of the attribution_deal_types var. Whether a
-- deal was created and won by then is read from the CRM's own record (stg_crm__opportunities:
-- close_outcome and close time), not from fct_opportunities, so the test does not compare
-- fct_opportunities' definition of a win with itself; the deal type and ACV come from
-- fct_opportunities, where they are defined. Returns the models that break this.
{%- set deal_types = attribution_deal_types() %}

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

crm_opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

conversions as (

    select
        opportunities.acv_usd,
        crm_opportunities.close_outcome = 'closed_won'
        and crm_opportunities.closed_at < reporting_dates.as_of_end_at as is_won_in_crm
    from crm_opportunities
    cross join reporting_dates
    inner join opportunities
        on crm_opportunities.opportunity_id = opportunities.opportunity_id
    where
        crm_opportunities.created_at < reporting_dates.as_of_end_at
        and opportunities.opportunity_type in (
            {%- for deal_type in deal_types %}
                '{{ deal_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )

),

conversion_totals as (

    select
        coalesce(sum(acv_usd), 0) as pipeline_acv_usd,
        coalesce(sum(case when is_won_in_crm then acv_usd else 0 end), 0) as won_acv_usd
    from conversions

),

attributed_totals as (

    {% for attribution_model in attribution_models() -%}
        select
            '{{ attribution_model }}' as attribution_model,
            coalesce(sum({{ attribution_model }}_pipeline_acv_usd), 0)
                as attributed_pipeline_acv_usd,
            coalesce(sum({{ attribution_model }}_revenue_acv_usd), 0)
                as attributed_revenue_acv_usd
        from attribution
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        attributed_totals.attribution_model,
        attributed_totals.attributed_revenue_acv_usd,
        conversion_totals.won_acv_usd,
        attributed_totals.attributed_pipeline_acv_usd,
        conversion_totals.pipeline_acv_usd
    from attributed_totals
    cross join conversion_totals
    where
        attributed_totals.attributed_revenue_acv_usd != conversion_totals.won_acv_usd
        or attributed_totals.attributed_pipeline_acv_usd != conversion_totals.pipeline_acv_usd

)

select * from final

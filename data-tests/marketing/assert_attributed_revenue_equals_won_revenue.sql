-- Under every attribution model, the revenue attributed in fct_attribution adds up to the total
-- won revenue, and the attributed pipeline to the total amount (within a cent), of the
-- opportunities created by the as-of date. The source of truth is the CRM's own record
-- (stg_crm__opportunities: close_outcome and close time), not fct_opportunities, so the test does
-- not compare fct_opportunities' definition of a win with itself. Returns the models that break
-- this.

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

reporting_dates as (

    select * from {{ ref('int_reporting_dates') }}

),

crm_totals as (

    select
        coalesce(sum(opportunities.amount_usd), 0) as pipeline_usd,
        coalesce(
            sum(
                case
                    when
                        opportunities.close_outcome = 'closed_won'
                        and opportunities.closed_at < reporting_dates.as_of_end_at
                        then opportunities.amount_usd
                    else 0
                end
            ),
            0
        ) as won_revenue_usd
    from opportunities
    cross join reporting_dates
    where opportunities.created_at < reporting_dates.as_of_end_at

),

attributed_totals as (

    {% for attribution_model in attribution_models() -%}
        select
            '{{ attribution_model }}' as attribution_model,
            coalesce(sum({{ attribution_model }}_pipeline_usd), 0) as attributed_pipeline_usd,
            coalesce(sum({{ attribution_model }}_revenue_usd), 0) as attributed_revenue_usd
        from attribution
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        attributed_totals.attribution_model,
        attributed_totals.attributed_revenue_usd,
        crm_totals.won_revenue_usd,
        attributed_totals.attributed_pipeline_usd,
        crm_totals.pipeline_usd
    from attributed_totals
    cross join crm_totals
    where
        abs(attributed_totals.attributed_revenue_usd - crm_totals.won_revenue_usd) >= 0.01
        or abs(attributed_totals.attributed_pipeline_usd - crm_totals.pipeline_usd) >= 0.01

)

select * from final

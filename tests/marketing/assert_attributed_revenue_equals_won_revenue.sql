-- Under every attribution model, the revenue attributed in fct_attribution adds up to the total
-- won revenue of the CRM's opportunities, and the attributed pipeline to their total amount
-- (within a cent). Returns the models that break this.

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

crm_totals as (

    select
        coalesce(sum(amount_usd), 0) as pipeline_usd,
        coalesce(
            sum(case when close_outcome = 'closed_won' then amount_usd else 0 end), 0
        ) as won_revenue_usd
    from opportunities

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

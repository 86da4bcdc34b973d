-- Under every attribution model, the credits of a conversion's rows add up to 1 (within 1e-9),
-- its attributed pipeline adds up to its ACV exactly (to the cent), and its attributed revenue to
-- its ACV when it is won, else to 0. Returns the conversions and models that break this.

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunity_totals as (

    {% for attribution_model in attribution_models() %}
        select
            opportunity_id,
            '{{ attribution_model }}' as attribution_model,
            sum({{ attribution_model }}_credit) as total_credit,
            sum({{ attribution_model }}_pipeline_acv_usd) as total_pipeline_acv_usd,
            sum({{ attribution_model }}_revenue_acv_usd) as total_revenue_acv_usd,
            max(acv_usd) as acv_usd,
            min(acv_usd) as min_acv_usd,
            max(case when is_won then 1 else 0 end) as is_won_flag
        from attribution
        group by opportunity_id
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select *
    from opportunity_totals
    where
        abs(total_credit - 1) > 1e-9
        or acv_usd != min_acv_usd
        or total_pipeline_acv_usd != acv_usd
        or total_revenue_acv_usd != acv_usd * is_won_flag

)

select * from final

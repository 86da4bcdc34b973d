-- Under every attribution model, the credits of an opportunity's rows add up to 1 (within 1e-9),
-- and its attributed pipeline adds up to its amount to the cent. Returns the opportunities and
-- models that break this.

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
            sum({{ attribution_model }}_pipeline_usd) as total_pipeline_usd,
            max(amount_usd) as amount_usd
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
        or total_pipeline_usd != amount_usd

)

select * from final

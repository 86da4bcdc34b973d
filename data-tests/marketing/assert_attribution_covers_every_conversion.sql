-- fct_attribution holds exactly the conversions: every opportunity of fct_opportunities whose deal
-- type is one of the attribution_deal_types var has rows there, with its type, and no opportunity
-- of another type has any. Returns the opportunities that break this.
{%- set deal_types = attribution_deal_types() %}

with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

attributed_opportunities as (

    select
        opportunity_id,
        min(opportunity_type) as opportunity_type,
        count(distinct opportunity_type) as type_count
    from attribution
    group by opportunity_id

),

opportunities_flagged as (

    select
        opportunity_id,
        opportunity_type,
        opportunity_type in (
            {%- for deal_type in deal_types %}
                '{{ deal_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as is_conversion
    from opportunities

),

final as (

    select
        opportunities_flagged.opportunity_id,
        opportunities_flagged.opportunity_type,
        opportunities_flagged.is_conversion,
        attributed_opportunities.opportunity_type as attributed_opportunity_type,
        attributed_opportunities.type_count
    from opportunities_flagged
    full outer join attributed_opportunities
        on opportunities_flagged.opportunity_id = attributed_opportunities.opportunity_id
    where
        opportunities_flagged.opportunity_id is null
        or opportunities_flagged.is_conversion
        != (attributed_opportunities.opportunity_id is not null)
        or attributed_opportunities.type_count != 1
        or attributed_opportunities.opportunity_type != opportunities_flagged.opportunity_type

)

select * from final

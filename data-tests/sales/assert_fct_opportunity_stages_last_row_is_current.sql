-- In fct_opportunity_stages every opportunity has exactly one current row, it is its last row
-- (highest stage_sequence, which equals the number of rows), and its stage is the opportunity's
-- stage in fct_opportunities. Returns the opportunities that break this.

with

opportunity_stages as (

    select * from {{ ref('fct_opportunity_stages') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

per_opportunity as (

    select
        opportunity_id,
        count(*) as stage_row_count,
        max(stage_sequence) as last_stage_sequence,
        sum(case when is_current then 1 else 0 end) as current_row_count,
        max(case when is_current then stage_sequence end) as current_stage_sequence,
        max(case when is_current then stage_name end) as current_stage_name
    from opportunity_stages
    group by opportunity_id

),

final as (

    select
        per_opportunity.opportunity_id,
        per_opportunity.stage_row_count,
        per_opportunity.last_stage_sequence,
        per_opportunity.current_row_count,
        per_opportunity.current_stage_sequence,
        per_opportunity.current_stage_name,
        opportunities.stage
    from per_opportunity
    left join opportunities
        on per_opportunity.opportunity_id = opportunities.opportunity_id
    where
        per_opportunity.current_row_count != 1
        or per_opportunity.current_stage_sequence != per_opportunity.last_stage_sequence
        or per_opportunity.last_stage_sequence != per_opportunity.stage_row_count
        or opportunities.stage is null
        or per_opportunity.current_stage_name != opportunities.stage

)

select * from final

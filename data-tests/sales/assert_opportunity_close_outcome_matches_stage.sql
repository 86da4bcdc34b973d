-- An opportunity is closed exactly when its stage is a closed stage, and a closed opportunity's
-- close_outcome is its stage (closed_won, closed_lost, disqualified); an open one has none.
-- Returns the opportunities that break this.

with

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

opportunity_stages as (

    select * from {{ ref('stg_reference__opportunity_stages') }}

),

final as (

    select
        opportunities.opportunity_id,
        opportunities.stage,
        opportunities.is_closed,
        opportunities.close_outcome,
        opportunity_stages.is_closed as is_closed_stage
    from opportunities
    inner join opportunity_stages
        on opportunities.stage = opportunity_stages.stage_name
    where
        opportunities.is_closed != opportunity_stages.is_closed
        or (opportunities.is_closed and opportunities.close_outcome != opportunities.stage)
        or (opportunities.is_closed and opportunities.close_outcome is null)
        or (not opportunities.is_closed and opportunities.close_outcome is not null)

)

select * from final

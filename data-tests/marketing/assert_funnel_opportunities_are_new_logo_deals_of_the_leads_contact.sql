-- Every lead's opportunity is a new-logo deal (new_business or win_back in fct_opportunities) on
-- the account of the lead's contact, created on or after the conversion and in the funnel window
-- (from the lead's creation to funnel_window_days after it, to the second), and the mart's
-- creation time and type are the deal's. Returns the leads whose opportunity breaks any of these.
{%- set funnel_window_days = var('funnel_window_days') %}

with

leads as (

    select * from {{ ref('fct_leads') }}

),

contacts as (

    select * from {{ ref('int_contacts_as_of') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

lead_opportunities as (

    select
        leads.lead_id,
        leads.created_at,
        leads.converted_at,
        leads.opportunity_id,
        leads.opportunity_type as lead_opportunity_type,
        leads.opportunity_created_at as lead_opportunity_created_at,
        contacts.account_id as contact_account_id,
        opportunities.account_id as opportunity_account_id,
        opportunities.opportunity_type,
        opportunities.created_at as opportunity_created_at
    from leads
    left join contacts
        on leads.contact_id = contacts.contact_id
    left join opportunities
        on leads.opportunity_id = opportunities.opportunity_id
    where leads.opportunity_id is not null

),

final as (

    select *
    from lead_opportunities
    where
        opportunity_type is null
        or opportunity_type not in ('new_business', 'win_back')
        or lead_opportunity_type is null
        or lead_opportunity_type != opportunity_type
        or contact_account_id is null
        or opportunity_account_id != contact_account_id
        or lead_opportunity_created_at != opportunity_created_at
        or opportunity_created_at < converted_at
        or opportunity_created_at < created_at
        or opportunity_created_at > {{ dbt.dateadd('day', funnel_window_days, 'created_at') }}

)

select * from final

-- A lead reaches `opportunity` only through its own contact: every lead that reached
-- `opportunity` has a contact converted from it (or from one of its double-submits) by the as-of
-- date. Returns the leads with an opportunity and no such contact.

with

leads as (

    select * from {{ ref('fct_leads') }}

),

lead_submissions as (

    select * from {{ ref('int_leads_as_of') }}

),

contacts as (

    select * from {{ ref('int_contacts_as_of') }}

),

contacts_of_leads as (

    select
        lead_submissions.original_lead_id as lead_id,
        contacts.contact_id
    from contacts
    inner join lead_submissions
        on contacts.lead_id = lead_submissions.lead_id

),

final as (

    select
        leads.lead_id,
        leads.contact_id,
        leads.opportunity_id,
        leads.has_reached_contact
    from leads
    left join contacts_of_leads
        on
            leads.lead_id = contacts_of_leads.lead_id
            and leads.contact_id = contacts_of_leads.contact_id
    where
        leads.has_reached_opportunity
        and (not leads.has_reached_contact or contacts_of_leads.contact_id is null)

)

select * from final

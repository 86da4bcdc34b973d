{#- The lead funnel, one row per lead once double-submits are folded into their original, as it
    stood at the end of the as-of date: every input is already stated as of then. Each stage is
    reached along the lead's own path (doc block marketing__funnel_stages): its MQL flag, its own
    contact, a new-logo deal on the account that contact belongs to, and that deal's win. -#}
{%- set funnel_window_days = var('funnel_window_days') -%}

with

-- Lead submissions and contacts known at the as-of date; opportunities from fct_opportunities,
-- which states them (their type and their win) as of the same date.
lead_submissions as (

    select * from {{ ref('int_leads_as_of') }}

),

contacts as (

    select * from {{ ref('int_contacts_as_of') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

original_leads as (

    select
        lead_id,
        lead_source,
        owner_id,
        account_id,
        created_at
    from lead_submissions
    where lead_id = original_lead_id

),

-- A double-submit is the same lead: it adds nothing to the counts, but what happened to it
-- (qualification, conversion) happened to the lead.
submissions_folded as (

    select
        original_lead_id as lead_id,
        max(case when is_mql then 1 else 0 end) = 1 as is_mql,
        cast(count(*) as {{ dbt.type_bigint() }}) as submission_count
    from lead_submissions
    group by original_lead_id

),

contacts_of_leads as (

    select
        lead_submissions.original_lead_id as lead_id,
        contacts.contact_id,
        contacts.account_id as converted_account_id,
        contacts.created_at as converted_at,
        row_number() over (
            partition by lead_submissions.original_lead_id
            order by contacts.created_at, contacts.contact_id
        ) as contact_number
    from contacts
    inner join lead_submissions
        on contacts.lead_id = lead_submissions.lead_id

),

first_contacts as (

    select
        lead_id,
        contact_id,
        converted_account_id,
        converted_at
    from contacts_of_leads
    where contact_number = 1

),

-- Only new-logo deals can be a lead's opportunity: renewals and expansions sell to an account
-- that already pays.
new_logo_opportunities as (

    select
        opportunity_id,
        account_id,
        opportunity_type,
        created_at,
        closed_at,
        is_won
    from opportunities
    where {{ is_new_logo_type('opportunity_type') }}

),

-- The new-logo deals of the account the lead's contact belongs to, created on or after the
-- conversion (so after the lead) and no later than funnel_window_days after the lead. The first
-- won one is the lead's opportunity; without a win, the first one. A lead without a contact has
-- none: the path to an opportunity goes through the lead's own contact.
qualifying_opportunities as (

    select
        original_leads.lead_id,
        new_logo_opportunities.opportunity_id,
        new_logo_opportunities.opportunity_type,
        new_logo_opportunities.created_at as opportunity_created_at,
        new_logo_opportunities.closed_at,
        new_logo_opportunities.is_won,
        row_number() over (
            partition by original_leads.lead_id
            order by
                case when new_logo_opportunities.is_won then 0 else 1 end,
                new_logo_opportunities.created_at,
                new_logo_opportunities.opportunity_id
        ) as opportunity_number
    from original_leads
    inner join first_contacts
        on original_leads.lead_id = first_contacts.lead_id
    inner join new_logo_opportunities
        on
            first_contacts.converted_account_id = new_logo_opportunities.account_id
            and first_contacts.converted_at <= new_logo_opportunities.created_at
            and original_leads.created_at <= new_logo_opportunities.created_at
            and {{ dbt.dateadd('day', funnel_window_days, 'original_leads.created_at') }}
            >= new_logo_opportunities.created_at

),

lead_opportunities as (

    select
        lead_id,
        opportunity_id,
        opportunity_type,
        opportunity_created_at,
        is_won,
        case when is_won then closed_at end as won_at
    from qualifying_opportunities
    where opportunity_number = 1

),

leads_joined as (

    select
        original_leads.lead_id,
        original_leads.lead_source,
        original_leads.owner_id,
        original_leads.account_id,
        original_leads.created_at,
        submissions_folded.submission_count,
        submissions_folded.is_mql,
        first_contacts.contact_id,
        first_contacts.converted_at,
        lead_opportunities.opportunity_id,
        lead_opportunities.opportunity_type,
        lead_opportunities.opportunity_created_at,
        coalesce(lead_opportunities.is_won, false) as is_won,
        lead_opportunities.won_at
    from original_leads
    inner join submissions_folded
        on original_leads.lead_id = submissions_folded.lead_id
    left join first_contacts
        on original_leads.lead_id = first_contacts.lead_id
    left join lead_opportunities
        on original_leads.lead_id = lead_opportunities.lead_id

),

-- "Reached" means the stage or any later one, so that counts never grow down the funnel. An
-- opportunity is only ever found through the lead's contact, so reaching it implies the contact;
-- a contact without the MQL flag (converted by sales) has reached mql.
stages_reached as (

    select
        *,
        is_mql or contact_id is not null as has_reached_mql,
        contact_id is not null as has_reached_contact,
        opportunity_id is not null as has_reached_opportunity,
        is_won as has_reached_won
    from leads_joined

),

final as (

    select
        -- ids
        lead_id,
        owner_id,
        account_id,
        contact_id,
        opportunity_id,

        -- strings
        lead_source,
        opportunity_type,
        case
            when has_reached_won then 'won'
            when has_reached_opportunity then 'opportunity'
            when has_reached_contact then 'contact'
            when has_reached_mql then 'mql'
            else 'lead'
        end as furthest_stage,

        -- numerics
        submission_count,
        cast(
            {{ dbt.datediff('created_at', 'converted_at', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_to_contact,
        cast(
            {{ dbt.datediff('created_at', 'opportunity_created_at', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_to_opportunity,
        cast(
            {{ dbt.datediff('converted_at', 'opportunity_created_at', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_contact_to_opportunity,
        cast(
            {{ dbt.datediff('opportunity_created_at', 'won_at', 'day') }}
            as {{ dbt.type_bigint() }}
        ) as days_opportunity_to_won,

        -- booleans
        is_mql,
        is_won,
        has_reached_mql,
        has_reached_contact,
        has_reached_opportunity,
        has_reached_won,

        -- dates/timestamps
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as cohort_month,
        created_at,
        converted_at,
        opportunity_created_at,
        won_at

    from stages_reached

)

select * from final

-- The cohorts hold every lead of fct_leads exactly once: summed over all cohorts, lead_count is
-- the number of rows of fct_leads, mql_flagged_count the number of leads flagged an MQL, each
-- stage count the number of leads that reached the stage and have the facts behind it (a contact
-- for `contact`, an opportunity for `opportunity`, an opportunity and a win time for `won`), and
-- each deal-type count the number of such leads whose opportunity has that type. Returns the
-- counts that differ.

with

leads as (

    select * from {{ ref('fct_leads') }}

),

funnel_cohorts as (

    select * from {{ ref('fct_funnel_cohorts') }}

),

lead_totals as (

    select
        count(*) as lead_count,
        coalesce(sum(case when is_mql then 1 else 0 end), 0) as mql_flagged_count,
        coalesce(sum(case when has_reached_mql then 1 else 0 end), 0) as mql_count,
        coalesce(sum(case when contact_id is not null then 1 else 0 end), 0) as contact_count,
        coalesce(sum(case when opportunity_id is not null then 1 else 0 end), 0)
            as opportunity_count,
        coalesce(
            sum(case when opportunity_id is not null and won_at is not null then 1 else 0 end), 0
        ) as won_count,
        coalesce(
            sum(
                case
                    when opportunity_id is not null and opportunity_type = 'new_business' then 1
                    else 0
                end
            ),
            0
        ) as new_business_opportunity_count,
        coalesce(
            sum(
                case
                    when opportunity_id is not null and opportunity_type = 'win_back' then 1
                    else 0
                end
            ),
            0
        ) as win_back_opportunity_count,
        coalesce(
            sum(
                case
                    when
                        opportunity_id is not null
                        and won_at is not null
                        and opportunity_type = 'new_business'
                        then 1
                    else 0
                end
            ),
            0
        ) as new_business_won_count,
        coalesce(
            sum(
                case
                    when
                        opportunity_id is not null
                        and won_at is not null
                        and opportunity_type = 'win_back'
                        then 1
                    else 0
                end
            ),
            0
        ) as win_back_won_count
    from leads

),

cohort_totals as (

    select
        coalesce(sum(lead_count), 0) as lead_count,
        coalesce(sum(mql_flagged_count), 0) as mql_flagged_count,
        coalesce(sum(mql_count), 0) as mql_count,
        coalesce(sum(contact_count), 0) as contact_count,
        coalesce(sum(opportunity_count), 0) as opportunity_count,
        coalesce(sum(won_count), 0) as won_count,
        coalesce(sum(new_business_opportunity_count), 0) as new_business_opportunity_count,
        coalesce(sum(win_back_opportunity_count), 0) as win_back_opportunity_count,
        coalesce(sum(new_business_won_count), 0) as new_business_won_count,
        coalesce(sum(win_back_won_count), 0) as win_back_won_count
    from funnel_cohorts

),

final as (

    {{ totals_that_differ('lead_totals', 'cohort_totals', [
        'lead_count', 'mql_flagged_count', 'mql_count', 'contact_count', 'opportunity_count',
        'won_count', 'new_business_opportunity_count', 'win_back_opportunity_count',
        'new_business_won_count', 'win_back_won_count',
    ]) }}

)

select * from final

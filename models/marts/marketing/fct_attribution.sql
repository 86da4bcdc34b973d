{#- Account-based multi-touch attribution: each opportunity's credit spread over its touchpoints
    under every attribution model, and its amount spread accordingly. -#}
{%- set half_life_days = var('attribution_half_life_days') -%}

with

touchpoints as (

    select * from {{ ref('int_touchpoints_joined_to_opportunities') }}

),

opportunities as (

    select * from {{ ref('stg_crm__opportunities') }}

),

touchpoints_weighted as (

    select
        *,
        power(
            cast(2 as double), -1.0 * days_before_opportunity / {{ half_life_days }}
        ) as time_decay_weight
    from touchpoints

),

touch_credits as (

    select
        opportunity_id,
        event_id,
        lead_id,
        event_type,
        utm_source,
        utm_campaign,
        occurred_at,
        touch_position,
        touch_count,
        days_before_opportunity,
        cast(case when touch_position = 1 then 1 else 0 end as double) as first_touch_credit,
        cast(case when touch_position = touch_count then 1 else 0 end as double)
            as last_touch_credit,
        cast(1 as double) / touch_count as linear_credit,
        case
            when touch_count = 1 then cast(1 as double)
            when touch_count = 2 then cast(0.5 as double)
            when touch_position = 1 or touch_position = touch_count then cast(0.4 as double)
            else cast(0.2 as double) / (touch_count - 2)
        end as position_based_credit,
        time_decay_weight
        / sum(time_decay_weight) over (partition by opportunity_id) as time_decay_credit,
        false as is_no_touch
    from touchpoints_weighted

),

opportunities_touched as (

    select distinct opportunity_id
    from touchpoints

),

-- Opportunities without a touch in the window keep all their credit on one explicit row, so
-- that every model still accounts for all pipeline and revenue.
no_touch_credits as (

    select
        opportunities.opportunity_id,
        null as event_id,
        null as lead_id,
        null as event_type,
        null as utm_source,
        null as utm_campaign,
        null as occurred_at,
        null as touch_position,
        0 as touch_count,
        null as days_before_opportunity,
        {% for attribution_model in attribution_models() %}
            cast(1 as double) as {{ attribution_model }}_credit,
        {% endfor %}
        true as is_no_touch
    from opportunities
    left join opportunities_touched
        on opportunities.opportunity_id = opportunities_touched.opportunity_id
    where opportunities_touched.opportunity_id is null

),

credits as (

    {% for credited_rows in ['touch_credits', 'no_touch_credits'] %}
        select
            opportunity_id,
            event_id,
            lead_id,
            event_type,
            utm_source,
            utm_campaign,
            occurred_at,
            touch_position,
            touch_count,
            days_before_opportunity,
            {% for attribution_model in attribution_models() %}
                {{ attribution_model }}_credit,
            {% endfor %}
            is_no_touch
        from {{ credited_rows }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

credits_with_amounts as (

    select
        credits.*,
        opportunities.account_id,
        opportunities.created_at as opportunity_created_at,
        opportunities.amount_usd,
        coalesce(opportunities.close_outcome = 'closed_won', false) as is_won,
        cast(round(opportunities.amount_usd * 100, 0) as bigint) as amount_cents
    from credits
    inner join opportunities
        on credits.opportunity_id = opportunities.opportunity_id

),

-- Amounts are split to the cent by largest remainder: every touch gets the whole cents of its
-- share, and the cents left over go to the touches with the largest fractions (ties: earlier
-- touch first), so an opportunity's pieces add up to its amount exactly. Shares are rounded to a
-- millionth of a cent first, so that floating-point noise cannot move a whole cent.
cents_floored as (

    select
        {% for attribution_model in attribution_models() %}
            round({{ attribution_model }}_credit * amount_cents, 6)
                as {{ attribution_model }}_exact_cents,
            floor(round({{ attribution_model }}_credit * amount_cents, 6))
                as {{ attribution_model }}_floor_cents,
        {% endfor %}
        *
    from credits_with_amounts

),

cents_ranked as (

    select
        {% for attribution_model in attribution_models() %}
            amount_cents - sum({{ attribution_model }}_floor_cents) over (
                partition by opportunity_id
            ) as {{ attribution_model }}_leftover_cents,
            row_number() over (
                partition by opportunity_id
                order by
                    {{ attribution_model }}_exact_cents - {{ attribution_model }}_floor_cents desc,
                    touch_position asc
            ) as {{ attribution_model }}_remainder_rank,
        {% endfor %}
        *
    from cents_floored

),

-- The touches ranked within the left-over cents get one more cent each.
amounts_allocated as (

    select
        {% for attribution_model in attribution_models() %}
            cast(
                round(
                    (
                        {{ attribution_model }}_floor_cents
                        + case
                            when
                                {{ attribution_model }}_remainder_rank
                                <= {{ attribution_model }}_leftover_cents
                                then 1
                            else 0
                        end
                    ) / 100,
                    2
                ) as decimal(18, 2)
            ) as {{ attribution_model }}_pipeline_usd,
        {% endfor %}
        *
    from cents_ranked

),

final as (

    select
        -- ids
        opportunity_id,
        event_id,
        lead_id,
        account_id,

        -- strings
        event_type,
        utm_source,
        utm_campaign,

        -- numerics
        cast(touch_position as bigint) as touch_position,
        cast(touch_count as bigint) as touch_count,
        cast(days_before_opportunity as bigint) as days_before_opportunity,
        amount_usd,
        {% for attribution_model in attribution_models() %}
            {{ attribution_model }}_credit,
        {% endfor %}
        {% for attribution_model in attribution_models() %}
            {{ attribution_model }}_pipeline_usd,
            case
                when is_won then {{ attribution_model }}_pipeline_usd
                else cast(0 as decimal(18, 2))
            end as {{ attribution_model }}_revenue_usd,
        {% endfor %}

        -- booleans
        is_no_touch,
        is_won,

        -- timestamps
        occurred_at,
        opportunity_created_at

    from amounts_allocated

)

select * from final

{#- Account-based multi-touch attribution of the conversions (the deal types of the
    attribution_deal_types var): each converting opportunity's credit spread over its touchpoints
    under every attribution model, and its annual contract value (ACV) spread accordingly, as
    attributed pipeline and (once won) attributed revenue, as of the as-of date. -#}
{%- set half_life_days = var('attribution_half_life_days') -%}
{%- if half_life_days is not number or half_life_days <= 0 -%}
    {{ exceptions.raise_compiler_error(
        "The attribution_half_life_days var must be a positive number of days (time-decay "
        ~ "attribution divides by it), got: " ~ half_life_days
    ) }}
{%- endif -%}
{%- set deal_types = attribution_deal_types() -%}

with

touchpoints as (

    select * from {{ ref('int_touchpoints_joined_to_opportunities') }}

),

-- Stated as of the as-of date: only deals created by then, won only when won by then.
opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

-- The conversions: only the deal types of the attribution_deal_types var get credit.
conversions as (

    select *
    from opportunities
    where opportunity_type in (
        {%- for deal_type in deal_types %}
            '{{ deal_type }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )

),

-- Every conversion with each of its touchpoints; a conversion without a touch in the window
-- keeps one row with the touch's columns null: its explicit "no touch" row, so that every model
-- still accounts for all its pipeline and revenue.
opportunities_with_touches as (

    select
        conversions.opportunity_id,
        conversions.account_id,
        conversions.opportunity_type,
        conversions.created_at as opportunity_created_at,
        conversions.tcv_usd,
        conversions.contract_term_months,
        conversions.acv_usd,
        conversions.is_won,
        touchpoints.event_id,
        touchpoints.lead_id,
        touchpoints.event_type,
        touchpoints.utm_source,
        touchpoints.utm_campaign,
        touchpoints.occurred_at,
        touchpoints.touch_position,
        coalesce(touchpoints.touch_count, 0) as touch_count,
        touchpoints.days_before_opportunity,
        touchpoints.event_id is null as is_no_touch
    from conversions
    left join touchpoints
        on conversions.opportunity_id = touchpoints.opportunity_id

),

touches_weighted as (

    select
        *,
        power(
            cast(2 as {{ type_double() }}),
            -1 * cast(days_before_opportunity as {{ type_double() }}) / {{ half_life_days }}
        ) as time_decay_weight
    from opportunities_with_touches

),

-- A "no touch" row carries all the credit (1) under every model.
touch_credits as (

    select
        *,
        cast(
            case when is_no_touch or touch_position = 1 then 1 else 0 end as {{ type_double() }}
        ) as first_touch_credit,
        cast(
            case when is_no_touch or touch_position = touch_count then 1 else 0 end
            as {{ type_double() }}
        ) as last_touch_credit,
        case
            when is_no_touch then cast(1 as {{ type_double() }})
            else cast(1 as {{ type_double() }}) / touch_count
        end as linear_credit,
        case
            when is_no_touch or touch_count = 1 then cast(1 as {{ type_double() }})
            when touch_count = 2 then cast(0.5 as {{ type_double() }})
            when touch_position = 1 or touch_position = touch_count
                then cast(0.4 as {{ type_double() }})
            else cast(0.2 as {{ type_double() }}) / (touch_count - 2)
        end as position_based_credit,
        case
            when is_no_touch then cast(1 as {{ type_double() }})
            -- Summed in touch order: a floating-point sum in no particular order can differ in
            -- its last digit from one run to the next, and the marts must be reproducible.
            else time_decay_weight / sum(time_decay_weight) over (
                partition by opportunity_id
                order by touch_position
                rows between unbounded preceding and unbounded following
            )
        end as time_decay_credit
    from touches_weighted

),

credits_with_acv_cents as (

    select
        *,
        cast(acv_usd * 100 as {{ dbt.type_bigint() }}) as acv_cents
    from touch_credits

),

-- ACV is split to the cent by largest remainder: every touch gets the whole cents of its share,
-- and the cents left over go to the touches with the largest fractions (ties: earlier touch
-- first), so an opportunity's pieces add up to its ACV exactly. Shares are cast to a
-- decimal with a millionth of a cent first (the cast rounds), so that floating-point noise cannot
-- move a whole cent.
cents_exact as (

    select
        {% for attribution_model in attribution_models() %}
            cast({{ attribution_model }}_credit * acv_cents as decimal(38, 6))
                as {{ attribution_model }}_exact_cents,
        {% endfor %}
        *
    from credits_with_acv_cents

),

cents_floored as (

    select
        {% for attribution_model in attribution_models() %}
            floor({{ attribution_model }}_exact_cents) as {{ attribution_model }}_floor_cents,
        {% endfor %}
        *
    from cents_exact

),

cents_ranked as (

    select
        {% for attribution_model in attribution_models() %}
            acv_cents - sum({{ attribution_model }}_floor_cents) over (
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
acv_allocated as (

    select
        {% for attribution_model in attribution_models() %}
            cast(
                (
                    {{ attribution_model }}_floor_cents
                    + case
                        when
                            {{ attribution_model }}_remainder_rank
                            <= {{ attribution_model }}_leftover_cents
                            then 1
                        else 0
                    end
                ) / 100.0 as decimal(18, 2)
            ) as {{ attribution_model }}_pipeline_acv_usd,
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
        opportunity_type,
        event_type,
        utm_source,
        utm_campaign,

        -- numerics
        cast(touch_position as {{ dbt.type_bigint() }}) as touch_position,
        cast(touch_count as {{ dbt.type_bigint() }}) as touch_count,
        cast(days_before_opportunity as {{ dbt.type_bigint() }}) as days_before_opportunity,
        tcv_usd,
        contract_term_months,
        acv_usd,
        {% for attribution_model in attribution_models() %}
            {{ attribution_model }}_credit,
        {% endfor %}
        {% for attribution_model in attribution_models() %}
            {{ attribution_model }}_pipeline_acv_usd,
            case
                when is_won then {{ attribution_model }}_pipeline_acv_usd
                else cast(0 as decimal(18, 2))
            end as {{ attribution_model }}_revenue_acv_usd,
        {% endfor %}

        -- booleans
        is_no_touch,
        is_won,

        -- timestamps
        occurred_at,
        opportunity_created_at

    from acv_allocated

)

select * from final

with

opportunity_stages as (

    select * from {{ ref('opportunity_stages') }}

),

final as (

    select
        -- strings
        stage_name,

        -- numerics
        stage_order,
        default_probability,

        -- booleans
        is_closed,
        is_won

    from opportunity_stages

)

select * from final

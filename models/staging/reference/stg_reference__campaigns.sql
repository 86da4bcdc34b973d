with

campaigns as (

    select * from {{ ref('campaigns') }}

),

final as (

    select
        -- ids
        campaign_id,

        -- strings
        utm_source,
        utm_campaign,
        event_type,
        channel

    from campaigns

)

select * from final

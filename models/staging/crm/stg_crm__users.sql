with

users as (

    {{ typed_source('crm', 'users') }}

),

final as (

    select
        -- ids
        user_id,
        manager_id,

        -- strings
        trim(name) as user_name,
        {{ clean_email('email') }} as email,
        role,
        team as team_name

    from users

)

select * from final

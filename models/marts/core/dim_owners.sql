{#- The people who own leads and deals, for every mart that groups by owner_id: who they are,
    their team and their manager. -#}
with

users as (

    select * from {{ ref('stg_crm__users') }}

),

final as (

    select
        -- ids
        users.user_id as owner_id,
        users.manager_id,

        -- strings
        users.user_name as owner_name,
        users.email,
        users.role,
        users.team_name,
        managers.user_name as manager_name

    from users
    left join users as managers
        on users.manager_id = managers.user_id

)

select * from final

with

users as (

    select * from {{ source('crm', 'users') }}

),

final as (

    select
        -- ids
        cast(user_id as {{ type_uuid() }}) as user_id,
        cast(manager_id as {{ type_uuid() }}) as manager_id,

        -- strings
        trim(cast(name as {{ dbt.type_string() }})) as user_name,
        {{ clean_email('email') }} as email,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(team as {{ dbt.type_string() }}) as team_name

    from users

)

select * from final

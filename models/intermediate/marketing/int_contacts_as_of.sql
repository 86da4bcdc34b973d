{#- The contacts known at the end of the as-of date: a lead counts as converted only by a contact
    created before the midnight that ends it. -#}
{{ rows_known_as_of(ref('stg_crm__contacts'), 'created_at') }}  -- noqa: AM04

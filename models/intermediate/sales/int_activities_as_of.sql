{#- The sales activities known at the end of the as-of date: those that took place before the
    midnight that ends it. -#}
{{ rows_known_as_of(ref('stg_crm__activities'), 'occurred_at') }}  -- noqa: AM04

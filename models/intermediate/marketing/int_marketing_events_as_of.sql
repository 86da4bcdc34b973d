{#- The marketing events known at the end of the as-of date: those that occurred before the
    midnight that ends it. Every model that counts touches, spend or touchpoints reads them
    from here. -#}
{{ rows_known_as_of(ref('stg_marketing__events'), 'occurred_at') }}  -- noqa: AM04
